import { createFileRoute } from '@tanstack/react-router';
import { alertRulesQuery, channelsQuery } from '../../../api/hooks/alerts';
import { session } from '../../../api/session';
import { RulesScreen } from '../../../features/alerts/rules-screen';

export const Route = createFileRoute('/_app/alerts/rules')({
  loader: ({ context }) =>
    Promise.all([context.queryClient.prefetchQuery(alertRulesQuery(session.environment())), context.queryClient.prefetchQuery(channelsQuery(session.environment(), { limit: 100 }))]),
  component: RulesScreen,
});
