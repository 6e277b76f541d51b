/** Members of the organization and their roles; environments added and changed. */
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import { queryKeys } from '../keys';
import { useHubMutation } from './mutation';
import type { paths } from '../schema';

export type MemberFilters = NonNullable<paths['/api/v1/members']['get']['parameters']['query']>;
export type NewMember = paths['/api/v1/members']['post']['requestBody']['content']['application/json'];
export type Role = NewMember['role'];
/** From the least to the most powerful. */
export const ROLES: Role[] = ['viewer', 'developer', 'admin', 'owner'];
export type NewEnvironment = paths['/api/v1/environments']['post']['requestBody']['content']['application/json'];
export type EnvironmentChange = paths['/api/v1/environments/{id}']['patch']['requestBody']['content']['application/json'];

const fetchMembers = (filters: MemberFilters) => unwrap(api.GET('/api/v1/members', { params: { query: filters } }));
export type Member = Awaited<ReturnType<typeof fetchMembers>>['data'][number];

export const membersQuery = (filters: MemberFilters) => queryOptions({ queryKey: queryKeys.members(filters), queryFn: () => fetchMembers(filters) });
export const useMembers = (filters: MemberFilters) => useQuery(membersQuery(filters));

/** Organization-level: its keys do not start with the environment. */
const useOrganizationMutation = <A, T>(call: (args: A) => Promise<T>, key: readonly unknown[]) => useHubMutation({ mutationFn: call, invalidates: () => [key] });

/** Adds a member; a new user comes back with a one-time password to hand over. */
export const useAddMember = () => useOrganizationMutation((body: NewMember) => unwrap(api.POST('/api/v1/members', { body })), ['members']);
export const useChangeRole = () =>
  useOrganizationMutation(({ userId, role }: { userId: string; role: Role }) => unwrap(api.PATCH('/api/v1/members/{userId}', { params: { path: { userId } }, body: { role } })), ['members']);
export const useRemoveMember = () => useOrganizationMutation((userId: string) => unwrap(api.DELETE('/api/v1/members/{userId}', { params: { path: { userId } } })), ['members']);

export const useCreateEnvironment = () => useOrganizationMutation((body: NewEnvironment) => unwrap(api.POST('/api/v1/environments', { body })), queryKeys.environments());
export const useUpdateEnvironment = () =>
  useOrganizationMutation(
    ({ id, change }: { id: string; change: EnvironmentChange }) => unwrap(api.PATCH('/api/v1/environments/{id}', { params: { path: { id } }, body: change })),
    queryKeys.environments(),
  );
