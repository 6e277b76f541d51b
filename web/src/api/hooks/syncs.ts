/** Syncs of a connection: scheduling a model, running it now, following a run live. */
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import { queryKeys } from '../keys';
import { useEnvironment } from '../session';
import { useHubMutation } from './mutation';
import type { paths } from '../schema';

export type SyncSettings = paths['/api/v1/connections/{id}/syncs/{model}']['put']['requestBody']['content']['application/json'];

const fetchRun = (id: string) => unwrap(api.GET('/api/v1/sync-runs/{id}', { params: { path: { id } } }));
export type SyncRun = Awaited<ReturnType<typeof fetchRun>>;
const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);
export const isFinished = (run: SyncRun | undefined) => Boolean(run && FINISHED.has(run.status));

export const useConfigureSync = (connectionId: string) =>
  useHubMutation({
    mutationFn: ({ model, settings }: { model: string; settings: SyncSettings }) =>
      unwrap(api.PUT('/api/v1/connections/{id}/syncs/{model}', { params: { path: { id: connectionId, model } }, body: settings })),
    invalidates: (env) => [queryKeys.connectionSyncs(env, connectionId)],
  });

/** The run it starts is followed by `useSyncRun`, which polls it; nothing listed needs refreshing first. */
export const useTriggerSync = () => useHubMutation({ mutationFn: (syncId: string) => unwrap(api.POST('/api/v1/syncs/{id}/trigger', { params: { path: { id: syncId } }, body: {} })) });

/** One run, polled every second until it finishes. */
export function useSyncRun(runId: string | undefined) {
  const env = useEnvironment();
  return useQuery({
    queryKey: [env, 'sync-runs', runId],
    queryFn: () => fetchRun(runId!),
    enabled: Boolean(runId),
    refetchInterval: (query) => (isFinished(query.state.data) ? false : 1_000),
  });
}
