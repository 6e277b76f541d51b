/**
 * Stores a batch of received requests in one transaction: deduplicates by provider event id
 * (per source, within each source's window), inserts every request with its status, and
 * enqueues processing for the ones that are new — all committed together (the outbox).
 */
import { sql } from 'drizzle-orm';
import { rows, type Db } from '../../db/index.ts';
import type { TraceContext } from '../../core/tracing.ts';
import { enqueue, enqueueMany } from '../../queue/index.ts';
import { BODY_OBJECT_BYTES, writeBodyObject } from './body-objects.ts';
import type { inboundEvents, InboundStatus } from './schema.ts';

export const PROCESS_JOB = 'inbound.process';
export const DISPATCH_JOB = 'inbound.dispatch';

export type NewInboundEvent = typeof inboundEvents.$inferInsert & { status: Extract<InboundStatus, 'received' | 'rejected'> };

export interface PendingEvent {
  row: NewInboundEvent;
  /** For a verified request with a provider event id. */
  dedupe?: { key: string; windowSeconds: number } | undefined;
  /** The receiving request's trace (tracing on): the event's processing joins it. */
  traceContext?: TraceContext | null | undefined;
}

/** The `inbound.dispatch` job's payload: a stored batch, and the trace each event arrived in. */
export interface DispatchBatchPayload {
  eventIds: string[];
  traces?: Record<string, TraceContext>;
}

export interface StoredEvent {
  id: string;
  status: 'received' | 'duplicate' | 'rejected';
  duplicateOf?: string | undefined;
}

export interface StoreOptions {
  /** Bodies above BODY_OBJECT_BYTES go into large objects (the embedded database; see body-objects.ts). */
  bodyObjects?: boolean;
}

export async function storeBatch(db: Db, items: readonly PendingEvent[], now: Date, options: StoreOptions = {}): Promise<StoredEvent[]> {
  return db.transaction(async (tx) => {
    const duplicates = await claimEventIds(tx, items, now);
    const stored: StoredEvent[] = items.map(({ row }) => {
      const duplicateOf = duplicates.get(row.id);
      return duplicateOf ? { id: row.id, status: 'duplicate', duplicateOf } : { id: row.id, status: row.status };
    });
    // In the row's transaction: a crash before the commit leaves no object, and after it both.
    const objects = new Map<string, number>();
    if (options.bodyObjects) {
      for (const { row } of items) if (row.body.length > BODY_OBJECT_BYTES) objects.set(row.id, await writeBodyObject(tx, row.body));
    }
    await insertEvents(tx, items, stored, objects, now);
    const fresh = items.filter((_, i) => stored[i]!.status === 'received').map(({ row }) => row.id);
    // One job per batch on the acknowledgement path; a worker fans it out into one processing
    // job per event (each with its own retries). Measured on PostgreSQL, a job row per event
    // here cost about a third of the ingest rate.
    if (fresh.length > 0) await enqueue(tx, dispatchBatchJob(items.filter((_, i) => stored[i]!.status === 'received')));
    return stored;
  });
}

/**
 * The batch's one job. The requests of a batch each have their trace (tracing on): the payload
 * keeps them for the processing jobs, and the dispatch job itself joins a trace only when the
 * whole batch came in one.
 */
function dispatchBatchJob(fresh: readonly PendingEvent[]) {
  let traces: Record<string, TraceContext> | undefined;
  for (const { row, traceContext } of fresh) if (traceContext) (traces ??= {})[row.id] = traceContext;
  const payload: DispatchBatchPayload = { eventIds: fresh.map(({ row }) => row.id), ...(traces ? { traces } : {}) };
  const [only] = fresh;
  return { type: DISPATCH_JOB, payload, traceContext: fresh.length === 1 ? (only!.traceContext ?? null) : null };
}

/** Bodies above this travel as binary parameters of their own, not inside the JSON parameter. */
const INLINE_BODY_BYTES = 64 * 1024;

