import { createFileRoute } from '@tanstack/react-router';
import { eventTypesQuery } from '../../api/hooks/webhooks-out';
import { session } from '../../api/session';
import { EventTypesScreen } from '../../features/webhooks/event-types-screen';
import { compact, cursor } from '../../lib/search';

export const Route = createFileRoute('/_app/event-types')({
  validateSearch: (search: Record<string, unknown>) => compact({ cursor: cursor(search.cursor) }),
  loaderDeps: ({ search }) => search,
  loader: ({ context, deps }) => context.queryClient.prefetchQuery(eventTypesQuery(session.environment(), { ...deps, limit: 100 })),
  component: EventTypesScreen,
});
