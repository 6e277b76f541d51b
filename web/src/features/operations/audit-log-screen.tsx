/** The audit log: who did what to which object, organization-wide. */
import { getRouteApi } from '@tanstack/react-router';
import { useAuditLog } from '../../api/hooks/settings';
import { CursorList, Filters, LIST_PAGE_SIZE, ListTable, SearchBox, useCursorList } from '../../components/list-screen';
import { EmptyState, PageHeader } from '../../components/page';
import { RelativeTime } from '../../components/ui/relative-time';

const route = getRouteApi('/_app/audit-log');

export function AuditLogScreen() {
  const list = useCursorList(route);
  const { search, set } = list;
  const entries = useAuditLog({ ...search, limit: LIST_PAGE_SIZE });
  return (
    <>
      <PageHeader title="Audit log" description="Every change to the organization, its keys, integrations and connections, and every read of a secret." />
      <Filters>
        <SearchBox label="Action" value={search.action} onSearch={(action) => set({ action })} placeholder="e.g. connection.created" />
      </Filters>
      <CursorList
        list={list}
        query={entries}
        noun="entry"
        plural="entries"
        loadingLabel="Loading the audit log"
        empty={<EmptyState title="Nothing recorded yet">Changes made through the API, the CLI or this dashboard are recorded here.</EmptyState>}
      >
        {(rows) => (
          <ListTable caption="Audit log" columns={['When', 'Action', 'Actor', 'Object']} rows={rows} rowKey={(entry) => entry.id}>
            {(entry) => (
              <>
                <td>
                  <RelativeTime value={entry.createdAt} />
                </td>
                <td className="cell-main mono">{entry.action}</td>
                <td>
                  {entry.actorType} <span className="muted mono">{entry.actorId ?? ''}</span>
                </td>
                <td className="mono">{entry.targetType ? `${entry.targetType} ${entry.targetId ?? ''}` : '—'}</td>
              </>
            )}
          </ListTable>
        )}
      </CursorList>
    </>
  );
}
