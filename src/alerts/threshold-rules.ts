/**
 * The two rules that judge measurements against limits: `health_thresholds` (a connection's
 * checks over a window against its integration's p95 / error-rate / availability thresholds) and
 * `quota_usage` (a connection's share of its provider rate limit in the current window).
 */
import { sql } from 'drizzle-orm';
import { rows, type Db } from '../db/index.ts';
import { quotaUsage } from '../proxy/index.ts';
import type { HealthThresholds } from './schema.ts';
import { DEFAULT_THRESHOLDS } from './health/settings.ts';
import type { EffectiveRule, RuleScope } from './rules.ts';
import type { RaiseInput } from './alerts.ts';

type Cause = Omit<RaiseInput, 'rule'>;

const percent = (ratio: number) => `${Math.round(ratio * 1000) / 10} %`;

/**
 * Connections still `connected` (or syncing) whose checks over the window breach a threshold,
 * with at least `minChecks` checks to judge. A connection in `error` is `connection_unhealthy`'s,
 * and so are the failed checks of that episode: only checks since the connection's last status
 * change count, so a connection that just recovered is not alerted again for the outage.
 */
export async function healthThresholdCauses(db: Db, scope: RuleScope, rule: EffectiveRule, now: Date, defaults: HealthThresholds = DEFAULT_THRESHOLDS): Promise<Cause[]> {
  const { windowMinutes = 60, minChecks = 5 } = rule.params;
  const since = new Date(now.getTime() - windowMinutes * 60_000).toISOString();
  const found = await rows<{ connection_id: string; checks: number; failures: number; p95: number | null; thresholds: Partial<HealthThresholds> | null }>(
    db,
    sql`select h.connection_id, count(*)::int as checks,
          count(*) filter (where h.outcome in ('failure', 'auth_failure'))::int as failures,
          percentile_cont(0.95) within group (order by h.latency_ms) as p95,
          (select s.thresholds from health_settings s where s.integration_id = c.integration_id) as thresholds
        from health_checks h
        join connections c on c.environment_id = h.environment_id and c.id = h.connection_id
        where h.environment_id = ${scope.environmentId} and h.outcome <> 'rate_limited'
          and h.checked_at > greatest(${since}::timestamptz, c.status_changed_at) and h.checked_at <= ${now.toISOString()}::timestamptz
          and c.status in ('connected', 'syncing')
        group by h.connection_id, c.integration_id
        having count(*) >= ${Math.max(1, Math.round(minChecks))}`,
  );
  const causes: Cause[] = [];
  for (const row of found) {
    const limits = { ...defaults, ...(row.thresholds ?? {}) };
    const p95 = row.p95 === null ? null : Math.round(Number(row.p95));
    const errorRate = row.failures / row.checks;
    const availability = 1 - errorRate;
    const breached = [
      ...(p95 !== null && p95 >= limits.p95Ms ? [`p95 response time ${p95} ms (threshold below ${limits.p95Ms} ms)`] : []),
      ...(errorRate >= limits.errorRate ? [`error rate ${percent(errorRate)} (threshold below ${percent(limits.errorRate)})`] : []),
      ...(availability <= limits.availability ? [`availability ${percent(availability)} (threshold above ${percent(limits.availability)})`] : []),
    ];
    if (breached.length === 0) continue;
    causes.push({
      dedupKey: `health_thresholds:${row.connection_id}`,
      title: `Connection ${row.connection_id} breaches its health thresholds`,
      message: `Over the last ${windowMinutes} minutes (${row.checks} checks): ${breached.join('; ')}.`,
      subjectType: 'connection',
      subjectId: row.connection_id,
      details: { checks: row.checks, failures: row.failures, p95Ms: p95, errorRate, availability, thresholds: limits },
    });
  }
  return causes;
}

/** Connections whose requests in the current rate-limit window used more than `abovePercent` of it. */
export async function quotaCauses(db: Db, scope: RuleScope, rule: EffectiveRule, now: Date): Promise<Cause[]> {
  const above = (rule.params.abovePercent ?? 80) / 100;
  const connections = await rows<{ id: string; connector_key: string }>(
    db,
    sql`select id, connector_key from connections where environment_id = ${scope.environmentId} and status <> 'disconnected'`,
  );
  const causes: Cause[] = [];
  for (const c of connections) {
    // The proxy's limit key for a connection (see syncs/provider.ts and health/check.ts).
    const usage = quotaUsage(`${c.connector_key}:${scope.environmentId}:${c.id}`, now.getTime());
    if (!usage || usage.used / usage.limit <= above) continue;
    causes.push({
      dedupKey: `quota_usage:${c.id}`,
      title: `Connection ${c.id} used ${percent(usage.used / usage.limit)} of its ${c.connector_key} rate limit`,
      message: `${usage.used} of ${usage.limit} requests in the current window (threshold ${percent(above)}); requests beyond the limit wait.`,
      subjectType: 'connection',
      subjectId: c.id,
      details: { used: usage.used, limit: usage.limit, resetsAt: new Date(usage.resetAt).toISOString() },
    });
  }
  return causes;
}
