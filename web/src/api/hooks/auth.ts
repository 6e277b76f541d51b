/** Who is signed in, signing in and out. */
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import { queryKeys } from '../keys';
import { session } from '../session';
import { useHubMutation } from './mutation';
import type { paths } from '../schema';

const fetchMe = () => unwrap(api.GET('/api/v1/auth/me'));
export type Me = Awaited<ReturnType<typeof fetchMe>>;

export const meQuery = () =>
  queryOptions({
    queryKey: queryKeys.me(),
    queryFn: fetchMe,
    staleTime: 60_000,
    retry: false,
  });

export const useMe = () => useQuery(meQuery());

/** Whether the signed-in member's role grants a scope (`connections:write`…). */
export function useCan(scope: string): boolean {
  const me = useMe();
  return me.data?.scopes.includes(scope) ?? false;
}

type Login = paths['/api/v1/auth/login']['post']['requestBody']['content']['application/json'];

/** A new session: nothing cached under the previous one is kept. */
export const useSignIn = () =>
  useHubMutation({
    mutationFn: (body: Login) => unwrap(api.POST('/api/v1/auth/login', { body })),
    update: (created, _, { client }) => {
      session.setCsrfToken(created.csrfToken);
      client.clear();
    },
  });

/** Signed out here even when the hub's answer fails (the cookie may be gone already). */
export const useSignOut = () =>
  useHubMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/auth/logout')),
    settle: ({ client }) => {
      session.setCsrfToken(null);
      client.clear();
    },
  });
