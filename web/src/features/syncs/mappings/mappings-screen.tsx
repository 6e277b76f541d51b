/** Mappings: how each model's provider fields become Patchbay's, per connection or integration. */
import { Link, getRouteApi } from '@tanstack/react-router';
import { useMappings } from '../../../api/hooks/mappings';
import { Can } from '../../../components/can';
import { EmptyState, PageHeader, QueryView } from '../../../components/page';
import { Pager } from '../../../components/pager';
import { SearchBox } from '../../../components/search-box';
import { Badge } from '../../../components/ui/badge';
import { RelativeTime } from '../../../components/ui/relative-time';
import { Table } from '../../../components/ui/table';
import { NewMappingDialog } from './new-mapping-dialog';
import '../../../styles/syncs.css';

const route = getRouteApi('/_app/syncs/mappings/');

export function MappingsScreen() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const mappings = useMappings({ ...search, limit: 50 });
  const set = (patch: Partial<typeof search>) => void navigate({ search: (prev) => ({ ...prev, cursor: undefined, ...patch }), replace: true });
  const filtered = Boolean(search.connectionId || search.model);
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
      <div className="filters" role="search">
        <SearchBox label="Connection" value={search.connectionId} onSearch={(connectionId) => set({ connectionId })} placeholder="Exact connection id" />
        <SearchBox label="Model" value={search.model} onSearch={(model) => set({ model })} placeholder="e.g. customers" />
      </div>
      <QueryView query={mappings} label="Loading mappings">
        {(page) =>
          page.data.length === 0 ? (
            <EmptyState title={filtered ? 'No mapping matches these filters' : 'No mappings yet'} action={filtered ? <Link to="/syncs/mappings">Clear the filters</Link> : undefined}>
              Without a mapping a sync stores the provider’s fields as they come. Create one to rename, convert or leave out fields, and to write changes back.
            </EmptyState>
          ) : (
            <>
              <Table caption="Mappings">
                <thead>
                  <tr>
                    <th scope="col">Model</th>
                    <th scope="col">For</th>
                    <th scope="col" className="num">Fields</th>
                    <th scope="col">Conflicts</th>
                    <th scope="col">Changed</th>
                  </tr>
                </thead>
                <tbody>
                  {page.data.map((m) => (
                    <tr key={m.id}>
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
                    </tr>
                  ))}
                </tbody>
              </Table>
              <Pager cursor={search.cursor} nextCursor={page.nextCursor} count={page.data.length} onCursor={(cursor) => void navigate({ search: (prev) => ({ ...prev, cursor }) })} />
            </>
          )
        }
      </QueryView>
    </>
  );
}
