/**
 * Counts per status for the home screen in as few requests as the data allows: one unfiltered
 * page of up to 250 first; only when there are more than that does each status get its own
 * request (up to 100 each, "100+" beyond). A small environment costs one request per list, and
 * the dashboard stays well inside the API's rate limits.
 */
import { useQuery, type UseQueryOptions } from '@tanstack/react-query';

export const OVERVIEW_PAGE = 250;
export const PER_STATUS_PAGE = 100;

interface Page<T> {
  data: T[];
  nextCursor?: string | null;
}

/** Any list query of the hooks (`connectionsQuery(env, filters)`…); its page type comes from `statusOf`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ListQuery = UseQueryOptions<any, Error, any, any>;

export interface StatusCount {
  count: number | undefined;
  more: boolean;
}

export function useStatusCounts<T, S extends string>(options: {
  statuses: readonly S[];
  statusOf: (item: T) => string;
  all: ListQuery;
  one: (status: S) => ListQuery;
}): { counts: Record<S, StatusCount>; error: unknown; overview: Page<T> | undefined } {
  const allQuery = useQuery(options.all);
  const all = { data: allQuery.data as Page<T> | undefined, error: allQuery.error };
  const overflow = Boolean(all.data?.nextCursor);
  const perStatus = options.statuses.map((status) => {
    const query = useQuery({ ...options.one(status), enabled: overflow });
    return { status, query: { data: query.data as Page<T> | undefined, error: query.error } };
  });
  const counts = {} as Record<S, StatusCount>;
  for (const { status, query } of perStatus) {
    if (!all.data) counts[status] = { count: undefined, more: false };
    else if (!overflow) counts[status] = { count: all.data.data.filter((item) => options.statusOf(item) === status).length, more: false };
    else counts[status] = { count: query.data?.data.length, more: Boolean(query.data?.nextCursor) };
  }
  const error = all.error ?? perStatus.find((p) => p.query.error)?.query.error;
  return { counts, error, overview: all.data };
}
