/**
 * Records of one connection (optionally one model), as the change feed lists them: each record
 * at its latest change, page by page with the feed's cursor. The filter narrows the page shown.
 */
import { Link, getRouteApi } from '@tanstack/react-router';
import { useRecords, type RecordChange } from '../../api/hooks/records';
import { EmptyState, PageHeader, QueryView } from '../../components/page';
import { Pager } from '../../components/pager';
import { SearchBox } from '../../components/search-box';
import { RelativeTime } from '../../components/ui/relative-time';
import { Table } from '../../components/ui/table';
import { ChangeBadge, shortValue } from './change-badge';
import { ConnectionPicker, ModelPicker } from '../../components/connection-pickers';
import '../../styles/syncs.css';

const route = getRouteApi('/_app/records/');
const PAGE = 50;

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
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const set = (patch: Partial<typeof search>) => void navigate({ search: (prev) => ({ ...prev, cursor: undefined, ...patch }), replace: true });
  const records = useRecords(search.connectionId ? { connectionId: search.connectionId, model: search.model, cursor: search.cursor, limit: PAGE } : undefined);
  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/syncs">Syncs</Link> / <span aria-current="page">Records</span>
      </nav>
      <PageHeader title="Records" description="What syncs stored for a connection, each record at its latest change. Open one to compare its versions." />
      <div className="filters" role="search">
        <ConnectionPicker value={search.connectionId} onChange={(connectionId) => set({ connectionId, model: undefined })} />
        <ModelPicker connectionId={search.connectionId} value={search.model} onChange={(model) => set({ model })} />
        <SearchBox label="Filter this page" value={search.q} onSearch={(q) => void navigate({ search: (prev) => ({ ...prev, q }), replace: true })} placeholder="Id or any value" />
      </div>
      {!search.connectionId ? (
        <EmptyState title="Choose a connection" action={<Link to="/syncs">See the sync runs</Link>}>
          Records belong to one connection: pick it above, then a model to narrow the list.
        </EmptyState>
      ) : (
        <QueryView query={records} label="Loading records">
          {(page) => {
            const shown = search.q ? page.data.filter((r) => matches(r, search.q!)) : page.data;
            return page.data.length === 0 ? (
              <EmptyState title={search.cursor ? 'No more records' : 'No records yet'} action={<Link to="/connections/$connectionId" params={{ connectionId: search.connectionId! }}>Run a sync of this connection</Link>}>
                {search.cursor ? 'Nothing changed after this page.' : 'Nothing was synced for this connection and model yet: run its sync, and the records it reads show here.'}
              </EmptyState>
            ) : (
              <>
                {shown.length === 0 ? (
                  <EmptyState title="No record on this page matches the filter" action={<Link to="/records" search={{ ...search, q: undefined }}>Clear the filter</Link>}>
                    The filter looks at the records of this page only; try the next page or a shorter text.
                  </EmptyState>
                ) : (
                  <Table caption="Records">
                    <thead>
                      <tr>
                        <th scope="col">Record</th>
                        <th scope="col">Last change</th>
                        <th scope="col" className="num">Version</th>
                        <th scope="col">Fields</th>
                        <th scope="col">Last seen</th>
                      </tr>
                    </thead>
                    <tbody>
                      {shown.map((record) => (
                        <tr key={`${record.model}/${record.externalId}`}>
                          <td>
                            <Link to="/records/$connectionId/$model/$externalId" params={{ connectionId: search.connectionId!, model: record.model, externalId: record.externalId }} className="cell-main mono">
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
                        </tr>
                      ))}
                    </tbody>
                  </Table>
                )}
                <Pager cursor={search.cursor} nextCursor={page.hasMore ? page.nextCursor : null} count={page.data.length} onCursor={(cursor) => void navigate({ search: (prev) => ({ ...prev, cursor }) })} />
              </>
            );
          }}
        </QueryView>
      )}
    </>
  );
}
