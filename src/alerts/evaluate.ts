/**
 * The periodic evaluation (the `alerts.evaluate` job, every minute, once in the cluster): each
 * enabled rule of each environment finds its causes now; a cause without an unresolved alert
 * opens one, an unresolved alert whose cause is gone resolves. It also ends snoozes and repeats
 * notifications of alerts left open past their rule's repeat interval. Connection health opens
 * and resolves its own alerts as checks run (health/check.ts); a turned-off rule resolves its alerts.
 */
import { and, eq, lte, ne, sql } from 'drizzle-orm';
import type { Clock, Logger } from '../core/index.ts';
import { rows, type Db } from '../db/index.ts';
import type { Vault } from '../credentials/index.ts';
import { alerts } from './schema.ts';
import { raiseAlert, resolveCause, wakeAlert, type RaiseInput } from './alerts.ts';
import { listRules, type EffectiveRule, type RuleName, type RuleScope } from './rules.ts';
import { enqueueNotifications } from './notify-plan.ts';
import { healthThresholdCauses, quotaCauses } from './threshold-rules.ts';
import type { HealthThresholds } from './schema.ts';

export const EVALUATE_JOB = 'alerts.evaluate';

export interface EvaluateDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  vault: Vault;
  /** The hub's default health thresholds (an integration may set its own). */
  thresholds?: HealthThresholds | undefined;
}

type Cause = Omit<RaiseInput, 'rule'>;
type Finder = (db: Db, scope: RuleScope, rule: EffectiveRule, now: Date, deps: EvaluateDeps) => Promise<Cause[]>;

const minutesAgo = (now: Date, minutes: number) => new Date(now.getTime() - minutes * 60_000).toISOString();

const FINDERS: Partial<Record<RuleName, Finder>> = {
  async token_refresh_failed(db, scope) {
    const found = await rows<{ id: string; status_message: string | null }>(
      db,
      sql`select id, status_message from connections where environment_id = ${scope.environmentId} and status = 'error' and status_reason = 'refresh_failed'`,
    );
    return found.map((c) => ({
      dedupKey: `token_refresh_failed:${c.id}`,
      title: `Connection ${c.id}: token refresh failed`,
      message: c.status_message ?? 'The OAuth token could not be refreshed; the end customer must reconnect.',
      subjectType: 'connection',
      subjectId: c.id,
    }));
  },
  async endpoint_disabled(db, scope) {
    const found = await rows<{ id: string; url: string; disabled_reason: string }>(
      db,
      sql`select id, url, disabled_reason from outbound_endpoints
          where environment_id = ${scope.environmentId} and not enabled and disabled_reason is not null and disabled_reason <> 'disabled by a user'`,
    );
    return found.map((e) => ({ dedupKey: `endpoint_disabled:${e.id}`, title: `Endpoint ${e.id} was disabled`, message: `${e.url}: ${e.disabled_reason}`, subjectType: 'endpoint', subjectId: e.id }));
  },
  async endpoint_failing(db, scope, rule, now) {
    const { successRatePercent = 90, windowMinutes = 15, minAttempts = 10 } = rule.params;
    const found = await rows<{ endpoint_id: string; total: number; ok: number }>(
      db,
      sql`select endpoint_id, count(*)::int as total, count(*) filter (where succeeded)::int as ok from outbound_attempts
          where environment_id = ${scope.environmentId} and started_at > ${minutesAgo(now, windowMinutes)}::timestamptz
          group by endpoint_id having count(*) >= ${minAttempts} and count(*) filter (where succeeded) * 100.0 / count(*) < ${successRatePercent}`,
    );
    return found.map((e) => ({
      dedupKey: `endpoint_failing:${e.endpoint_id}`,
      title: `Endpoint ${e.endpoint_id} is failing`,
      message: `${e.ok} of ${e.total} deliveries succeeded in the last ${windowMinutes} minutes (below ${successRatePercent} %).`,
      subjectType: 'endpoint',
      subjectId: e.endpoint_id,
    }));
  },
  async sync_failed(db, scope, rule) {
    const n = Math.max(1, Math.round(rule.params.consecutiveFailures ?? 3));
    const found = await rows<{ id: string; connection_id: string; model: string }>(
      db,
      sql`select s.id, s.connection_id, s.model from syncs s
          where s.environment_id = ${scope.environmentId} and s.last_status = 'failed'
            and (select count(*) from (select status from sync_runs r where r.sync_id = s.id and r.status in ('succeeded', 'failed') order by r.id desc limit ${n}) last
                 where last.status = 'failed') >= ${n}`,
    );
    return found.map((s) => ({
      dedupKey: `sync_failed:${s.id}`,
      title: `Sync ${s.model} of ${s.connection_id} failed ${n} times in a row`,
      message: `The last ${n} runs of sync ${s.id} (${s.model}) failed.`,
      subjectType: 'connection',
      subjectId: s.connection_id,
      details: { syncId: s.id, model: s.model },
    }));
  },
  async dead_jobs(db, scope, rule) {
    const above = rule.params.above ?? 10;
    const [row] = await rows<{ n: number }>(db, sql`select count(*)::int as n from jobs where environment_id = ${scope.environmentId} and state = 'failed'`);
    const n = row?.n ?? 0;
    return n > above ? [{ dedupKey: `dead_jobs:${scope.environmentId}`, title: `${n} background jobs failed`, message: `${n} jobs ran out of attempts (threshold ${above}); see GET /api/v1/jobs?state=failed.` }] : [];
  },
  async inbound_failing(db, scope, rule, now) {
    const { failedAbove = 10, windowMinutes = 60 } = rule.params;
    const [row] = await rows<{ n: number }>(
      db,
      sql`select count(*)::int as n from inbound_events where environment_id = ${scope.environmentId} and status = 'failed' and updated_at > ${minutesAgo(now, windowMinutes)}::timestamptz`,
    );
    const n = row?.n ?? 0;
    return n > failedAbove
      ? [{ dedupKey: `inbound_failing:${scope.environmentId}`, title: `${n} inbound webhook events failed processing`, message: `${n} inbound events failed in the last ${windowMinutes} minutes (threshold ${failedAbove}).` }]
      : [];
  },
  health_thresholds: (db, scope, rule, now, deps) => healthThresholdCauses(db, scope, rule, now, deps.thresholds),
  quota_usage: (db, scope, rule, now) => quotaCauses(db, scope, rule, now),
  async credential_rotation_overdue(db, scope, _rule, _now, deps) {
    const overdue = await deps.vault.listOverdue(db, scope);
    return overdue.map((s) => ({
      dedupKey: `credential_rotation_overdue:${s.id}`,
      title: `Secret ${s.name} of ${s.ownerType} ${s.ownerId} is overdue for rotation`,
      message: `Its policy asks for a new value every ${s.rotation.everyDays} days; it was last rotated ${s.rotation.rotatedAt.toISOString()}.`,
      subjectType: s.ownerType,
      subjectId: s.ownerId,
    }));
  },
};

