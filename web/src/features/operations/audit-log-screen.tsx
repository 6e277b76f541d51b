/** The audit log: who did what to which object, organization-wide. */
import { getRouteApi } from '@tanstack/react-router';
import { useAuditLog } from '../../api/hooks/settings';
import { EmptyState, PageHeader, QueryView } from '../../components/page';
import { Pager } from '../../components/pager';
import { SearchBox } from '../../components/search-box';
import { RelativeTime } from '../../components/ui/relative-time';
import { Table } from '../../components/ui/table';

const route = getRouteApi('/_app/audit-log');

export function AuditLogScreen() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const entries = useAuditLog({ ...search, limit: 50 });
  return (
    <>
      <PageHeader title="Audit log" description="Every change to the organization, its keys, integrations and connections, and every read of a secret." />
      <div className="filters" role="search">
        <SearchBox label="Action" value={search.action} onSearch={(action) => void navigate({ search: { action }, replace: true })} placeholder="e.g. connection.created" />
      </div>
      <QueryView query={entries} label="Loading the audit log">
        {(page) =>
          page.data.length === 0 ? (
            <EmptyState title="Nothing recorded matches">{search.action ? 'Try another action name, or clear the filter.' : 'Changes made through the API, the CLI or this dashboard are recorded here.'}</EmptyState>
          ) : (
            <>
              <Table caption="Audit log">
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Action</th>
                    <th scope="col">Actor</th>
                    <th scope="col">Object</th>
                  </tr>
                </thead>
                <tbody>
                  {page.data.map((entry) => (
                    <tr key={entry.id}>
                      <td>
                        <RelativeTime value={entry.createdAt} />
                      </td>
                      <td className="cell-main mono">{entry.action}</td>
                      <td>
                        {entry.actorType} <span className="muted mono">{entry.actorId ?? ''}</span>
                      </td>
                      <td className="mono">{entry.targetType ? `${entry.targetType} ${entry.targetId ?? ''}` : '—'}</td>
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
