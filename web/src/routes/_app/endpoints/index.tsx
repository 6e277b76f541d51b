import { createFileRoute } from '@tanstack/react-router';
import { endpointsQuery } from '../../../api/hooks/webhooks';
import { session } from '../../../api/session';
import { EndpointsScreen } from '../../../features/webhooks/endpoints-screen';
import { LIST_PAGE_SIZE, compact, cursor } from '../../../lib/search';

export const Route = createFileRoute('/_app/endpoints/')({
  validateSearch: (search: Record<string, unknown>) => compact({ cursor: cursor(search.cursor) }),
  loaderDeps: ({ search }) => search,
  loader: ({ context, deps }) => context.queryClient.prefetchQuery(endpointsQuery(session.environment(), { ...deps, limit: LIST_PAGE_SIZE })),
  component: EndpointsScreen,
});
