import { createFileRoute } from '@tanstack/react-router';
import { mappingsQuery } from '../../../api/hooks/mappings';
import { session } from '../../../api/session';
import { MappingsScreen } from '../../../features/syncs';
import { LIST_PAGE_SIZE, compact, cursor, text } from '../../../lib/search';

export const Route = createFileRoute('/_app/syncs/mappings/')({
  validateSearch: (search: Record<string, unknown>) => compact({ connectionId: text(search.connectionId, 128), model: text(search.model, 64), cursor: cursor(search.cursor) }),
  loaderDeps: ({ search }) => search,
  loader: ({ context, deps }) => context.queryClient.prefetchQuery(mappingsQuery(session.environment(), { ...deps, limit: LIST_PAGE_SIZE })),
  component: MappingsScreen,
});
