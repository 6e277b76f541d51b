import { createFileRoute } from '@tanstack/react-router';
import { integrationsQuery } from '../../../api/hooks/integrations';
import { session } from '../../../api/session';
import { IntegrationsScreen } from '../../../features/integrations/integrations-screen';
import { LIST_PAGE_SIZE, bool, compact, cursor, text } from '../../../lib/search';

export const Route = createFileRoute('/_app/integrations/')({
  validateSearch: (search: Record<string, unknown>) => compact({ connectorKey: text(search.connectorKey, 64), enabled: bool(search.enabled), cursor: cursor(search.cursor) }),
  loaderDeps: ({ search }) => search,
  loader: ({ context, deps }) => context.queryClient.prefetchQuery(integrationsQuery(session.environment(), { ...deps, limit: LIST_PAGE_SIZE })),
  component: IntegrationsScreen,
});
