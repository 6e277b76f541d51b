/**
 * Every signed-in screen: checks the session (a 401 sends the browser to sign in, back here
 * afterwards), makes sure the chosen environment exists, and draws the shell around the screen.
 */
import { createFileRoute, redirect } from '@tanstack/react-router';
import { ApiProblem } from '../api/client';
import { meQuery } from '../api/hooks/auth';
import { environmentsQuery, organizationQuery } from '../api/hooks/organization';
import { session } from '../api/session';
import { Shell } from '../features/shell/shell';

export const Route = createFileRoute('/_app')({
  beforeLoad: async ({ context, location }) => {
    const toSignIn = () => redirect({ to: '/sign-in', search: location.href === '/' ? {} : { redirect: location.href } });
    if (!session.csrfToken()) throw toSignIn();
    try {
      await context.queryClient.ensureQueryData(meQuery());
      const environments = await context.queryClient.ensureQueryData(environmentsQuery());
      const names = environments.data.map((e) => e.name);
      if (!names.includes(session.environment()) && names[0]) session.setEnvironment(names.includes('dev') ? 'dev' : names[0]);
      void context.queryClient.prefetchQuery(organizationQuery());
    } catch (error) {
      if (error instanceof ApiProblem && error.status === 401) {
        session.setCsrfToken(null);
        throw toSignIn();
      }
      throw error;
    }
  },
  component: Shell,
});