/**
 * One statement for the whole batch, its rows as one JSON parameter (small bodies in base64):
 * building a multi-row insert through the query builder cost more CPU than the database spent on
 * it (profiled at ~10 % of the ingest path for batches of 50). A large body goes as a bytea
 * parameter of its own, sent in binary: in base64 inside the JSON it was held three more times
 * (base64, JSON text, protocol buffer), ~5× its size in memory while it was stored
 * (bench/inbound-memory.bench.ts).
 */
async function insertEvents(tx: Db, items: readonly PendingEvent[], stored: readonly StoredEvent[], objects: ReadonlyMap<string, number>, now: Date): Promise<void> {
  const large: Buffer[] = [];
  const records = items.map(({ row }, i) => {
    const object = objects.get(row.id);
    const inline = object !== undefined || row.body.length <= INLINE_BODY_BYTES;
    if (!inline) large.push(row.body);
    return {
      id: row.id,
      organization_id: row.organizationId,
      environment_id: row.environmentId,
      source_id: row.sourceId,
      status: stored[i]!.status,
      method: row.method,
      path: row.path,
      query: row.query ?? '',
      headers: row.headers,
      body: object !== undefined ? '' : inline ? row.body.toString('base64') : null,
      body_param: inline ? null : large.length,
      body_object: object ?? null,
      body_size: object !== undefined ? row.body.length : null,
      remote_ip: row.remoteIp ?? null,
      received_at: row.receivedAt.toISOString(),
      rejection_reason: row.rejectionReason ?? null,
      provider_event_id: row.providerEventId ?? null,
      duplicate_of: stored[i]!.duplicateOf ?? null,
    };
  });
  const body =
    large.length === 0
      ? sql`decode(r.body, 'base64')`
      : sql`case when r.body_param is null then decode(r.body, 'base64') else (array[${sql.join(
          large.map((b) => sql`${b}::bytea`),
          sql`, `,
        )}])[r.body_param] end`;
  await tx.execute(sql`insert into inbound_events (id, organization_id, environment_id, source_id, status, method, path, query, headers, body, body_object, body_size, remote_ip, received_at, rejection_reason, provider_event_id, duplicate_of, updated_at)
    select r.id, r.organization_id, r.environment_id, r.source_id, r.status, r.method, r.path, r.query, r.headers, ${body}, r.body_object, r.body_size, r.remote_ip, r.received_at, r.rejection_reason, r.provider_event_id, r.duplicate_of, ${now.toISOString()}::timestamptz
    from jsonb_to_recordset(${JSON.stringify(records)}::jsonb) as r(id text, organization_id text, environment_id text, source_id text, status text, method text, path text, query text,
      headers jsonb, body text, body_param int, body_object oid, body_size int, remote_ip text, received_at timestamptz, rejection_reason text, provider_event_id text, duplicate_of text)`);
}

/**
 * Claims each provider event id for its source until the window ends. Returns, for every item
 * that is a duplicate, the id of the event that holds the claim. A claim whose window ended is
 * taken over; two concurrent transactions claiming one id serialize on its row.
 */
