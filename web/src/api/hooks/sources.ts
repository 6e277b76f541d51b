/** Inbound webhooks: sources (where providers deliver), one event with its body, reprocessing. */
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import { queryKeys } from '../keys';
import { useEnvironment } from '../session';
import { useHubMutation } from './mutation';
import type { paths } from '../schema';

export type SourceFilters = NonNullable<paths['/api/v1/sources']['get']['parameters']['query']>;
export type NewSource = paths['/api/v1/sources']['post']['requestBody']['content']['application/json'];
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

export const useCreateSource = () => useHubMutation({ mutationFn: (body: NewSource) => unwrap(api.POST('/api/v1/sources', { body })), invalidates: (env) => [[env, 'sources']] });

export const useUpdateSource = (id: string) =>
  useHubMutation({ mutationFn: (body: SourcePatch) => unwrap(api.PATCH('/api/v1/sources/{id}', { params: { path: { id } }, body })), invalidates: (env) => [[env, 'sources']] });

const inboundScope = (env: string) => [[env, 'inbound-events']];

export const useReprocessEvent = () =>
  useHubMutation({ mutationFn: (id: string) => unwrap(api.POST('/api/v1/inbound-events/{id}/reprocess', { params: { path: { id } } })), invalidates: inboundScope });

export const useReprocessMatching = () => useHubMutation({ mutationFn: (body: ReprocessFilter) => unwrap(api.POST('/api/v1/inbound-events/reprocess', { body })), invalidates: inboundScope });
