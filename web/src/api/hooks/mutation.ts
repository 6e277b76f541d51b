/**
 * Every change the dashboard makes goes through `useHubMutation`, so that "it happened" is only
 * said once the screen shows it: the queries the change touched are refetched, and awaited,
 * before `mutate`'s own callbacks (the toast) run.
 *
 * Two things TanStack Query would not do on its own:
 * - its `onSuccess` awaits a returned promise, but a forgotten `void` (or a block body) silently
 *   stops that; here the invalidation is always awaited;
 * - its per-call callbacks (`mutate(vars, { onSuccess })`) are skipped once the calling component
 *   unmounts — which is exactly what a refreshed list does to the row whose button resolved a
 *   conflict or an alert. Here they run from `mutateAsync`'s promise, mounted or not.
 *
 * @example
 * const resolve = useHubMutation({
 *   mutationFn: (id: string) => unwrap(api.POST('/api/v1/conflicts/{id}/resolve', …)),
 *   invalidates: (env) => [[env, 'conflicts'], [env, 'records']],
 * });
 * resolve.mutate(id, { onSuccess: () => toast.success('Resolved') }); // the list is fresh by then
 */
import { useMutation, useQueryClient, type QueryClient, type QueryKey, type UseMutationResult } from '@tanstack/react-query';
import { useCallback } from 'react';
import { useEnvironment } from '../session';

export interface HubMutationOptions<TVars, TResult> {
  mutationFn: (vars: TVars) => Promise<TResult>;
  /**
   * The queries to refetch once the change is settled — after a refusal too, since a 409 or a
   * 404 usually means the state moved under the screen. Environment-scoped keys start with `env`.
   */
  invalidates?: (env: string, vars: TVars) => readonly QueryKey[];
  /** Writes what the answer already says into the cache (before the refetch), on success only. */
  update?: (result: TResult, vars: TVars, cache: { client: QueryClient; env: string }) => void;
  /** After a failure or success, before the refetch (signing out clears the session either way). */
  settle?: (cache: { client: QueryClient; env: string }) => void;
}

export interface MutateCallbacks<TVars, TResult> {
  onSuccess?: (result: TResult, vars: TVars) => void;
  onError?: (error: Error, vars: TVars) => void;
  onSettled?: () => void;
}

/** Kept per state (idle, pending…), so `isPending` still narrows `variables`. */
type WithoutMutate<T> = T extends unknown ? Omit<T, 'mutate'> : never;

export type HubMutation<TVars, TResult> = WithoutMutate<UseMutationResult<TResult, Error, TVars>> & {
  /** Like TanStack's `mutate`, but its callbacks run after the refetch, even if the caller has unmounted. */
  mutate: (vars: TVars, callbacks?: MutateCallbacks<TVars, TResult>) => void;
};

export function useHubMutation<TVars = void, TResult = unknown>({ mutationFn, invalidates, update, settle }: HubMutationOptions<TVars, TResult>): HubMutation<TVars, TResult> {
  const client = useQueryClient();
  const env = useEnvironment();
  const mutation = useMutation<TResult, Error, TVars>({
    mutationFn,
    onSuccess: (result, vars) => update?.(result, vars, { client, env }),
    // Returned, so TanStack awaits it before `mutateAsync` resolves or rejects.
    onSettled: async (_result, _error, vars) => {
      settle?.({ client, env });
      await Promise.all((invalidates?.(env, vars) ?? []).map((queryKey) => client.invalidateQueries({ queryKey })));
    },
  });
  const { mutateAsync } = mutation;
  const mutate = useCallback(
    (vars: TVars, callbacks: MutateCallbacks<TVars, TResult> = {}) => {
      void mutateAsync(vars)
        .then(
          (result) => callbacks.onSuccess?.(result, vars),
          // The error also stays on `mutation.error`, as with TanStack's `mutate`.
          (error: unknown) => callbacks.onError?.(error instanceof Error ? error : new Error(String(error), { cause: error }), vars),
        )
        .finally(() => callbacks.onSettled?.());
    },
    [mutateAsync],
  );
  return { ...mutation, mutate };
}
