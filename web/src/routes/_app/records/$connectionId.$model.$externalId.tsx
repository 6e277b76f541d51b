import { createFileRoute } from '@tanstack/react-router';
import { recordQuery } from '../../../api/hooks/records';
import { session } from '../../../api/session';
import { RecordScreen } from '../../../features/records';

export const Route = createFileRoute('/_app/records/$connectionId/$model/$externalId')({
  loader: ({ context, params }) => context.queryClient.prefetchQuery(recordQuery(session.environment(), params)),
  component: RecordScreen,
});
