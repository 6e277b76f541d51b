/** Connections: one end customer's linked account, its test, its syncs, disconnecting it. */
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import { queryKeys } from '../keys';
import { useEnvironment } from '../session';
import { useHubMutation } from './mutation';
import type { paths } from '../schema';

export type ConnectionFilters = NonNullable<paths['/api/v1/connections']['get']['parameters']['query']>;
export type ConnectionStatus = NonNullable<ConnectionFilters['status']>;
export const CONNECTION_STATUSES: ConnectionStatus[] = ['connected', 'syncing', 'error', 'disconnected'];

const fetchConnections = (filters: ConnectionFilters) => unwrap(api.GET('/api/v1/connections', { params: { query: filters } }));
const fetchConnection = (id: string) => unwrap(api.GET('/api/v1/connections/{id}', { params: { path: { id } } }));
const fetchSyncs = (id: string) => unwrap(api.GET('/api/v1/connections/{id}/syncs', { params: { path: { id } } }));
export type Connection = Awaited<ReturnType<typeof fetchConnection>>;
export type ConnectionSyncs = Awaited<ReturnType<typeof fetchSyncs>>;
const fetchActions = (id: string) => unwrap(api.GET('/api/v1/connections/{id}/actions', { params: { path: { id } } }));
export type ConnectorAction = Awaited<ReturnType<typeof fetchActions>>['data'][number];
export type CredentialsReplacement = paths['/api/v1/connections/{id}/credentials']['put']['requestBody']['content']['application/json'];

export const connectionsQuery = (env: string, filters: ConnectionFilters) => queryOptions({ queryKey: queryKeys.connections(env, filters), queryFn: () => fetchConnections(filters) });
export const connectionQuery = (env: string, id: string) => queryOptions({ queryKey: queryKeys.connection(env, id), queryFn: () => fetchConnection(id) });
export const connectionSyncsQuery = (env: string, id: string) => queryOptions({ queryKey: queryKeys.connectionSyncs(env, id), queryFn: () => fetchSyncs(id) });

export const useConnections = (filters: ConnectionFilters) => useQuery(connectionsQuery(useEnvironment(), filters));
export const useConnection = (id: string) => useQuery(connectionQuery(useEnvironment(), id));
export const useConnectionSyncs = (id: string) => useQuery(connectionSyncsQuery(useEnvironment(), id));
/** What the connection's connector does on request (an email's send), with each input schema. */
export const useConnectionActions = (id: string) => useQuery({ queryKey: queryKeys.connectionActions(useEnvironment(), id), queryFn: () => fetchActions(id), staleTime: Infinity });

const connectionsScope = (env: string) => [[env, 'connections']];

export const useTestConnection = (id: string) =>
  useHubMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/connections/{id}/test', { params: { path: { id } } })),
    update: (result, _, { client, env }) => client.setQueryData(queryKeys.connection(env, id), result.connection),
    invalidates: connectionsScope,
  });

export const useDisconnect = (id: string) => useHubMutation({ mutationFn: () => unwrap(api.DELETE('/api/v1/connections/{id}', { params: { path: { id } } })), invalidates: connectionsScope });

/** Replaces an API-key or basic connection's credentials; the hub tests them before storing. */
export const useReplaceCredentials = (id: string) =>
  useHubMutation({
    mutationFn: (body: CredentialsReplacement) => unwrap(api.PUT('/api/v1/connections/{id}/credentials', { params: { path: { id } }, body })),
    invalidates: connectionsScope,
  });

/** Runs one of the connector's actions; the audit log is the only thing it changes here. */
export const useRunAction = (id: string) =>
  useHubMutation({
    mutationFn: ({ action, input }: { action: string; input: Record<string, unknown> }) =>
      unwrap(api.POST('/api/v1/connections/{id}/actions/{action}', { params: { path: { id, action } }, body: input })),
    invalidates: () => [['audit-log']],
  });

export type NewConnectSession = paths['/api/v1/connect/sessions']['post']['requestBody']['content']['application/json'];

/** A connect session for one end customer: its Connect UI link is in the answer, once. */
export const useCreateConnectSession = () => useHubMutation({ mutationFn: (body: NewConnectSession) => unwrap(api.POST('/api/v1/connect/sessions', { body })) });
