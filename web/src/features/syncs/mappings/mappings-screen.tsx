/** Mappings: how each model's provider fields become Patchbay's, per connection or integration. */
import { Link, getRouteApi } from '@tanstack/react-router';
import { useMappings } from '../../../api/hooks/mappings';
import { Can } from '../../../components/can';
import { CursorList, Filters, LIST_PAGE_SIZE, ListTable, SearchBox, useCursorList } from '../../../components/list-screen';
import { EmptyState, PageHeader } from '../../../components/page';
import { Badge } from '../../../components/ui/badge';
import { RelativeTime } from '../../../components/ui/relative-time';
import { NewMappingDialog } from './new-mapping-dialog';
import '../../../styles/syncs.css';

const route = getRouteApi('/_app/syncs/mappings/');

export function MappingsScreen() {
  const list = useCursorList(route);
  const { search, set } = list;
  const mappings = useMappings({ ...search, limit: LIST_PAGE_SIZE });
  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/syncs">Syncs</Link> / <span aria-current="page">Mappings</span>
      </nav>
      <PageHeader
        title="Mappings"
        description="Which provider fields a sync stores, under which names and types, which are written back, and who wins when both sides change one."
        actions={
          <Can scope="syncs:write">
            <NewMappingDialog initialConnectionId={search.connectionId} />
          </Can>
        }
      />
      <Filters>
        <SearchBox label="Connection" value={search.connectionId} onSearch={(connectionId) => set({ connectionId })} placeholder="Exact connection id" />
        <SearchBox label="Model" value={search.model} onSearch={(model) => set({ model })} placeholder="e.g. customers" />
      </Filters>
      <CursorList
        list={list}
        query={mappings}
        noun="mapping"
        empty={
          <EmptyState title="No mappings yet">
            Without a mapping a sync stores the provider’s fields as they come. Create one to rename, convert or leave out fields, and to write changes back.
          </EmptyState>
        }
      >
        {(rows) => (
          <ListTable caption="Mappings" columns={['Model', 'For', { label: 'Fields', numeric: true }, 'Conflicts', 'Changed']} rows={rows} rowKey={(m) => m.id}>
            {(m) => (
              <>
                <td>
                  <Link to="/syncs/mappings/$mappingId" params={{ mappingId: m.id }} className="cell-main">
                    {m.model}
                  </Link>
                  <span className="muted mono cell-sub">{m.id}</span>
                </td>
                <td className="mono">{m.connectionId ?? m.integrationId}</td>
                <td className="num">{m.fields.length}</td>
                <td>
                  <Badge>{m.conflictStrategy.replace('_', ' ')}</Badge>
                </td>
                <td>
                  <RelativeTime value={m.updatedAt} />
                </td>
              </>
            )}
          </ListTable>
        )}
      </CursorList>
    </>
  );
}
