/**
 * Outbound webhooks beyond the lists: one endpoint and what changes it (create, edit, enable,
 * secret reveal and rotation, recover), event types, the request of an attempt, resending,
 * dead letters and their bulk retry.
 */
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import { queryKeys } from '../keys';
import { useEnvironment } from '../session';
import { useHubMutation } from './mutation';
import type { paths } from '../schema';

export type NewEndpoint = paths['/api/v1/endpoints']['post']['requestBody']['content']['application/json'];
export type EndpointPatch = paths['/api/v1/endpoints/{id}']['patch']['requestBody']['content']['application/json'];
export type EventTypeFilters = NonNullable<paths['/api/v1/event-types']['get']['parameters']['query']>;
export type DeadLetterFilters = NonNullable<paths['/api/v1/dead-letters']['get']['parameters']['query']>;
export type DeadLetterRetry = paths['/api/v1/dead-letters/retry']['post']['requestBody']['content']['application/json'];

const fetchEndpoint = (id: string) => unwrap(api.GET('/api/v1/endpoints/{id}', { params: { path: { id } } }));
const fetchEventTypes = (filters: EventTypeFilters) => unwrap(api.GET('/api/v1/event-types', { params: { query: filters } }));
const fetchMessage = (id: string) => unwrap(api.GET('/api/v1/messages/{id}', { params: { path: { id } } }));
const fetchDeadLetters = (filters: DeadLetterFilters) => unwrap(api.GET('/api/v1/dead-letters', { params: { query: filters } }));
const fetchAttemptRequest = (id: string, attemptId: string) => unwrap(api.GET('/api/v1/messages/{id}/attempts/{attemptId}/request', { params: { path: { id, attemptId } } }));
export type EventType = Awaited<ReturnType<typeof fetchEventTypes>>['data'][number];
export type MessageDetail = Awaited<ReturnType<typeof fetchMessage>>;
export type AttemptRequest = Awaited<ReturnType<typeof fetchAttemptRequest>>;

export const endpointQuery = (env: string, id: string) => queryOptions({ queryKey: queryKeys.endpoint(env, id), queryFn: () => fetchEndpoint(id) });
export const eventTypesQuery = (env: string, filters: EventTypeFilters) => queryOptions({ queryKey: queryKeys.eventTypes(env, filters), queryFn: () => fetchEventTypes(filters), staleTime: 120_000 });
export const deadLettersQuery = (env: string, filters: DeadLetterFilters) => queryOptions({ queryKey: queryKeys.deadLetters(env, filters), queryFn: () => fetchDeadLetters(filters) });

export const useEndpoint = (id: string) => useQuery(endpointQuery(useEnvironment(), id));
export const useEventTypes = (filters: EventTypeFilters) => useQuery(eventTypesQuery(useEnvironment(), filters));
export const useDeadLetters = (filters: DeadLetterFilters) => useQuery(deadLettersQuery(useEnvironment(), filters));
/** A message with its delivery state at each endpoint (for "Resend"). */
export const useMessage = (id: string, enabled: boolean) => useQuery({ queryKey: queryKeys.message(useEnvironment(), id), queryFn: () => fetchMessage(id), enabled });
export const useAttemptRequest = (messageId: string, attemptId: string, enabled: boolean) =>
  useQuery({ queryKey: queryKeys.attemptRequest(useEnvironment(), messageId, attemptId), queryFn: () => fetchAttemptRequest(messageId, attemptId), enabled, staleTime: Infinity });

/** Refreshes every endpoint query of the environment after a change. */
const useEndpointMutation = <TInput, TResult>(mutationFn: (input: TInput) => Promise<TResult>) => useHubMutation({ mutationFn, invalidates: (env) => [[env, 'endpoints']] });

export const useCreateEndpoint = () => useEndpointMutation((body: NewEndpoint) => unwrap(api.POST('/api/v1/endpoints', { body })));
export const useUpdateEndpoint = (id: string) => useEndpointMutation((body: EndpointPatch) => unwrap(api.PATCH('/api/v1/endpoints/{id}', { params: { path: { id } }, body })));
export const useDeleteEndpoint = (id: string) => useEndpointMutation(() => unwrap(api.DELETE('/api/v1/endpoints/{id}', { params: { path: { id } } })));
/** Reveals the signing secret (audited by the hub); never cached. */
export const useRevealSecret = (id: string) => useHubMutation({ mutationFn: () => unwrap(api.GET('/api/v1/endpoints/{id}/secret', { params: { path: { id } } })) });
export const useRotateSecret = (id: string) =>
  useEndpointMutation((gracePeriodHours: number) => unwrap(api.POST('/api/v1/endpoints/{id}/secret/rotate', { params: { path: { id } }, body: { gracePeriodHours } })));

export const useRecover = (id: string) =>
  useHubMutation({ mutationFn: (since: string) => unwrap(api.POST('/api/v1/endpoints/{id}/recover', { params: { path: { id } }, body: { since } })), invalidates: (env) => [[env, 'messages']] });

export const useResend = () =>
  useHubMutation({
    mutationFn: ({ messageId, endpointId }: { messageId: string; endpointId: string }) =>
      unwrap(api.POST('/api/v1/messages/{id}/endpoints/{endpointId}/resend', { params: { path: { id: messageId, endpointId } } })),
    invalidates: (env, { messageId }) => [[env, 'messages', 'one', messageId]],
  });

export const useRetryDeadLetters = () =>
  useHubMutation({
    mutationFn: (body: DeadLetterRetry) => unwrap(api.POST('/api/v1/dead-letters/retry', { body })),
    invalidates: (env) => [
      [env, 'dead-letters'],
      [env, 'messages'],
    ],
  });
