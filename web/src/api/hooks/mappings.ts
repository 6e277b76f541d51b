/** Field mappings of a model: list, one, create, change, delete, and a preview on sample records. */
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import { queryKeys } from '../keys';
import { useEnvironment } from '../session';
import { useHubMutation } from './mutation';
import type { paths } from '../schema';

export type MappingFilters = NonNullable<paths['/api/v1/mappings']['get']['parameters']['query']>;
export type NewMapping = paths['/api/v1/mappings']['post']['requestBody']['content']['application/json'];
export type MappingChange = paths['/api/v1/mappings/{id}']['put']['requestBody']['content']['application/json'];
export type FieldMapping = NewMapping['fields'][number];
export type ConflictStrategy = NonNullable<NewMapping['conflictStrategy']>;
export const CONFLICT_STRATEGIES: ConflictStrategy[] = ['last_modified', 'source_priority', 'manual_review'];
export const DIRECTIONS: FieldMapping['direction'][] = ['import', 'export', 'bidirectional'];

const fetchMappings = (filters: MappingFilters) => unwrap(api.GET('/api/v1/mappings', { params: { query: filters } }));
const fetchMapping = (id: string) => unwrap(api.GET('/api/v1/mappings/{id}', { params: { path: { id } } }));
const preview = (id: string, connectionId: string | undefined) =>
  unwrap(api.POST('/api/v1/mappings/{id}/preview', { params: { path: { id } }, body: { ...(connectionId ? { connectionId } : {}), limit: 3 } }));
export type Mapping = Awaited<ReturnType<typeof fetchMapping>>;
export type MappingPreview = Awaited<ReturnType<typeof preview>>;

export const mappingsQuery = (env: string, filters: MappingFilters) => queryOptions({ queryKey: queryKeys.mappings(env, filters), queryFn: () => fetchMappings(filters) });
export const mappingQuery = (env: string, id: string) => queryOptions({ queryKey: queryKeys.mapping(env, id), queryFn: () => fetchMapping(id) });

export const useMappings = (filters: MappingFilters) => useQuery(mappingsQuery(useEnvironment(), filters));
export const useMapping = (id: string) => useQuery(mappingQuery(useEnvironment(), id));

/** Applies the stored mapping to a few records read live from the provider; writes nothing. */
export const usePreviewMapping = () => useHubMutation({ mutationFn: ({ id, connectionId }: { id: string; connectionId?: string | undefined }) => preview(id, connectionId) });

export const useCreateMapping = () => useHubMutation({ mutationFn: (body: NewMapping) => unwrap(api.POST('/api/v1/mappings', { body })), invalidates: (env) => [[env, 'mappings']] });

export const useUpdateMapping = (id: string) =>
  useHubMutation({
    mutationFn: (body: MappingChange) => unwrap(api.PUT('/api/v1/mappings/{id}', { params: { path: { id } }, body })),
    update: (saved, _, { client, env }) => client.setQueryData(queryKeys.mapping(env, id), saved),
    invalidates: (env) => [[env, 'mappings']],
  });

export const useDeleteMapping = () =>
  useHubMutation({ mutationFn: (id: string) => unwrap(api.DELETE('/api/v1/mappings/{id}', { params: { path: { id } } })), invalidates: (env) => [[env, 'mappings']] });
