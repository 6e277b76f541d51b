/** Connections: every end customer's linked account, filtered by status, connector, customer. */
import { Link, getRouteApi } from '@tanstack/react-router';
import { useId } from 'react';
import { CONNECTION_STATUSES, useConnections } from '../../api/hooks/connections';
import { useEnvironment } from '../../api/session';
import { EmptyState, PageHeader, QueryView } from '../../components/page';
import { Pager } from '../../components/pager';
import { SearchBox } from '../../components/search-box';
import { StatusBadge } from '../../components/ui/badge';
import { RelativeTime } from '../../components/ui/relative-time';
import { Table } from '../../components/ui/table';

const route = getRouteApi('/_app/connections/');

export function ConnectionsScreen() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const environment = useEnvironment();
  const connections = useConnections({ ...search, limit: 50 });
  const statusId = useId();
  const set = (patch: Partial<typeof search>) => void navigate({ search: (prev) => ({ ...prev, cursor: undefined, ...patch }), replace: true });
  const filtered = Boolean(search.status || search.connectorKey || search.integrationId || search.endCustomerId || search.tag);
  return (
    <>
      <PageHeader title="Connections" description={`Your customers' linked accounts in ${environment}, with their status and last sync.`} />
      <div className="filters" role="search">
        <SearchBox label="End customer" value={search.endCustomerId} onSearch={(endCustomerId) => set({ endCustomerId })} placeholder="Exact end-customer id" />
        <div className="field">
          <label htmlFor={statusId}>Status</label>
          <select id={statusId} value={search.status ?? ''} onChange={(e) => set({ status: (e.target.value || undefined) as never })}>
            <option value="">Any</option>
            {CONNECTION_STATUSES.map((status) => (
              <option key={status} value={status}>
                {status}
              </option>
            ))}
          </select>
        </div>
        <SearchBox label="Connector" value={search.connectorKey} onSearch={(connectorKey) => set({ connectorKey })} placeholder="e.g. stripe" />
        {search.integrationId && (
          <p className="filter-chip">
            Integration <code>{search.integrationId}</code>{' '}
            <button type="button" className="ui-copy__button" onClick={() => set({ integrationId: undefined })}>
              Remove
            </button>
          </p>
        )}
      </div>
      <QueryView query={connections} label="Loading connections">
        {(page) =>
          page.data.length === 0 ? (
            filtered ? (
              <EmptyState title="No connection matches these filters" action={<Link to="/connections">Clear the filters</Link>}>
                Widen the search, or check the environment in the top bar.
              </EmptyState>
            ) : (
              <EmptyState title={`No connections in ${environment} yet`} action={<Link to="/catalog">Open the catalog</Link>}>
                A connection appears when a customer links an account through the Connect UI, or when you create one with the API or the CLI. Start by adding an integration from the catalog.
              </EmptyState>
            )
          ) : (
            <>
              <Table caption="Connections">
                <thead>
                  <tr>
                    <th scope="col">Connection</th>
                    <th scope="col">Status</th>
                    <th scope="col">End customer</th>
                    <th scope="col">Connector</th>
                    <th scope="col">Last sync</th>
                    <th scope="col" className="num">Errors</th>
                    <th scope="col">Created</th>
                  </tr>
                </thead>
                <tbody>
                  {page.data.map((connection) => (
                    <tr key={connection.id}>
                      <td>
                        <Link to="/connections/$connectionId" params={{ connectionId: connection.id }} className="cell-main">
                          {connection.id}
                        </Link>
                      </td>
                      <td>
                        <StatusBadge status={connection.status} />
                      </td>
                      <td className="mono">{connection.endCustomerId}</td>
                      <td>{connection.connectorKey}</td>
                      <td>
                        <RelativeTime value={connection.lastSyncAt} empty="never" />
                      </td>
                      <td className="num">{connection.errorCount}</td>
                      <td>
                        <RelativeTime value={connection.createdAt} />
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
