/** Background jobs: pending, running and failed (dead) ones, and retrying a failed one. */
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import { queryKeys } from '../keys';
import { useEnvironment } from '../session';
import { useHubMutation } from './mutation';
import type { paths } from '../schema';

export type JobFilters = NonNullable<paths['/api/v1/jobs']['get']['parameters']['query']>;
export type JobState = NonNullable<JobFilters['state']>;

const fetchJobs = (filters: JobFilters) => unwrap(api.GET('/api/v1/jobs', { params: { query: filters } }));
export type Job = Awaited<ReturnType<typeof fetchJobs>>['data'][number];

export const jobsQuery = (env: string, filters: JobFilters) => queryOptions({ queryKey: queryKeys.jobs(env, filters), queryFn: () => fetchJobs(filters) });
export const useJobs = (filters: JobFilters) => useQuery(jobsQuery(useEnvironment(), filters));

export const useRetryJob = () => useHubMutation({ mutationFn: (id: string) => unwrap(api.POST('/api/v1/jobs/{id}/retry', { params: { path: { id } } })), invalidates: (env) => [[env, 'jobs']] });
