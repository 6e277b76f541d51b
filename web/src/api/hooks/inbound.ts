/** Inbound webhooks: the events received from providers. */
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import { queryKeys } from '../keys';
import { useEnvironment } from '../session';
import type { paths } from '../schema';

export type InboundEventFilters = NonNullable<paths['/api/v1/inbound-events']['get']['parameters']['query']>;
export type InboundEventStatus = NonNullable<InboundEventFilters['status']>;
export const INBOUND_STATUSES: readonly InboundEventStatus[] = ['received', 'processing', 'processed', 'failed', 'rejected', 'duplicate'];

const fetchInboundEvents = (filters: InboundEventFilters) => unwrap(api.GET('/api/v1/inbound-events', { params: { query: filters } }));
export type InboundEvent = Awaited<ReturnType<typeof fetchInboundEvents>>['data'][number];

export const inboundEventsQuery = (env: string, filters: InboundEventFilters) =>
  queryOptions({ queryKey: queryKeys.inboundEvents(env, filters), queryFn: () => fetchInboundEvents(filters) });
export const useInboundEvents = (filters: InboundEventFilters) => useQuery(inboundEventsQuery(useEnvironment(), filters));
