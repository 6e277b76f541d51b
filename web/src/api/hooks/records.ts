/** Records of a connection: the change feed, page by page, and one record with its versions. */
import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import { queryKeys } from '../keys';
import { useEnvironment } from '../session';
import type { paths } from '../schema';

export type RecordFilters = NonNullable<paths['/api/v1/records']['get']['parameters']['query']>;
export interface RecordKey {
  connectionId: string;
  model: string;
  externalId: string;
}

const fetchRecords = (filters: RecordFilters) => unwrap(api.GET('/api/v1/records', { params: { query: filters } }));
const fetchRecord = (key: RecordKey) => unwrap(api.GET('/api/v1/records/{connectionId}/{model}/{externalId}', { params: { path: key } }));
export type RecordChange = Awaited<ReturnType<typeof fetchRecords>>['data'][number];
export type SyncedRecord = Awaited<ReturnType<typeof fetchRecord>>;

export const recordsQuery = (env: string, filters: RecordFilters) =>
  queryOptions({ queryKey: queryKeys.records(env, filters), queryFn: () => fetchRecords(filters), placeholderData: keepPreviousData });
export const recordQuery = (env: string, key: RecordKey) =>
  queryOptions({ queryKey: queryKeys.record(env, key.connectionId, key.model, key.externalId), queryFn: () => fetchRecord(key) });

export const useRecords = (filters: RecordFilters | undefined) => {
  const env = useEnvironment();
  return useQuery({ ...recordsQuery(env, filters ?? { connectionId: '' }), enabled: Boolean(filters?.connectionId) });
};
export const useRecord = (key: RecordKey) => useQuery(recordQuery(useEnvironment(), key));