async function claimEventIds(tx: Db, items: readonly PendingEvent[], now: Date): Promise<Map<string, string>> {
  const duplicates = new Map<string, string>();
  const first = new Map<string, { id: string; sourceId: string; key: string; expiresAt: string }>();
  for (const { row, dedupe } of items) {
    if (!dedupe || row.status !== 'received') continue;
    const claimKey = `${row.sourceId}\u0000${dedupe.key}`;
    const holder = first.get(claimKey);
    // A repeat inside one batch is a duplicate of its first occurrence.
    if (holder) duplicates.set(row.id, holder.id);
    else first.set(claimKey, { id: row.id, sourceId: row.sourceId, key: dedupe.key, expiresAt: new Date(now.getTime() + dedupe.windowSeconds * 1000).toISOString() });
  }
  if (first.size === 0) return duplicates;
  const claims = [...first.values()];
  const won = await rows<{ event_id: string }>(
    tx,
    sql`insert into inbound_dedupe (source_id, key, event_id, expires_at)
      select c.source_id, c.key, c.id, c.expires_at from jsonb_to_recordset(${JSON.stringify(claims.map((c) => ({ source_id: c.sourceId, key: c.key, id: c.id, expires_at: c.expiresAt })))}::jsonb)
        as c(source_id text, key text, id text, expires_at timestamptz)
      on conflict (source_id, key) do update set event_id = excluded.event_id, expires_at = excluded.expires_at
        where inbound_dedupe.expires_at <= ${now.toISOString()}::timestamptz
      returning event_id`,
  );
  const winners = new Set(won.map((r) => r.event_id));
  const lost = claims.filter((c) => !winners.has(c.id));
  if (lost.length > 0) {
    const holders = await rows<{ source_id: string; key: string; event_id: string }>(
      tx,
      sql`select d.source_id, d.key, d.event_id from inbound_dedupe d
        join jsonb_to_recordset(${JSON.stringify(lost.map((c) => ({ source_id: c.sourceId, key: c.key })))}::jsonb) as c(source_id text, key text)
          on d.source_id = c.source_id and d.key = c.key`,
    );
    const byKey = new Map(holders.map((h) => [`${h.source_id}\u0000${h.key}`, h.event_id]));
    for (const claim of lost) duplicates.set(claim.id, byKey.get(`${claim.sourceId}\u0000${claim.key}`) ?? claim.id);
  }
  // A repeat of an in-batch first that lost its claim points at the event holding the claim.
  for (const [id, target] of duplicates) {
    const holder = duplicates.get(target);
    if (holder && holder !== target) duplicates.set(id, holder);
  }
  return duplicates;
}

/**
 * Turns a stored batch into one processing job per event still `received`. Running it twice
 * adds nothing: a pending job with the event's key is kept, and processing skips an event that
 * is no longer `received`.
 */
export async function dispatchBatch(db: Db, eventIds: readonly string[], traces: Readonly<Record<string, TraceContext>> = {}): Promise<number> {
  return db.transaction(async (tx) => {
    const waiting = await rows<{ id: string; organization_id: string; environment_id: string }>(
      tx,
      sql`select id, organization_id, environment_id from inbound_events
        where id in (select jsonb_array_elements_text(${JSON.stringify(eventIds)}::jsonb)) and status = 'received'`,
    );
    await enqueueMany(
      tx,
      // Each event's processing continues the trace of the request that brought it.
      waiting.map((e) => ({ type: PROCESS_JOB, payload: { eventId: e.id }, key: `inbound:${e.id}`, organizationId: e.organization_id, environmentId: e.environment_id, traceContext: traces[e.id] ?? null })),
    );
    return waiting.length;
  });
}

/** Forgets claims whose window ended (a recurring job). */
export async function pruneDedupe(db: Db, now: Date): Promise<number> {
  const deleted = await rows<{ n: number }>(db, sql`with d as (delete from inbound_dedupe where expires_at <= ${now.toISOString()}::timestamptz returning 1) select count(*)::int as n from d`);
  return deleted[0]?.n ?? 0;
}

/** Statuses nothing will change any more: events in them may be pruned by retention. */
const SETTLED = ['processed', 'rejected', 'duplicate', 'failed'];

/**
 * Deletes settled events received before `before` (retention, a recurring job), a batch per
 * statement so no one transaction grows with the backlog. Events still waiting or being processed
 * stay whatever their age. Returns how many went.
 */
export async function pruneInboundEvents(db: Db, before: Date, batch = 5_000): Promise<number> {
  let total = 0;
  for (;;) {
    const [deleted] = await rows<{ n: number }>(
      db,
      sql`with d as (delete from inbound_events where id in (
          select id from inbound_events
          where received_at < ${before.toISOString()}::timestamptz and status in (select jsonb_array_elements_text(${JSON.stringify(SETTLED)}::jsonb))
          limit ${batch})
        returning 1) select count(*)::int as n from d`,
    );
    total += deleted?.n ?? 0;
    if ((deleted?.n ?? 0) < batch) return total;
  }
}
