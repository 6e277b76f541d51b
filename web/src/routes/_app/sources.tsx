import { createFileRoute } from '@tanstack/react-router';
import { sourcesQuery } from '../../api/hooks/sources';
import { session } from '../../api/session';
import { SourcesScreen } from '../../features/webhooks/sources-screen';
import { LIST_PAGE_SIZE, compact, cursor } from '../../lib/search';

export const Route = createFileRoute('/_app/sources')({
  validateSearch: (search: Record<string, unknown>) => compact({ cursor: cursor(search.cursor) }),
  loaderDeps: ({ search }) => search,
  loader: ({ context, deps }) => context.queryClient.prefetchQuery(sourcesQuery(session.environment(), { ...deps, limit: LIST_PAGE_SIZE })),
  component: SourcesScreen,
});
