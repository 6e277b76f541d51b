/**
 * Runs across the environment (the Syncs screen) and what can be done to one: follow it live,
 * cancel it, roll it back, run its sync again.
 */
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import { queryKeys } from '../keys';
import { useEnvironment } from '../session';
import { useHubMutation } from './mutation';
import type { paths } from '../schema';
import { isFinished, type SyncRun } from './syncs';

export type SyncRunFilters = NonNullable<paths['/api/v1/sync-runs']['get']['parameters']['query']>;
export type SyncRunStatus = NonNullable<SyncRunFilters['status']>;
export const SYNC_RUN_STATUSES: SyncRunStatus[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];

const fetchRuns = (filters: SyncRunFilters) => unwrap(api.GET('/api/v1/sync-runs', { params: { query: filters } }));
const fetchRun = (id: string) => unwrap(api.GET('/api/v1/sync-runs/{id}', { params: { path: { id } } }));

/** While a listed run is queued or running, the list asks again every few seconds. */
export const syncRunsQuery = (env: string, filters: SyncRunFilters) =>
  queryOptions({
    queryKey: queryKeys.syncRuns(env, filters),
    queryFn: () => fetchRuns(filters),
    refetchInterval: (query) => (query.state.data?.data.some((run) => !isFinished(run)) ? 2_000 : false),
  });
/** One run, polled every second until it finishes (the same cache entry `useSyncRun` fills). */
export const syncRunQuery = (env: string, id: string) =>
  queryOptions({ queryKey: queryKeys.syncRun(env, id), queryFn: () => fetchRun(id), refetchInterval: (query) => (isFinished(query.state.data) ? false : 1_000) });

export const useSyncRuns = (filters: SyncRunFilters) => useQuery(syncRunsQuery(useEnvironment(), filters));
export const useRun = (id: string) => useQuery(syncRunQuery(useEnvironment(), id));

function useRunMutation<T>(call: (runId: string) => Promise<T>, ran: (result: T) => SyncRun) {
  return useHubMutation({
    mutationFn: call,
    update: (result, _, { client, env }) => {
      const run = ran(result);
      client.setQueryData(queryKeys.syncRun(env, run.id), run);
    },
    invalidates: (env) => [
      [env, 'sync-runs'],
      [env, 'connections'],
    ],
  });
}

export const useCancelRun = () =>
  useRunMutation(
    (id) => unwrap(api.POST('/api/v1/sync-runs/{id}/cancel', { params: { path: { id } } })),
    (run) => run,
  );

/** The rollback is a run of its own; the reverted run's cache entry is refreshed too. */
export const useRollbackRun = () =>
  useHubMutation({
    mutationFn: (id: string) => unwrap(api.POST('/api/v1/sync-runs/{id}/rollback', { params: { path: { id } } })),
    update: ({ reverted, rollback }, _, { client, env }) => {
      client.setQueryData(queryKeys.syncRun(env, reverted.id), reverted);
      client.setQueryData(queryKeys.syncRun(env, rollback.id), rollback);
    },
    invalidates: (env) => [
      [env, 'sync-runs'],
      [env, 'records'],
    ],
  });

/** Runs a run's sync again; while one is queued or running the API returns that run instead. */
export const useRunAgain = () =>
  useRunMutation(
    (syncId: string) => unwrap(api.POST('/api/v1/syncs/{id}/trigger', { params: { path: { id: syncId } }, body: {} })),
    (result) => result.run,
  );
