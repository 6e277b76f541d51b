import { createFileRoute } from '@tanstack/react-router';
import { auditLogQuery } from '../../api/hooks/settings';
import { AuditLogScreen } from '../../features/operations/audit-log-screen';
import { LIST_PAGE_SIZE, compact, cursor, text } from '../../lib/search';

export const Route = createFileRoute('/_app/audit-log')({
  validateSearch: (search: Record<string, unknown>) => compact({ action: text(search.action, 100), cursor: cursor(search.cursor) }),
  loaderDeps: ({ search }) => search,
  loader: ({ context, deps }) => context.queryClient.prefetchQuery(auditLogQuery({ ...deps, limit: LIST_PAGE_SIZE })),
  component: AuditLogScreen,
});
