/** A connection's metrics rolled up by day, for the figures its widgets show. */
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import { queryKeys } from '../keys';
import { useEnvironment } from '../session';

const fetchDaily = (id: string, from: string) => unwrap(api.GET('/api/v1/connections/{id}/metrics', { params: { path: { id }, query: { rollup: 'day', from } } }));
export type ConnectionMetrics = Awaited<ReturnType<typeof fetchDaily>>;

/** The last `days` days (from midnight UTC, so the key stays the same all day). */
export function useDailyMetrics(connectionId: string, days: number, enabled: boolean) {
  const env = useEnvironment();
  const since = new Date(Date.now() - days * 86_400_000);
  since.setUTCHours(0, 0, 0, 0);
  const from = since.toISOString();
  return useQuery({ queryKey: queryKeys.connectionMetricTotals(env, connectionId, from), queryFn: () => fetchDaily(connectionId, from), enabled });
}
