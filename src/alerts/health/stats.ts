/**
 * Health over the last hour, day and 30 days, for one connection or a whole integration:
 * response time percentiles (of checks that got an answer), error rate, availability, and
 * whether that is "healthy" by the integration's thresholds. A rate-limited check counts in
 * neither: the provider answered, it asked us to wait.
 */
import { and, desc, eq, sql } from 'drizzle-orm';
import { rows, type Db } from '../../db/index.ts';
import { healthChecks, healthStates, type HealthThresholds } from '../schema.ts';

export const WINDOWS = { '1h': 3_600_000, '24h': 86_400_000, '30d': 30 * 86_400_000 } as const;
export type WindowName = keyof typeof WINDOWS;

export interface WindowStats {
  checks: number;
  failures: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  errorRate: number | null;
  availability: number | null;
  healthy: boolean | null;
}

export type HealthSubject = { connectionId: string } | { integrationId: string };

const subjectWhere = (subject: HealthSubject) =>
  'connectionId' in subject ? sql`connection_id = ${subject.connectionId}` : sql`integration_id = ${subject.integrationId}`;

export async function healthWindows(db: Db, environmentId: string, subject: HealthSubject, now: Date, thresholds: HealthThresholds): Promise<Record<WindowName, WindowStats>> {
  const out = {} as Record<WindowName, WindowStats>;
  for (const [name, ms] of Object.entries(WINDOWS) as [WindowName, number][]) {
    const since = new Date(now.getTime() - ms).toISOString();
    const [row] = await rows<{ checks: number; failures: number; p50: number | null; p95: number | null; p99: number | null }>(
      db,
      sql`select count(*)::int as checks,
            count(*) filter (where outcome in ('failure', 'auth_failure'))::int as failures,
            percentile_cont(0.5) within group (order by latency_ms) filter (where outcome <> 'rate_limited') as p50,
            percentile_cont(0.95) within group (order by latency_ms) filter (where outcome <> 'rate_limited') as p95,
            percentile_cont(0.99) within group (order by latency_ms) filter (where outcome <> 'rate_limited') as p99
          from health_checks
          where environment_id = ${environmentId} and ${subjectWhere(subject)} and outcome <> 'rate_limited'
            and checked_at > ${since}::timestamptz and checked_at <= ${now.toISOString()}::timestamptz`,
    );
    const checks = row?.checks ?? 0;
    const failures = row?.failures ?? 0;
    const round = (v: number | null | undefined) => (v === null || v === undefined ? null : Math.round(Number(v)));
    const errorRate = checks ? failures / checks : null;
    const availability = checks ? (checks - failures) / checks : null;
    const p95Ms = round(row?.p95);
    out[name] = {
      checks,
      failures,
      p50Ms: round(row?.p50),
      p95Ms,
      p99Ms: round(row?.p99),
      errorRate,
      availability,
      healthy: checks === 0 ? null : (p95Ms ?? 0) < thresholds.p95Ms && errorRate! < thresholds.errorRate && availability! > thresholds.availability,
    };
  }
  return out;
}

export async function recentChecks(db: Db, environmentId: string, connectionId: string, limit: number) {
  return db
    .select()
    .from(healthChecks)
    .where(and(eq(healthChecks.environmentId, environmentId), eq(healthChecks.connectionId, connectionId)))
    .orderBy(desc(healthChecks.checkedAt))
    .limit(limit);
}

export async function healthStateOf(db: Db, environmentId: string, connectionId: string) {
  const [row] = await db.select().from(healthStates).where(and(eq(healthStates.environmentId, environmentId), eq(healthStates.connectionId, connectionId)));
  return row;
}