/** Evaluates every environment's rules once; returns how many alerts opened and resolved. */
export async function evaluateAlerts(deps: EvaluateDeps): Promise<{ opened: number; resolved: number }> {
  const { db, clock } = deps;
  const environments = await rows<{ id: string; organization_id: string }>(db, sql`select id, organization_id from environments`);
  let opened = 0;
  let resolved = 0;
  for (const env of environments) {
    const scope = { organizationId: env.organization_id, environmentId: env.id };
    for (const rule of await listRules(db, scope)) {
      const finder = FINDERS[rule.rule];
      if (!finder && rule.enabled) continue;
      let causes: Cause[] = [];
      try {
        if (rule.enabled && finder) causes = await finder(db, scope, rule, clock.now(), deps);
      } catch (err) {
        deps.logger.warn({ err, rule: rule.rule, environmentId: env.id }, 'an alert rule could not be evaluated');
        continue;
      }
      const keys = new Set(causes.map((c) => c.dedupKey));
      await db.transaction(async (tx) => {
        for (const cause of causes) if ((await raiseAlert(tx, clock, scope, { rule: rule.rule, ...cause }))?.opened) opened++;
        const unresolved = await tx
          .select({ dedupKey: alerts.dedupKey })
          .from(alerts)
          .where(and(eq(alerts.environmentId, env.id), eq(alerts.rule, rule.rule), ne(alerts.status, 'resolved')));
        for (const { dedupKey } of unresolved) {
          if (keys.has(dedupKey)) continue;
          if (await resolveCause(tx, clock, scope, dedupKey, rule.enabled ? 'the cause cleared' : 'the rule was turned off')) resolved++;
        }
      });
    }
    await wakeAndRepeat(deps, scope);
  }
  return { opened, resolved };
}

/** Snoozes that ended open their alerts again; open alerts past their repeat interval are sent again. */
async function wakeAndRepeat(deps: EvaluateDeps, scope: RuleScope): Promise<void> {
  const { db, clock } = deps;
  const now = clock.now();
  const woken = await db
    .select({ id: alerts.id })
    .from(alerts)
    .where(and(eq(alerts.environmentId, scope.environmentId), eq(alerts.status, 'snoozed'), lte(alerts.snoozedUntil, now)));
  for (const { id } of woken) await db.transaction((tx) => wakeAlert(tx, clock, scope, id));
  const open = await db.select().from(alerts).where(and(eq(alerts.environmentId, scope.environmentId), eq(alerts.status, 'open')));
  if (open.length === 0) return;
  const rules = new Map((await listRules(db, scope)).map((r) => [r.rule, r]));
  for (const alert of open) {
    const rule = rules.get(alert.rule as RuleName);
    if (!rule || rule.repeatMinutes <= 0) continue;
    const last = alert.lastNotifiedAt ?? alert.openedAt;
    if (now.getTime() - last.getTime() < rule.repeatMinutes * 60_000) continue;
    await db.transaction((tx) => enqueueNotifications(tx, clock, alert, 'repeat', rule));
  }
}
