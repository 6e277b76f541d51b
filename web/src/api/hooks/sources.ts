/** Inbound webhooks: sources (where providers deliver), one event with its body, reprocessing. */
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import { queryKeys } from '../keys';
import { useEnvironment } from '../session';
import type { paths } from '../schema';

export type SourceFilters = NonNullable<paths['/api/v1/sources']['get']['parameters']['query']>;
export type SourcePatch = paths['/api/v1/sources/{id}']['patch']['requestBody']['content']['application/json'];
export type ReprocessFilter = paths['/api/v1/inbound-events/reprocess']['post']['requestBody']['content']['application/json'];

const fetchSources = (filters: SourceFilters) => unwrap(api.GET('/api/v1/sources', { params: { query: filters } }));
const fetchInboundEvent = (id: string) => unwrap(api.GET('/api/v1/inbound-events/{id}', { params: { path: { id } } }));
export type Source = Awaited<ReturnType<typeof fetchSources>>['data'][number];
export type InboundEventDetail = Awaited<ReturnType<typeof fetchInboundEvent>>;

export const sourcesQuery = (env: string, filters: SourceFilters) => queryOptions({ queryKey: queryKeys.sources(env, filters), queryFn: () => fetchSources(filters) });
export const useSources = (filters: SourceFilters) => useQuery(sourcesQuery(useEnvironment(), filters));
/** One inbound event with its body, fetched when opened. */
export const useInboundEvent = (id: string, enabled: boolean) => useQuery({ queryKey: queryKeys.inboundEvent(useEnvironment(), id), queryFn: () => fetchInboundEvent(id), enabled });

export function useUpdateSource(id: string) {
  const client = useQueryClient();
  const env = useEnvironment();
  return useMutation({
    mutationFn: (body: SourcePatch) => unwrap(api.PATCH('/api/v1/sources/{id}', { params: { path: { id } }, body })),
    onSuccess: () => client.invalidateQueries({ queryKey: [env, 'sources'] }),
  });
}

export function useReprocessEvent() {
  const client = useQueryClient();
  const env = useEnvironment();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.POST('/api/v1/inbound-events/{id}/reprocess', { params: { path: { id } } })),
    // Not awaited: a refreshed list may re-render the caller before its own toast.
    onSuccess: () => void client.invalidateQueries({ queryKey: [env, 'inbound-events'] }),
  });
}

export function useReprocessMatching() {
  const client = useQueryClient();
  const env = useEnvironment();
  return useMutation({
    mutationFn: (body: ReprocessFilter) => unwrap(api.POST('/api/v1/inbound-events/reprocess', { body })),
    // Not awaited: a refreshed list may re-render the caller before its own toast.
    onSuccess: () => void client.invalidateQueries({ queryKey: [env, 'inbound-events'] }),
  });
}
