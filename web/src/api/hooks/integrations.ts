/** Integrations: a connector configured in the current environment. */
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import { queryKeys } from '../keys';
import { useEnvironment } from '../session';
import { useHubMutation } from './mutation';
import type { paths } from '../schema';

export type IntegrationFilters = NonNullable<paths['/api/v1/integrations']['get']['parameters']['query']>;
export type NewIntegration = paths['/api/v1/integrations']['post']['requestBody']['content']['application/json'];

const fetchIntegrations = (filters: IntegrationFilters) => unwrap(api.GET('/api/v1/integrations', { params: { query: filters } }));
export type Integration = Awaited<ReturnType<typeof fetchIntegrations>>['data'][number];

export const integrationsQuery = (env: string, filters: IntegrationFilters) => queryOptions({ queryKey: queryKeys.integrations(env, filters), queryFn: () => fetchIntegrations(filters) });

export const useIntegrations = (filters: IntegrationFilters) => useQuery(integrationsQuery(useEnvironment(), filters));

export const useCreateIntegration = () => useHubMutation({ mutationFn: (body: NewIntegration) => unwrap(api.POST('/api/v1/integrations', { body })), invalidates: (env) => [[env, 'integrations']] });
