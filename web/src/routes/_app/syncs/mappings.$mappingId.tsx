import { createFileRoute } from '@tanstack/react-router';
import { mappingQuery } from '../../../api/hooks/mappings';
import { session } from '../../../api/session';
import { MappingScreen } from '../../../features/syncs';

export const Route = createFileRoute('/_app/syncs/mappings/$mappingId')({
  loader: ({ context, params }) => context.queryClient.prefetchQuery(mappingQuery(session.environment(), params.mappingId)),
  component: MappingScreen,
});
