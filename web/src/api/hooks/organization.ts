/** The organization and its environments. */
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import { queryKeys } from '../keys';

export const organizationQuery = () =>
  queryOptions({ queryKey: queryKeys.organization(), queryFn: () => unwrap(api.GET('/api/v1/organizations/current')), staleTime: 300_000 });

export const environmentsQuery = () =>
  queryOptions({ queryKey: queryKeys.environments(), queryFn: () => unwrap(api.GET('/api/v1/environments')), staleTime: 300_000 });

export const useOrganization = () => useQuery(organizationQuery());
export const useEnvironments = () => useQuery(environmentsQuery());
