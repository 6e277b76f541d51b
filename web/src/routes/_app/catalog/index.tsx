import { createFileRoute } from '@tanstack/react-router';
import { CAPABILITIES, CATEGORIES, MODES, connectorsQuery } from '../../../api/hooks/catalog';
import { CatalogScreen } from '../../../features/catalog/catalog-screen';
import { compact, oneOf, text } from '../../../lib/search';

export const Route = createFileRoute('/_app/catalog/')({
  validateSearch: (search: Record<string, unknown>) =>
    compact({
      q: text(search.q, 100),
      category: oneOf(search.category, CATEGORIES),
      capability: oneOf(search.capability, CAPABILITIES),
      connectionMode: oneOf(search.connectionMode, MODES),
    }),
  loaderDeps: ({ search }) => search,
  loader: ({ context, deps }) => context.queryClient.prefetchQuery(connectorsQuery(deps)),
  component: CatalogScreen,
});
