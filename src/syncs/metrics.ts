/**
 * Metrics: a connector's numbers (MRR, incidents opened…) kept as time series per connection.
 * Collection is a sync of kind `metrics` (model `$metrics`): each run asks the connector for
 * every metric from where the last run ended (the first run: `historicalDays` back, 30 days by
 * default) to now, starting a day early so a day still in progress is completed. Points are
 * upserted by (connection, metric, time, dimensions).
 */
import { eq, sql } from 'drizzle-orm';
import type { Clock } from '../core/index.ts';
import { rows, type Db } from '../db/index.ts';
import type { ConnectorContext, MetricDefinition, MetricPoint } from '../connectors/index.ts';
import type { ResolvedConnection, Scope } from './connections.ts';
import { syncRuns, syncs } from './schema.ts';
import type { Sync, SyncRun } from './syncs.ts';

const DAY = 86_400_000;
const DEFAULT_BACKFILL_DAYS = 30;
const BATCH = 1_000;

export class MetricPointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetricPointError';
  }
}

const dimensionsKey = (dimensions: Readonly<Record<string, string>> | undefined): string =>
  Object.entries(dimensions ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');

/** One collection run. Returns how many points were written. */
export async function collectMetrics(db: Db, clock: Clock, run: SyncRun, sync: Sync, connection: ResolvedConnection, ctx: ConnectorContext): Promise<number> {
  const { connector } = connection;
  if (!connector.fetchMetrics || connector.metrics.length === 0) throw new MetricPointError(`${connector.manifest.name} reports no metrics`);
  const now = clock.now();
  const last = (sync.checkpoint as { until?: string } | null)?.until;
  const days = sync.historicalDays ?? DEFAULT_BACKFILL_DAYS;
  const start = last ? Math.floor(Date.parse(last) / DAY) * DAY - DAY : Math.floor((now.getTime() - days * DAY) / DAY) * DAY;
  const ids = new Set(connector.metrics.map((m) => m.id));
  const points = await connector.fetchMetrics(ctx, { metricIds: [...ids], startDate: new Date(start), endDate: now });
  for (const point of points) {
    if (!ids.has(point.metricId)) throw new MetricPointError(`${connector.manifest.name} reported an undeclared metric "${point.metricId}"`);
    if (!Number.isFinite(point.value) || Number.isNaN(Date.parse(point.time))) throw new MetricPointError(`a ${point.metricId} point has no valid time or value`);
  }
  await db.transaction(async (tx) => {
    for (let i = 0; i < points.length; i += BATCH) await upsertPoints(tx, { organizationId: run.organizationId, environmentId: run.environmentId }, run, points.slice(i, i + BATCH));
    await tx.update(syncRuns).set({ added: points.length, pages: 1 }).where(eq(syncRuns.id, run.id));
    await tx.update(syncs).set({ checkpoint: { until: now.toISOString() }, updatedAt: now }).where(eq(syncs.id, sync.id));
  });
  return points.length;
}

async function upsertPoints(tx: Db, scope: Scope, run: SyncRun, points: readonly MetricPoint[]): Promise<void> {
  const batch = points.map((p) => ({ metric_id: p.metricId, time: p.time, value: p.value, dimensions: p.dimensions ?? {}, dimensions_key: dimensionsKey(p.dimensions) }));
  await tx.execute(sql`insert into metric_points (organization_id, environment_id, connection_id, metric_id, time, dimensions_key, dimensions, value, run_id)
    select ${scope.organizationId}::text, ${scope.environmentId}::text, ${run.connectionId}::text, p.metric_id, p.time, p.dimensions_key, p.dimensions, p.value, ${run.id}::text
    from jsonb_to_recordset(${JSON.stringify(batch)}::jsonb) as p(metric_id text, time timestamptz, value double precision, dimensions jsonb, dimensions_key text)
    on conflict (environment_id, connection_id, metric_id, time, dimensions_key) do update set value = excluded.value, run_id = excluded.run_id`);
}

export type Rollup = 'day' | 'week' | 'month';

export interface SeriesPoint {
  metricId: string;
  time: Date;
  value: number;
  dimensions: Record<string, string>;
}

const AGGREGATE: Record<MetricDefinition['aggregation'], string> = {
  sum: 'sum(value)',
  avg: 'avg(value)',
  min: 'min(value)',
  max: 'max(value)',
  last: '(array_agg(value order by time desc))[1]',
};

/**
 * A connection's points in `[from, to)`, optionally rolled up by day, week (ISO, from Monday) or
 * month (UTC) with each metric's own aggregation.
 */
export async function readSeries(
  db: Db,
  scope: Scope,
  query: { connectionId: string; metrics: readonly MetricDefinition[]; from: Date; to: Date; rollup?: Rollup | undefined; limit: number },
): Promise<SeriesPoint[]> {
  const out: SeriesPoint[] = [];
  for (const metric of query.metrics) {
    const bucket = query.rollup ? sql.raw(`date_trunc('${query.rollup}', time at time zone 'UTC') at time zone 'UTC'`) : sql.raw('time');
    const value = query.rollup ? sql.raw(AGGREGATE[metric.aggregation]) : sql.raw('value');
    const found = await rows<{ bucket: Date | string; value: number | string; dimensions: Record<string, string> }>(
      db,
      sql`select ${bucket} as bucket, ${value} as value, ${query.rollup ? sql`(array_agg(dimensions))[1]` : sql`dimensions`} as dimensions
        from metric_points
        where organization_id = ${scope.organizationId} and environment_id = ${scope.environmentId} and connection_id = ${query.connectionId}
          and metric_id = ${metric.id} and time >= ${query.from.toISOString()}::timestamptz and time < ${query.to.toISOString()}::timestamptz
        ${query.rollup ? sql`group by 1, dimensions_key` : sql``}
        order by 1 limit ${query.limit}`,
    );
    for (const row of found) out.push({ metricId: metric.id, time: new Date(row.bucket), value: Number(row.value), dimensions: row.dimensions });
  }
  return out;
}
