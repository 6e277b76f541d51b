/**
 * The recurring jobs. `sweep` (every minute) queues a dispatch for every endpoint with work due
 * that no job is known to cover — the safety net under the outbox (a dispatch job that ran out of
 * attempts, a lease that expired with its worker). `prune` (daily) drops message payloads and
 * attempt bodies past retention, in small batches, and removes `patchbay listen` endpoints whose
 * listener is gone.
 */
import { and, eq, lt, sql } from 'drizzle-orm';
import type { Clock } from '../../core/index.ts';
import { rows, type Db } from '../../db/index.ts';
import type { Vault } from '../../credentials/index.ts';
import { enqueueMany } from '../../queue/index.ts';
import { deleteEndpoint } from './endpoints.ts';
import { dispatchJob } from './jobs.ts';
import { endpoints } from './schema.ts';

const BATCH = 1_000;

/** Queues a dispatch for each enabled endpoint with a due delivery or an expired lease; returns how many. */
export async function sweep(db: Db, clock: Clock): Promise<number> {
  const now = clock.now().toISOString();
  const due = await rows<{ id: string; organization_id: string; environment_id: string }>(
    db,
    sql`select e.id, e.organization_id, e.environment_id from outbound_endpoints e
      where e.enabled and e.kind = 'http' and (
        exists (select 1 from outbound_deliveries d where d.endpoint_id = e.id and d.state = 'pending' and d.next_attempt_at <= ${now}::timestamptz)
        or exists (select 1 from outbound_deliveries d where d.endpoint_id = e.id and d.state = 'delivering' and d.locked_until <= ${now}::timestamptz))`,
  );
  if (due.length > 0) await enqueueMany(db, due.map((e) => dispatchJob({ id: e.id, organizationId: e.organization_id, environmentId: e.environment_id })), { clock });
  return due.length;
}

export interface PruneReport {
  payloads: number;
  attemptBodies: number;
  streams: number;
}

/** An environment may keep its delivery log for another number of days (`settings.webhookRetentionDays`). */
export const RETENTION_SETTING = 'webhookRetentionDays';

/** Prunes what retention says is too old (per environment, `retentionDays` by default) and stale listen streams. */
export async function prune(db: Db, vault: Vault, clock: Clock, options: { retentionDays: number; streamTtlMs: number }): Promise<PruneReport> {
  const now = clock.now();
  const report: PruneReport = { payloads: 0, attemptBodies: 0, streams: 0 };
  const environments = await rows<{ id: string; days: number | null }>(
    db,
    sql`select id, case when settings->>${RETENTION_SETTING} ~ '^[0-9]{1,5}$' then (settings->>${RETENTION_SETTING})::int end as days from environments`,
  );
  for (const env of environments) {
    const cutoff = new Date(now.getTime() - (env.days ?? options.retentionDays) * 86_400_000).toISOString();
    for (;;) {
      const done = await rows<{ id: string }>(
        db,
        sql`update outbound_messages set payload = null, pruned_at = ${now.toISOString()}::timestamptz
          where id in (select id from outbound_messages where created_at < ${cutoff}::timestamptz and payload is not null and environment_id = ${env.id} limit ${BATCH})
          returning id`,
      );
      report.payloads += done.length;
      if (done.length < BATCH) break;
    }
    // Attempts are pruned endpoint by endpoint, along the (endpoint, started_at) index.
    const owners = await rows<{ id: string }>(db, sql`select id from outbound_endpoints where environment_id = ${env.id}`);
    for (const { id: endpointId } of owners) {
      for (;;) {
        const done = await rows<{ n: number }>(
          db,
          sql`update outbound_attempts set response_body = null, response_headers = null
            where ctid = any (array(select ctid from outbound_attempts where endpoint_id = ${endpointId} and started_at < ${cutoff}::timestamptz
              and (response_body is not null or response_headers is not null) limit ${BATCH}))
            returning 1 as n`,
        );
        report.attemptBodies += done.length;
        if (done.length < BATCH) break;
      }
    }
  }
  const stale = await db
    .select()
    .from(endpoints)
    .where(and(eq(endpoints.kind, 'stream'), lt(endpoints.streamSeenAt, new Date(now.getTime() - options.streamTtlMs))));
  for (const endpoint of stale) {
    await db.transaction((tx) => deleteEndpoint(tx, vault, { organizationId: endpoint.organizationId, environmentId: endpoint.environmentId }, endpoint.id));
    report.streams += 1;
  }
  return report;
}
