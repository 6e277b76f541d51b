/** Conflicts held for review (a field both sides changed) and a person's decision on each. */
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import { queryKeys } from '../keys';
import { useEnvironment } from '../session';
import { useHubMutation } from './mutation';
import type { paths } from '../schema';

export type ConflictFilters = NonNullable<paths['/api/v1/conflicts']['get']['parameters']['query']>;
export type ConflictStatus = NonNullable<ConflictFilters['status']>;
export const CONFLICT_STATUSES: ConflictStatus[] = ['pending', 'accepted', 'rejected'];
export type Resolution = paths['/api/v1/conflicts/{id}/resolve']['post']['requestBody']['content']['application/json']['resolution'];

const fetchConflicts = (filters: ConflictFilters) => unwrap(api.GET('/api/v1/conflicts', { params: { query: filters } }));
export type Conflict = Awaited<ReturnType<typeof fetchConflicts>>['data'][number];

export const conflictsQuery = (env: string, filters: ConflictFilters) => queryOptions({ queryKey: queryKeys.conflicts(env, filters), queryFn: () => fetchConflicts(filters) });
export const useConflicts = (filters: ConflictFilters) => useQuery(conflictsQuery(useEnvironment(), filters));

export const useResolveConflict = () =>
  useHubMutation({
    mutationFn: ({ id, resolution }: { id: string; resolution: Resolution }) => unwrap(api.POST('/api/v1/conflicts/{id}/resolve', { params: { path: { id } }, body: { resolution } })),
    invalidates: (env) => [
      [env, 'conflicts'],
      [env, 'records'],
    ],
  });
