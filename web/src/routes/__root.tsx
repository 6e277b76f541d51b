import { Outlet, createRootRouteWithContext, Link } from '@tanstack/react-router';
import type { QueryClient } from '@tanstack/react-query';
import { EmptyState } from '../components/page';

export interface RouterContext {
  queryClient: QueryClient;
}

export const Route = createRootRouteWithContext<RouterContext>()({
  component: Outlet,
  notFoundComponent: () => (
    <main className="standalone" id="main">
      <EmptyState title="There is no page here" action={<Link to="/">Go to the home screen</Link>}>
        The address may be mistyped, or the page has moved.
      </EmptyState>
    </main>
  ),
});
