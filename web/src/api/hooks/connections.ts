/** Connections: one end customer's linked account, its test, its syncs, disconnecting it. */
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import { queryKeys } from '../keys';
import { useEnvironment } from '../session';
import type { paths } from '../schema';

export type ConnectionFilters = NonNullable<paths['/api/v1/connections']['get']['parameters']['query']>;
export type ConnectionStatus = NonNullable<ConnectionFilters['status']>;
export const CONNECTION_STATUSES: ConnectionStatus[] = ['connected', 'syncing', 'error', 'disconnected'];

const fetchConnections = (filters: ConnectionFilters) => unwrap(api.GET('/api/v1/connections', { params: { query: filters } }));
const fetchConnection = (id: string) => unwrap(api.GET('/api/v1/connections/{id}', { params: { path: { id } } }));
const fetchSyncs = (id: string) => unwrap(api.GET('/api/v1/connections/{id}/syncs', { params: { path: { id } } }));
export type Connection = Awaited<ReturnType<typeof fetchConnection>>;
export type ConnectionSyncs = Awaited<ReturnType<typeof fetchSyncs>>;
export type CredentialsReplacement = paths['/api/v1/connections/{id}/credentials']['put']['requestBody']['content']['application/json'];

export const connectionsQuery = (env: string, filters: ConnectionFilters) =>
  queryOptions({ queryKey: queryKeys.connections(env, filters), queryFn: () => fetchConnections(filters) });
export const connectionQuery = (env: string, id: string) => queryOptions({ queryKey: queryKeys.connection(env, id), queryFn: () => fetchConnection(id) });
export const connectionSyncsQuery = (env: string, id: string) =>
  queryOptions({ queryKey: queryKeys.connectionSyncs(env, id), queryFn: () => fetchSyncs(id) });

export const useConnections = (filters: ConnectionFilters) => useQuery(connectionsQuery(useEnvironment(), filters));
export const useConnection = (id: string) => useQuery(connectionQuery(useEnvironment(), id));
export const useConnectionSyncs = (id: string) => useQuery(connectionSyncsQuery(useEnvironment(), id));

export function useTestConnection(id: string) {
  const client = useQueryClient();
  const env = useEnvironment();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/connections/{id}/test', { params: { path: { id } } })),
    onSuccess: (result) => {
      client.setQueryData(queryKeys.connection(env, id), result.connection);
      void client.invalidateQueries({ queryKey: [env, 'connections'] });
    },
  });
}

export function useDisconnect(id: string) {
  const client = useQueryClient();
  const env = useEnvironment();
  return useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/connections/{id}', { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: [env, 'connections'] }),
  });
}

/** Replaces an API-key or basic connection's credentials; the hub tests them before storing. */
export function useReplaceCredentials(id: string) {
  const client = useQueryClient();
  const env = useEnvironment();
  return useMutation({
    mutationFn: (body: CredentialsReplacement) => unwrap(api.PUT('/api/v1/connections/{id}/credentials', { params: { path: { id } }, body })),
    onSuccess: () => client.invalidateQueries({ queryKey: [env, 'connections'] }),
  });
}
