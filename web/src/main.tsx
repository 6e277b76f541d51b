/** The dashboard's entry: query cache, router, toasts, theme. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider, createRouter } from '@tanstack/react-router';
import { routeTree } from './routeTree.gen';
import { ToastProvider } from './components/ui/toast';
import { ApiProblem } from './api/client';
import { applyStoredTheme } from './lib/theme';
import './tokens.css';
import './styles/base.css';
import './styles/ui.css';
import './styles/shell.css';
import './styles/screens.css';

applyStoredTheme();

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      // A 4xx will not change by asking again, except a 429, which says when to ask.
      retry: (count, error) => (error instanceof ApiProblem && error.status === 429 ? count < 3 : !(error instanceof ApiProblem && error.status < 500) && count < 2),
      retryDelay: (count, error) => (error instanceof ApiProblem && error.retryAfter ? error.retryAfter * 1000 : Math.min(1000 * 2 ** count, 10_000)),
    },
  },
});

const router = createRouter({
  routeTree,
  context: { queryClient },
  defaultPreload: 'intent',
  defaultPreloadStaleTime: 0,
  scrollRestoration: true,
});

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <ToastProvider>
        <RouterProvider router={router} />
      </ToastProvider>
    </QueryClientProvider>
  </StrictMode>,
);
