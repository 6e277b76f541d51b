import { createFileRoute } from '@tanstack/react-router';
import { connectionQuery } from '../../../api/hooks/connections';
import { session } from '../../../api/session';
import { ConnectionScreen } from '../../../features/connections/connection-screen';

export const Route = createFileRoute('/_app/connections/$connectionId')({
  loader: ({ context, params }) => context.queryClient.prefetchQuery(connectionQuery(session.environment(), params.connectionId)),
  component: ConnectionScreen,
});
