/** Outbound webhooks: endpoints, their delivery statistics, the message log. */
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import { queryKeys } from '../keys';
import { useEnvironment } from '../session';
import { useHubMutation } from './mutation';
import type { paths } from '../schema';

export type EndpointFilters = NonNullable<paths['/api/v1/endpoints']['get']['parameters']['query']>;
export type MessageFilters = NonNullable<paths['/api/v1/messages']['get']['parameters']['query']>;

const fetchEndpoints = (filters: EndpointFilters) => unwrap(api.GET('/api/v1/endpoints', { params: { query: filters } }));
const fetchStats = (id: string, since: string) => unwrap(api.GET('/api/v1/endpoints/{id}/stats', { params: { path: { id }, query: { since } } }));
const fetchMessages = (filters: MessageFilters) => unwrap(api.GET('/api/v1/messages', { params: { query: filters } }));
const fetchAttempts = (id: string) => unwrap(api.GET('/api/v1/messages/{id}/attempts', { params: { path: { id }, query: { limit: 50 } } }));
export type Attempt = Awaited<ReturnType<typeof fetchAttempts>>['data'][number];
export type Endpoint = Awaited<ReturnType<typeof fetchEndpoints>>['data'][number];
export type EndpointStats = Awaited<ReturnType<typeof fetchStats>>;
export type Message = Awaited<ReturnType<typeof fetchMessages>>['data'][number];

export const endpointsQuery = (env: string, filters: EndpointFilters) => queryOptions({ queryKey: queryKeys.endpoints(env, filters), queryFn: () => fetchEndpoints(filters) });
export const endpointStatsQuery = (env: string, id: string, since: string) => queryOptions({ queryKey: queryKeys.endpointStats(env, id, since), queryFn: () => fetchStats(id, since) });
export const messagesQuery = (env: string, filters: MessageFilters) => queryOptions({ queryKey: queryKeys.messages(env, filters), queryFn: () => fetchMessages(filters) });

/** A message's delivery attempts, fetched once the message is opened; polled until one is there. */
export const useMessageAttempts = (id: string, enabled: boolean) =>
  useQuery({
    queryKey: queryKeys.messageAttempts(useEnvironment(), id),
    queryFn: () => fetchAttempts(id),
    enabled,
    refetchInterval: (query) => (query.state.data?.data.length ? false : 1_000),
  });
export const useEndpoints = (filters: EndpointFilters) => useQuery(endpointsQuery(useEnvironment(), filters));
export const useEndpointStats = (id: string, since: string) => useQuery(endpointStatsQuery(useEnvironment(), id, since));
export const useMessages = (filters: MessageFilters) => useQuery(messagesQuery(useEnvironment(), filters));

export const useSendTestEvent = (id: string) =>
  useHubMutation({ mutationFn: () => unwrap(api.POST('/api/v1/endpoints/{id}/test', { params: { path: { id } }, body: {} })), invalidates: (env) => [[env, 'messages']] });
