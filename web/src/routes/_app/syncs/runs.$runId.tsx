import { createFileRoute } from '@tanstack/react-router';
import { syncRunQuery } from '../../../api/hooks/sync-runs';
import { session } from '../../../api/session';
import { RunScreen } from '../../../features/syncs';

export const Route = createFileRoute('/_app/syncs/runs/$runId')({
  loader: ({ context, params }) => context.queryClient.prefetchQuery(syncRunQuery(session.environment(), params.runId)),
  component: RunScreen,
});
