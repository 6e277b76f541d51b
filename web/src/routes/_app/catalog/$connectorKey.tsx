import { createFileRoute } from '@tanstack/react-router';
import { connectorQuery } from '../../../api/hooks/catalog';
import { ConnectorScreen } from '../../../features/catalog/connector-screen';

export const Route = createFileRoute('/_app/catalog/$connectorKey')({
  loader: ({ context, params }) => context.queryClient.prefetchQuery(connectorQuery(params.connectorKey)),
  component: ConnectorScreen,
});
