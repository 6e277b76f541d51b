/** Connections: every end customer's linked account, filtered by status, connector, customer. */
import { Link, getRouteApi } from '@tanstack/react-router';
import { CONNECTION_STATUSES, useConnections } from '../../api/hooks/connections';
import { useEnvironment } from '../../api/session';
import { CursorList, Filters, LIST_PAGE_SIZE, ListTable, SearchBox, SelectFilter, useCursorList } from '../../components/list-screen';
import { EmptyState, PageHeader } from '../../components/page';
import { StatusBadge } from '../../components/ui/badge';
import { RelativeTime } from '../../components/ui/relative-time';
import { Can } from '../../components/can';
import { ConnectAccountButton } from './connect-account';

const route = getRouteApi('/_app/connections/');

export function ConnectionsScreen() {
  const list = useCursorList(route);
  const { search, set } = list;
  const environment = useEnvironment();
  const connections = useConnections({ ...search, limit: LIST_PAGE_SIZE });
  return (
    <>
      <PageHeader
        title="Connections"
        description={`Your customers' linked accounts in ${environment}, with their status and last sync.`}
        actions={
          <Can scope="connect-sessions:write">
            <ConnectAccountButton />
          </Can>
        }
      />
      <Filters>
        <SearchBox label="End customer" value={search.endCustomerId} onSearch={(endCustomerId) => set({ endCustomerId })} placeholder="Exact end-customer id" />
        <SelectFilter label="Status" value={search.status} options={CONNECTION_STATUSES} onChange={(status) => set({ status })} />
        <SearchBox label="Connector" value={search.connectorKey} onSearch={(connectorKey) => set({ connectorKey })} placeholder="e.g. stripe" />
        {search.integrationId && (
          <p className="filter-chip">
            Integration <code>{search.integrationId}</code>{' '}
            <button type="button" className="ui-copy__button" onClick={() => set({ integrationId: undefined })}>
              Remove
            </button>
          </p>
        )}
      </Filters>
      <CursorList
        list={list}
        query={connections}
        noun="connection"
        empty={
          <EmptyState title={`No connections in ${environment} yet`} action={<Link to="/catalog">Open the catalog</Link>}>
            A connection appears when a customer links an account through the Connect UI, or when you create one with the API or the CLI. Start by adding an integration from the catalog.
          </EmptyState>
        }
      >
        {(rows) => (
          <ListTable caption="Connections" columns={['Connection', 'Status', 'End customer', 'Connector', 'Last sync', { label: 'Errors', numeric: true }, 'Created']} rows={rows} rowKey={(c) => c.id}>
            {(connection) => (
              <>
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
              </>
            )}
          </ListTable>
        )}
      </CursorList>
    </>
  );
}
