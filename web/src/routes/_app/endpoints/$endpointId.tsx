import { createFileRoute } from '@tanstack/react-router';
import { endpointQuery } from '../../../api/hooks/webhooks-out';
import { session } from '../../../api/session';
import { EndpointScreen } from '../../../features/webhooks/endpoint-screen';

export const Route = createFileRoute('/_app/endpoints/$endpointId')({
  loader: ({ context, params }) => context.queryClient.prefetchQuery(endpointQuery(session.environment(), params.endpointId)),
  component: EndpointScreen,
});
