import { createFileRoute } from '@tanstack/react-router';
import { ALERT_SEVERITIES, ALERT_STATUSES, alertsQuery } from '../../../api/hooks/alerts';
import { session } from '../../../api/session';
import { AlertsScreen } from '../../../features/alerts/alerts-screen';
import { LIST_PAGE_SIZE, compact, cursor, oneOf } from '../../../lib/search';

export const Route = createFileRoute('/_app/alerts/')({
  validateSearch: (search: Record<string, unknown>) => compact({ status: oneOf(search.status, ALERT_STATUSES), severity: oneOf(search.severity, ALERT_SEVERITIES), cursor: cursor(search.cursor) }),
  loaderDeps: ({ search }) => search,
  loader: ({ context, deps }) => context.queryClient.prefetchQuery(alertsQuery(session.environment(), { ...deps, status: deps.status ?? 'unresolved', limit: LIST_PAGE_SIZE })),
  component: AlertsScreen,
});
