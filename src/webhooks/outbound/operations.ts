/**
 * What an operator does after something went wrong: resend one message to one endpoint, recover
 * an endpoint (everything that failed since a time), retry dead letters by filter, send a test
 * event, read an endpoint's statistics. A resend starts a fresh retry schedule; attempt numbers
 * keep counting.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { problems, type Clock } from '../../core/index.ts';
import { rows, type Db } from '../../db/index.ts';
import { publish } from '../../events/index.ts';
import { enqueueMany } from '../../queue/index.ts';
import { builtInEventType } from './builtin-types.ts';
import { endpointsById, getEndpoint } from './endpoints.ts';
import { resolveEventTypes, toFieldErrors } from './event-types.ts';
import { TEST_ORIGIN } from './fanout.ts';
import { dispatchJob } from './jobs.ts';
import { deadLetterConditions, getMessage, type DeadLetterFilter } from './messages.ts';
import { deliveries, eventTypes, messages, type DeliveryRow, type MessageRow } from './schema.ts';
import type { Scope } from './scope.ts';

async function wake(tx: Db, clock: Clock, scope: Scope, endpointIds: string[]): Promise<void> {
  const found = await endpointsById(tx, scope, [...new Set(endpointIds)]);
  const jobs = found.filter((e) => e.kind === 'http' && e.enabled).map((e) => dispatchJob(e));
  if (jobs.length > 0) await enqueueMany(tx, jobs, { clock });
}

/** Resends one message to one endpoint (also to an endpoint created after the message). */
export async function resend(tx: Db, clock: Clock, scope: Scope, messageId: string, endpointId: string): Promise<DeliveryRow> {
  const message = await getMessage(tx, scope, messageId);
  const endpoint = await getEndpoint(tx, scope, endpointId);
  if (!endpoint.enabled) throw problems.conflict(`Endpoint ${endpointId} is disabled; enable it first.`);
  if (message.payload === null) throw problems.conflict(`Message ${message.id} was pruned by retention; it cannot be sent again.`);
  const now = clock.now();
  const [row] = await tx
    .insert(deliveries)
    .values({ messageId: message.id, endpointId, ...scope, fifo: endpoint.fifo, state: 'pending', trigger: 'resend', nextAttemptAt: now, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({
      target: [deliveries.messageId, deliveries.endpointId],
      set: { state: 'pending', fifo: endpoint.fifo, trigger: 'resend', nextAttemptAt: now, scheduleStart: sql`${deliveries.attempts}`, updatedAt: now },
      setWhere: sql`${deliveries.state} <> 'delivering'`,
    })
    .returning();
  if (!row) throw problems.conflict(`Message ${message.id} is being delivered to ${endpointId} right now.`);
  await wake(tx, clock, scope, [endpointId]);
  return row;
}

/** Sets matching dead letters back to pending with a fresh schedule; returns how many. */
async function requeue(tx: Db, clock: Clock, scope: Scope, filter: DeadLetterFilter, trigger: string): Promise<number> {
  const now = clock.now();
  const picked = await rows<{ message_id: string; endpoint_id: string }>(
    tx,
    sql`update ${deliveries} set state = 'pending', fifo = (select e.fifo from outbound_endpoints e where e.id = ${deliveries.endpointId}),
        trigger = ${trigger}, next_attempt_at = ${now.toISOString()}::timestamptz,
        schedule_start = ${deliveries.attempts}, updated_at = ${now.toISOString()}::timestamptz
      where (message_id, endpoint_id) in (
        select ${deliveries.messageId}, ${deliveries.endpointId} from ${deliveries}
        join ${messages} on ${messages.id} = ${deliveries.messageId}
        join outbound_endpoints e on e.id = ${deliveries.endpointId} and e.enabled
        where ${deadLetterConditions(scope, filter)} and ${messages.payload} is not null)
      returning message_id, endpoint_id`,
  );
  await wake(tx, clock, scope, picked.map((p) => p.endpoint_id));
  return picked.length;
}

/** Recovers an endpoint: resends everything that failed for it since `since` (until `until`). */
export async function recover(tx: Db, clock: Clock, scope: Scope, endpointId: string, window: { since: Date; until?: Date | undefined }): Promise<number> {
  const endpoint = await getEndpoint(tx, scope, endpointId);
  if (!endpoint.enabled) throw problems.conflict(`Endpoint ${endpointId} is disabled; enable it first.`);
  return requeue(tx, clock, scope, { endpointId, since: window.since, until: window.until }, 'recover');
}

/** Retries dead letters of enabled endpoints that match the filter. */
export async function retryDeadLetters(tx: Db, clock: Clock, scope: Scope, filter: DeadLetterFilter): Promise<number> {
  if (filter.endpointId) await getEndpoint(tx, scope, filter.endpointId);
  return requeue(tx, clock, scope, filter, 'retry');
}

/** Sends a test event to one endpoint only (`webhook.test` with its example unless a type and data are given). */
export async function sendTestEvent(tx: Db, clock: Clock, scope: Scope, endpointId: string, input: { eventType?: string | undefined; data?: Record<string, unknown> | undefined }): Promise<MessageRow> {
  const endpoint = await getEndpoint(tx, scope, endpointId);
  if (!endpoint.enabled) throw problems.conflict(`Endpoint ${endpointId} is disabled; enable it first.`);
  if (endpoint.kind !== 'http') throw problems.conflict('Test events go to HTTP endpoints.');
  const type = input.eventType ?? 'webhook.test';
  const resolved = (await resolveEventTypes(tx, scope, [type])).get(type);
  if (!resolved) throw problems.unprocessable(`${type} is not an event type of this environment.`, [{ field: '/eventType', message: 'is not an event type' }]);
  const data = input.data ?? builtInEventType(type)?.example ?? (await exampleOf(tx, scope, type)) ?? {};
  if (resolved.validate && !resolved.validate(data)) throw problems.unprocessable('The data does not match the event type.', toFieldErrors(resolved.validate.errors ?? [], '/data'));
  const { event } = await publish(tx, { ...scope, type, data, occurredAt: clock.now(), schemaVersion: resolved.schemaVersion, origin: `${TEST_ORIGIN}${endpointId}` });
  const [message] = await tx.select().from(messages).where(eq(messages.eventId, event.id));
  return message!;
}

async function exampleOf(db: Db, scope: Scope, type: string): Promise<Record<string, unknown> | undefined> {
  const [row] = await db
    .select({ example: eventTypes.example })
    .from(eventTypes)
    .where(and(eq(eventTypes.organizationId, scope.organizationId), eq(eventTypes.environmentId, scope.environmentId), eq(eventTypes.name, type)));
  return row?.example ?? undefined;
}

export interface EndpointStats {
  since: Date;
  attempts: number;
  succeeded: number;
  failed: number;
  /** Successful attempts / attempts; null without attempts. */
  successRate: number | null;
  latencyMs: { p50: number | null; p95: number | null };
  deliveries: Record<'pending' | 'delivering' | 'succeeded' | 'failed', number>;
  recentErrors: { at: Date; messageId: string; attempt: number; statusCode: number | null; errorClass: string | null; error: string | null }[];
  /** The same numbers per time bucket (oldest first, only buckets with attempts), for charts. */
  series: { bucketSeconds: number; points: { at: Date; attempts: number; succeeded: number; p50: number | null; p95: number | null }[] };
}

/** Buckets of a stats window: at most about 48 points, never narrower than a minute. */
export function bucketSecondsFor(since: Date, now: Date): number {
  const window = Math.max(60, (now.getTime() - since.getTime()) / 1000);
  return Math.max(60, Math.round(window / 48 / 60) * 60);
}

/** Success rate, latency percentiles (of attempts that got an answer) and recent errors since `since`. */
export async function endpointStats(db: Db, scope: Scope, endpointId: string, since: Date, now = new Date()): Promise<EndpointStats> {
  await getEndpoint(db, scope, endpointId);
  const iso = since.toISOString();
  const bucketSeconds = bucketSecondsFor(since, now);
  const [summary] = await rows<{ total: number; ok: number; p50: number | null; p95: number | null }>(
    db,
    sql`select count(*)::int as total, count(*) filter (where succeeded)::int as ok,
        percentile_cont(0.5) within group (order by duration_ms) filter (where status_code is not null) as p50,
        percentile_cont(0.95) within group (order by duration_ms) filter (where status_code is not null) as p95
      from outbound_attempts where endpoint_id = ${endpointId} and started_at >= ${iso}::timestamptz`,
  );
  const states = await rows<{ state: string; n: number }>(
    db,
    sql`select state, count(*)::int as n from outbound_deliveries where endpoint_id = ${endpointId} group by state`,
  );
  const errors = await rows<{ started_at: Date | string; message_id: string; attempt: number; status_code: number | null; error_class: string | null; error: string | null }>(
    db,
    sql`select started_at, message_id, attempt, status_code, error_class, error from outbound_attempts
      where endpoint_id = ${endpointId} and started_at >= ${iso}::timestamptz and not succeeded
      order by started_at desc limit 10`,
  );
  const buckets = await rows<{ at: Date | string; total: number; ok: number; p50: number | null; p95: number | null }>(
    db,
    sql`select to_timestamp(floor(extract(epoch from started_at) / ${bucketSeconds}) * ${bucketSeconds}) as at,
        count(*)::int as total, count(*) filter (where succeeded)::int as ok,
        percentile_cont(0.5) within group (order by duration_ms) filter (where status_code is not null) as p50,
        percentile_cont(0.95) within group (order by duration_ms) filter (where status_code is not null) as p95
      from outbound_attempts where endpoint_id = ${endpointId} and started_at >= ${iso}::timestamptz
      group by 1 order by 1`,
  );
  const total = summary?.total ?? 0;
  const ok = summary?.ok ?? 0;
  const counts = { pending: 0, delivering: 0, succeeded: 0, failed: 0 };
  for (const s of states) counts[s.state as keyof typeof counts] = s.n;
  const round = (v: number | null | undefined) => (v === null || v === undefined ? null : Math.round(Number(v) * 10) / 10);
  return {
    since,
    attempts: total,
    succeeded: ok,
    failed: total - ok,
    successRate: total === 0 ? null : ok / total,
    latencyMs: { p50: round(summary?.p50), p95: round(summary?.p95) },
    deliveries: counts,
    recentErrors: errors.map((e) => ({ at: new Date(e.started_at), messageId: e.message_id, attempt: e.attempt, statusCode: e.status_code, errorClass: e.error_class, error: e.error })),
    series: { bucketSeconds, points: buckets.map((b) => ({ at: new Date(b.at), attempts: b.total, succeeded: b.ok, p50: round(b.p50), p95: round(b.p95) })) },
  };
}

/** Deliveries of given messages (used by tests and the CLI to wait for outcomes). */
export async function deliveriesFor(db: Db, messageIds: string[]): Promise<DeliveryRow[]> {
  if (messageIds.length === 0) return [];
  return db.select().from(deliveries).where(inArray(deliveries.messageId, messageIds));
}
