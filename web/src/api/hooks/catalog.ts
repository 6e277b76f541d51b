/** The connector catalog (the same in every environment). */
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import { queryKeys } from '../keys';
import type { paths } from '../schema';

/** The catalog's filter values (the API's enums). */
export const CATEGORIES = ['analytics', 'identity', 'commerce', 'ops', 'crm', 'communication', 'support', 'dev', 'data'] as const;
export const CAPABILITIES = ['proxy', 'records', 'metrics', 'webhooks', 'identity', 'actions'] as const;
export const MODES = ['oauth', 'apiKey', 'basic', 'managedVault'] as const;
export const MODE_LABELS: Record<string, string> = { oauth: 'OAuth', apiKey: 'API key', basic: 'Username and password', managedVault: 'Secret store' };

export type ConnectorFilters = NonNullable<paths['/api/v1/connectors']['get']['parameters']['query']>;

const fetchConnectors = (filters: ConnectorFilters) => unwrap(api.GET('/api/v1/connectors', { params: { query: filters } }));
const fetchConnector = (key: string) => unwrap(api.GET('/api/v1/connectors/{key}', { params: { path: { key } } }));
export type Connector = Awaited<ReturnType<typeof fetchConnector>>;

export const connectorsQuery = (filters: ConnectorFilters) =>
  queryOptions({ queryKey: queryKeys.connectors(filters), queryFn: () => fetchConnectors(filters), staleTime: 300_000 });
export const connectorQuery = (key: string) => queryOptions({ queryKey: queryKeys.connector(key), queryFn: () => fetchConnector(key), staleTime: 300_000 });

export const useConnectors = (filters: ConnectorFilters) => useQuery(connectorsQuery(filters));
export const useConnector = (key: string) => useQuery(connectorQuery(key));
