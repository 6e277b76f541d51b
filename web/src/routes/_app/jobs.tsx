import { createFileRoute } from '@tanstack/react-router';
import { jobsQuery } from '../../api/hooks/jobs';
import { session } from '../../api/session';
import { JobsScreen } from '../../features/operations/jobs-screen';
import { LIST_PAGE_SIZE, compact, cursor, oneOf, text } from '../../lib/search';

export const Route = createFileRoute('/_app/jobs')({
  validateSearch: (search: Record<string, unknown>) => compact({ state: oneOf(search.state, ['pending', 'running', 'failed'] as const), type: text(search.type, 100), cursor: cursor(search.cursor) }),
  loaderDeps: ({ search }) => search,
  loader: ({ context, deps }) => context.queryClient.prefetchQuery(jobsQuery(session.environment(), { ...deps, limit: LIST_PAGE_SIZE })),
  component: JobsScreen,
});
