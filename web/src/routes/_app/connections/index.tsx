import { createFileRoute } from '@tanstack/react-router';
import { CONNECTION_STATUSES, connectionsQuery } from '../../../api/hooks/connections';
import { session } from '../../../api/session';
import { ConnectionsScreen } from '../../../features/connections/connections-screen';
import { LIST_PAGE_SIZE, compact, cursor, oneOf, text } from '../../../lib/search';

export const Route = createFileRoute('/_app/connections/')({
  validateSearch: (search: Record<string, unknown>) =>
    compact({
      status: oneOf(search.status, CONNECTION_STATUSES),
      connectorKey: text(search.connectorKey, 64),
      integrationId: text(search.integrationId, 128),
      endCustomerId: text(search.endCustomerId, 255),
      tag: text(search.tag, 100),
      cursor: cursor(search.cursor),
    }),
  loaderDeps: ({ search }) => search,
  loader: ({ context, deps }) => context.queryClient.prefetchQuery(connectionsQuery(session.environment(), { ...deps, limit: LIST_PAGE_SIZE })),
  component: ConnectionsScreen,
});
