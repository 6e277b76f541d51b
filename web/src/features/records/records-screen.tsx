/**
 * Records of one connection (optionally one model), as the change feed lists them: each record
 * at its latest change, page by page with the feed's cursor. The filter narrows the page shown.
 */
import { Link, getRouteApi } from '@tanstack/react-router';
import { useRecords, type RecordChange } from '../../api/hooks/records';
import { CursorList, Filters, LIST_PAGE_SIZE, ListTable, SearchBox, useCursorList } from '../../components/list-screen';
import { EmptyState, PageHeader } from '../../components/page';
import { RelativeTime } from '../../components/ui/relative-time';
import { ChangeBadge, shortValue } from './change-badge';
import { ConnectionPicker, ModelPicker } from '../../components/connection-pickers';
import '../../styles/syncs.css';

const route = getRouteApi('/_app/records/');

/** The first few plain fields of a record, to tell rows apart without opening them. */
function preview(record: RecordChange): string {
  return Object.entries(record.data)
    .filter(([key, value]) => key !== 'id' && value !== null && typeof value !== 'object')
    .slice(0, 3)
    .map(([key, value]) => `${key}: ${shortValue(value, 40)}`)
    .join(' · ');
}

const matches = (record: RecordChange, filter: string) => {
  const needle = filter.toLowerCase();
  return record.externalId.toLowerCase().includes(needle) || JSON.stringify(record.data).toLowerCase().includes(needle);
};

export function RecordsScreen() {
  // The connection and model say which feed is read; `q` narrows the page shown. None of them is a filter to clear.
  const list = useCursorList(route, { ignore: ['connectionId', 'model', 'q'] });
  const { search, set } = list;
  const records = useRecords(search.connectionId ? { connectionId: search.connectionId, model: search.model, cursor: search.cursor, limit: LIST_PAGE_SIZE } : undefined);
  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/syncs">Syncs</Link> / <span aria-current="page">Records</span>
      </nav>
      <PageHeader title="Records" description="What syncs stored for a connection, each record at its latest change. Open one to compare its versions." />
      <Filters>
        <ConnectionPicker value={search.connectionId} onChange={(connectionId) => set({ connectionId, model: undefined })} />
        <ModelPicker connectionId={search.connectionId} value={search.model} onChange={(model) => set({ model })} />
        <SearchBox label="Filter this page" value={search.q} onSearch={(q) => set({ q }, { keepPage: true })} placeholder="Id or any value" />
      </Filters>
      {!search.connectionId ? (
        <EmptyState title="Choose a connection" action={<Link to="/syncs">See the sync runs</Link>}>
          Records belong to one connection: pick it above, then a model to narrow the list.
        </EmptyState>
      ) : (
        <CursorList
          list={list}
          query={records}
          noun="record"
          empty={
            <EmptyState
              title="No records yet"
              action={
                <Link to="/connections/$connectionId" params={{ connectionId: search.connectionId }}>
                  Run a sync of this connection
                </Link>
              }
            >
              Nothing was synced for this connection and model yet: run its sync, and the records it reads show here.
            </EmptyState>
          }
        >
          {(rows) => {
            const shown = search.q ? rows.filter((r) => matches(r, search.q!)) : rows;
            return shown.length === 0 ? (
              <EmptyState
                title="No record on this page matches the filter"
                action={
                  <Link to="/records" search={{ ...search, q: undefined }}>
                    Clear the filter
                  </Link>
                }
              >
                The filter looks at the records of this page only; try the next page or a shorter text.
              </EmptyState>
            ) : (
              <ListTable caption="Records" columns={['Record', 'Last change', { label: 'Version', numeric: true }, 'Fields', 'Last seen']} rows={shown} rowKey={(r) => `${r.model}/${r.externalId}`}>
                {(record) => (
                  <>
                    <td>
                      <Link
                        to="/records/$connectionId/$model/$externalId"
                        params={{ connectionId: search.connectionId!, model: record.model, externalId: record.externalId }}
                        className="cell-main mono"
                      >
                        {record.externalId}
                      </Link>
                      <span className="muted cell-sub">{record.model}</span>
                    </td>
                    <td>
                      <ChangeBadge change={record.change} />
                    </td>
                    <td className="num">{record.version}</td>
                    <td className="cell-wrap">{preview(record) || <span className="muted">—</span>}</td>
                    <td>
                      <RelativeTime value={record.lastSeenAt} />
                    </td>
                  </>
                )}
              </ListTable>
            );
          }}
        </CursorList>
      )}
    </>
  );
}
