import { createFileRoute } from '@tanstack/react-router';
import { INBOUND_STATUSES, inboundEventsQuery } from '../../api/hooks/inbound';
import { session } from '../../api/session';
import { InboundScreen } from '../../features/webhooks/inbound-screen';
import { LIST_PAGE_SIZE, compact, cursor, oneOf, text } from '../../lib/search';

export const Route = createFileRoute('/_app/inbound-events')({
  validateSearch: (search: Record<string, unknown>) =>
    compact({ status: oneOf(search.status, INBOUND_STATUSES), sourceId: text(search.sourceId, 128), eventType: text(search.eventType, 200), cursor: cursor(search.cursor) }),
  loaderDeps: ({ search }) => search,
  loader: ({ context, deps }) => context.queryClient.prefetchQuery(inboundEventsQuery(session.environment(), { ...deps, limit: LIST_PAGE_SIZE })),
  component: InboundScreen,
});
