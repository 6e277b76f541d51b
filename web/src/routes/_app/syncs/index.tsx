import { createFileRoute } from '@tanstack/react-router';
import { SYNC_RUN_STATUSES, syncRunsQuery } from '../../../api/hooks/sync-runs';
import { session } from '../../../api/session';
import { RunsScreen } from '../../../features/syncs';
import { LIST_PAGE_SIZE, compact, cursor, oneOf, text } from '../../../lib/search';

export const Route = createFileRoute('/_app/syncs/')({
  validateSearch: (search: Record<string, unknown>) =>
    compact({ status: oneOf(search.status, SYNC_RUN_STATUSES), connectionId: text(search.connectionId, 128), model: text(search.model, 64), cursor: cursor(search.cursor) }),
  loaderDeps: ({ search }) => search,
  loader: ({ context, deps }) => context.queryClient.prefetchQuery(syncRunsQuery(session.environment(), { ...deps, limit: LIST_PAGE_SIZE })),
  component: RunsScreen,
});
