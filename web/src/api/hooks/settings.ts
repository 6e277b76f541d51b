/** Organization-level lists: the audit log and API keys. */
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import { queryKeys } from '../keys';
import { useEnvironment } from '../session';
import { useHubMutation } from './mutation';
import type { paths } from '../schema';

export type AuditFilters = NonNullable<paths['/api/v1/audit-log']['get']['parameters']['query']>;
export type ApiKeyFilters = NonNullable<paths['/api/v1/api-keys']['get']['parameters']['query']>;
export type NewApiKey = paths['/api/v1/api-keys']['post']['requestBody']['content']['application/json'];

const fetchAudit = (filters: AuditFilters) => unwrap(api.GET('/api/v1/audit-log', { params: { query: filters } }));
const fetchKeys = (filters: ApiKeyFilters) => unwrap(api.GET('/api/v1/api-keys', { params: { query: filters } }));

export const auditLogQuery = (filters: AuditFilters) => queryOptions({ queryKey: queryKeys.auditLog(filters), queryFn: () => fetchAudit(filters) });
export const apiKeysQuery = (env: string, filters: ApiKeyFilters) => queryOptions({ queryKey: queryKeys.apiKeys(env, filters), queryFn: () => fetchKeys(filters) });

export const useAuditLog = (filters: AuditFilters) => useQuery(auditLogQuery(filters));
export const useApiKeys = (filters: ApiKeyFilters) => useQuery(apiKeysQuery(useEnvironment(), filters));

export const useCreateApiKey = () => useHubMutation({ mutationFn: (body: NewApiKey) => unwrap(api.POST('/api/v1/api-keys', { body })), invalidates: (env) => [[env, 'api-keys']] });

export const useRevokeApiKey = () =>
  useHubMutation({ mutationFn: (id: string) => unwrap(api.DELETE('/api/v1/api-keys/{id}', { params: { path: { id } } })), invalidates: (env) => [[env, 'api-keys']] });
