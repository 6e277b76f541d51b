/**
 * The planner: every few seconds one process (a recurring job) gives every connection a place in
 * its interval and enqueues a `health.check` job for each check due before the next planning
 * round, to run at its exact time. A connection's first check lands at a point of the interval
 * drawn from a hash of its id, so 10,000 connections checked every 60 s make ~167 checks a
 * second instead of 10,000 at :00. Jobs are keyed per connection: however many planners and
 * workers run, one check per connection waits at a time.
 */
import { sql } from 'drizzle-orm';
import { enqueueMany, type JobSpec } from '../../queue/index.ts';
import { rows, type Db } from '../../db/index.ts';
import type { Clock } from '../../core/index.ts';
import type { HealthDefaults } from './settings.ts';

export const HEALTH_CHECK_JOB = 'health.check';
export const HEALTH_PLAN_JOB = 'health.plan';
export const HEALTH_PRUNE_JOB = 'health.prune';

/** How far ahead a planning round enqueues; rounds run every 5 s, so no check waits on a round. */
export const PLAN_AHEAD_MS = 10_000;

export interface CheckPayload {
  connectionId: string;
  /** The planned instant: a check whose state moved past it since (a newer plan) does nothing. */
  dueAt: string;
}

export const checkKey = (environmentId: string, connectionId: string) => `health:${environmentId}:${connectionId}`;

/** Adds connections that have no schedule yet and enqueues the checks due soon; returns how many. */
export async function planHealthChecks(db: Db, clock: Clock, defaults: HealthDefaults): Promise<number> {
  const now = clock.now();
  await db.execute(sql`
    insert into health_states (organization_id, environment_id, connection_id, integration_id, next_check_at, created_at, updated_at)
    select c.organization_id, c.environment_id, c.id, c.integration_id,
      ${now.toISOString()}::timestamptz + make_interval(secs => (abs(hashtext(c.environment_id || ':' || c.id)::bigint) % (coalesce(s.interval_seconds, ${defaults.intervalSeconds}) * 1000)) / 1000.0),
      ${now.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz
    from connections c
    left join health_settings s on s.integration_id = c.integration_id
    where not exists (select 1 from health_states h where h.environment_id = c.environment_id and h.connection_id = c.id)
    on conflict do nothing`);
  // The connections read here stay locked until their checks are enqueued: a connection deleted
  // (or its end customer erased) meanwhile waits for this round, whose jobs it then removes,
  // instead of leaving a check behind for a connection that is gone.
  return db.transaction(async (tx) => {
    const due = await rows<{
      organization_id: string;
      environment_id: string;
      connection_id: string;
      next_check_at: string | Date;
    }>(
      tx,
      sql`select h.organization_id, h.environment_id, h.connection_id, h.next_check_at
      from health_states h
      join connections c on c.environment_id = h.environment_id and c.id = h.connection_id
      left join health_settings s on s.integration_id = h.integration_id
      where h.next_check_at <= ${new Date(now.getTime() + PLAN_AHEAD_MS).toISOString()}::timestamptz
        and c.status <> 'disconnected' and coalesce(s.enabled, true)
      order by h.next_check_at
      limit 20000
      for key share of c`,
    );
    if (due.length === 0) return 0;
    const specs: JobSpec<CheckPayload>[] = due.map((row) => {
      const dueAt = new Date(row.next_check_at);
      return {
        type: HEALTH_CHECK_JOB,
        payload: {
          connectionId: row.connection_id,
          dueAt: dueAt.toISOString(),
        },
        organizationId: row.organization_id,
        environmentId: row.environment_id,
        runAt: dueAt,
        key: checkKey(row.environment_id, row.connection_id),
        maxAttempts: 1,
      };
    });
    await enqueueMany(tx, specs, { clock });
    return specs.length;
  });
}

/** The end customer's checks still waiting (the erasure removes connections; their checks go with them). */
export async function eraseHealthChecksOf(tx: Db, subject: { environmentId: string; connectionIds: readonly string[] }): Promise<number> {
  if (subject.connectionIds.length === 0) return 0;
  const keys = subject.connectionIds.map((id) => checkKey(subject.environmentId, id));
  const [erased] = await rows<{ n: number }>(
    tx,
    sql`with d as (delete from jobs where type = ${HEALTH_CHECK_JOB} and state <> 'running' and key in (select jsonb_array_elements_text(${JSON.stringify(keys)}::jsonb)) returning 1) select count(*)::int as n from d`,
  );
  return erased?.n ?? 0;
}

/** Deletes check history older than the retention, in batches; returns how many rows went. */
export async function pruneHealthChecks(db: Db, now: Date, retentionDays: number): Promise<number> {
  const before = new Date(now.getTime() - retentionDays * 86_400_000).toISOString();
  let total = 0;
  for (;;) {
    const deleted = await rows<{ id: string }>(db, sql`delete from health_checks where id in (select id from health_checks where checked_at < ${before}::timestamptz limit 5000) returning id`);
    total += deleted.length;
    if (deleted.length < 5000) return total;
  }
}
