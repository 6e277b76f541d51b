/**
 * Stores a batch of received requests in one transaction: deduplicates by provider event id
 * (per source, within each source's window), inserts every request with its status, and
 * enqueues processing for the ones that are new — all committed together (the outbox).
 *
 * A verified request with a provider event id claims that id for its source until its window
 * ends, in its own row (`dedupe_expires_at`, under a partial unique index): the common batch is
 * one plain insert that both stores and claims. A repeat is stored as a `duplicate` of the event
 * holding the claim; a claim whose window ended is taken over. A claim outliving its event row
 * (retention, erasure) waits in `inbound_dedupe` until its window ends (`keepClaims`).
 */
import { sql, type SQL } from 'drizzle-orm';
import { rows, type Db } from '../../db/index.ts';
import { isUniqueViolation } from '../../core/index.ts';
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
  try {
    return await storeOnce(db, items, now, options, false);
  } catch (err) {
    // Optimistic first: a plain insert costs the database less than `on conflict do nothing`
    // (a speculative insertion per row). A claim already held fails it; the batch is then stored
    // again, settling each conflict.
    if (!isClaimConflict(err)) throw err;
    return storeOnce(db, items, now, options, true);
  }
}

function storeOnce(db: Db, items: readonly PendingEvent[], now: Date, options: StoreOptions, settle: boolean): Promise<StoredEvent[]> {
  return db.transaction(async (tx) => {
    // In the row's transaction: a crash before the commit leaves no object, and after it both.
    const objects = new Map<string, number>();
    if (options.bodyObjects) {
      for (const { row } of items) if (row.body.length > BODY_OBJECT_BYTES) objects.set(row.id, await writeBodyObject(tx, row.body));
    }
    const stored = await insertEvents(tx, items, objects, now, settle);
    const fresh = items.filter((_, i) => stored[i]!.status === 'received');
    // One job per batch on the acknowledgement path; a worker fans it out into one processing
    // job per event (each with its own retries). Measured on PostgreSQL, a job row per event
    // here cost about a third of the ingest rate.
    if (fresh.length > 0) await enqueue(tx, dispatchBatchJob(fresh));
    return stored;
  });
}

const CLAIMS_INDEX = 'inbound_events_dedupe';

/** A unique violation of the claims' index (another event holds a claim the batch made). */
function isClaimConflict(err: unknown): boolean {
  if (!isUniqueViolation(err)) return false;
  const seen = new Set<unknown>();
  for (let e: unknown = err; e && typeof e === 'object' && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    const { constraint, message } = e as { constraint?: unknown; message?: unknown };
    if (constraint === CLAIMS_INDEX || (typeof message === 'string' && message.includes(`"${CLAIMS_INDEX}"`))) return true;
  }
  return false;
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

/** A row as the insert's JSON parameter carries it. */
interface EventRecord {
  id: string;
  source_id: string;
  provider_event_id: string | null;
  status: string;
  duplicate_of: string | null;
  /** The claim's end, for a request that claims its provider event id. */
  dedupe_expires_at: string | null;
  [column: string]: unknown;
}

/** How many times a claim may find its holder gone (deleted, released) before the batch fails. */
const CLAIM_ROUNDS = 5;

/**
 * Inserts the batch, claiming provider event ids as it goes. The first insert stores every row
 * (without `settle`, a claim already held fails the statement: see `storeBatch`); with `settle`
 * a row whose claim conflicts is left out (`on conflict do nothing`) and settled afterwards: a
 * duplicate of a live claim's holder, or, when the holder's window ended, inserted again after
 * the holder lets go. Two transactions claiming one id serialize on the unique index. A repeat
 * inside the batch is a duplicate of its first occurrence, and points at the event holding the
 * claim when that first occurrence loses it. Returns each item's outcome, in order.
 */
async function insertEvents(tx: Db, items: readonly PendingEvent[], objects: ReadonlyMap<string, number>, now: Date, settle: boolean): Promise<StoredEvent[]> {
  const large: Buffer[] = [];
  const firsts = new Map<string, string>();
  const records: EventRecord[] = items.map(({ row, dedupe }) => {
    const object = objects.get(row.id);
    const inline = object !== undefined || row.body.length <= INLINE_BODY_BYTES;
    if (!inline) large.push(row.body);
    let duplicateOf: string | null = null;
    let expiresAt: string | null = null;
    if (dedupe && row.status === 'received') {
      const claimKey = `${row.sourceId}\u0000${dedupe.key}`;
      duplicateOf = firsts.get(claimKey) ?? null;
      if (duplicateOf === null) {
        firsts.set(claimKey, row.id);
        expiresAt = new Date(now.getTime() + dedupe.windowSeconds * 1000).toISOString();
      }
    }
    return {
      id: row.id,
      organization_id: row.organizationId,
      environment_id: row.environmentId,
      source_id: row.sourceId,
      status: duplicateOf ? 'duplicate' : row.status,
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
      // The claim is on the key the request was deduplicated by: its provider event id.
      provider_event_id: dedupe && row.status === 'received' ? dedupe.key : (row.providerEventId ?? null),
      duplicate_of: duplicateOf,
      dedupe_expires_at: expiresAt,
    };
  });
  const outcomes = new Map<string, StoredEvent>();
  let pending = records;
  for (let round = 0; pending.length > 0; round++) {
    if (round === CLAIM_ROUNDS) throw new Error(`could not settle the deduplication claims of ${pending.length} inbound events`);
    for (const r of await insertRecords(tx, pending, large, now, settle)) outcomes.set(r.id, { id: r.id, status: r.status, ...(r.duplicate_of ? { duplicateOf: r.duplicate_of } : {}) });
    pending = pending.filter((r) => !outcomes.has(r.id));
    if (pending.length > 0) pending = await settleConflicts(tx, pending, now);
  }
  // A repeat of an in-batch first that lost its claim points at the event holding the claim.
  const moved = [...outcomes.values()].filter((o) => o.duplicateOf && outcomes.get(o.duplicateOf)?.duplicateOf);
  if (moved.length > 0) {
    for (const o of moved) o.duplicateOf = outcomes.get(o.duplicateOf!)!.duplicateOf;
    await tx.execute(sql`update inbound_events e set duplicate_of = m.duplicate_of
      from jsonb_to_recordset(${JSON.stringify(moved.map((o) => ({ id: o.id, duplicate_of: o.duplicateOf })))}::jsonb) as m(id text, duplicate_of text) where e.id = m.id`);
  }
  return items.map(({ row }) => outcomes.get(row.id)!);
}

/**
 * One statement for the records, as one JSON parameter (small bodies in base64): building a
 * multi-row insert through the query builder cost more CPU than the database spent on it
 * (profiled at ~10 % of the ingest path for batches of 50). A large body goes as a bytea
 * parameter of its own, sent in binary: in base64 inside the JSON it was held three more times
 * (base64, JSON text, protocol buffer), ~5× its size in memory while it was stored
 * (bench/inbound-memory.bench.ts). The statement also says whether `inbound_dedupe` holds live
 * claims (almost never): only then are the new claims checked against it, in a second statement —
 * joining it into the insert cost the database ~20 µs a row, mostly planning. Its lock (see
 * `lockClaims`) keeps that answer true until this transaction ends. Returns the rows stored; a row
 * whose claim conflicts is not.
 */
async function insertRecords(
  tx: Db,
  records: readonly EventRecord[],
  large: readonly Buffer[],
  now: Date,
  settle: boolean,
): Promise<{ id: string; status: StoredEvent['status']; duplicate_of: string | null }[]> {
  const body =
    large.length === 0
      ? sql`decode(r.body, 'base64')`
      : sql`case when r.body_param is null then decode(r.body, 'base64') else (array[${sql.join(
          large.map((b) => sql`${b}::bytea`),
          sql`, `,
        )}])[r.body_param] end`;
  const claims = records.some((r) => r.dedupe_expires_at !== null);
  const at = sql`${now.toISOString()}::timestamptz`;
  const inserted = await rows<{ id: string; status: StoredEvent['status']; duplicate_of: string | null; dedupe_expires_at: string | null; elsewhere?: boolean }>(
    tx,
    sql`insert into inbound_events (id, organization_id, environment_id, source_id, status, method, path, query, headers, body, body_object, body_size, remote_ip, received_at, rejection_reason, provider_event_id, duplicate_of, dedupe_expires_at, updated_at)
    select r.id, r.organization_id, r.environment_id, r.source_id, r.status, r.method, r.path, r.query, r.headers, ${body}, r.body_object, r.body_size, r.remote_ip, r.received_at, r.rejection_reason, r.provider_event_id, r.duplicate_of, r.dedupe_expires_at, ${at}
    from jsonb_to_recordset(${JSON.stringify(records)}::jsonb) as r(id text, organization_id text, environment_id text, source_id text, status text, method text, path text, query text,
      headers jsonb, body text, body_param int, body_object oid, body_size int, remote_ip text, received_at timestamptz, rejection_reason text, provider_event_id text, duplicate_of text, dedupe_expires_at timestamptz)
    ${settle ? sql`on conflict (source_id, provider_event_id) where dedupe_expires_at is not null do nothing` : sql``}
    returning id, status, duplicate_of, dedupe_expires_at${claims ? sql`, (select exists (select 1 from inbound_dedupe where expires_at > ${at} for key share)) as elsewhere` : sql``}`,
  );
  if (!inserted[0]?.elsewhere) return inserted;
  // Rare: claims outlived their events (see `lockClaims`). A row that claimed one of them is a duplicate of that event.
  const claimed = inserted.filter((r) => r.dedupe_expires_at !== null).map((r) => r.id);
  const held = await rows<{ id: string; duplicate_of: string }>(
    tx,
    sql`update inbound_events e set status = 'duplicate', duplicate_of = d.event_id, dedupe_expires_at = null
      from inbound_dedupe d
      where e.id in (select jsonb_array_elements_text(${JSON.stringify(claimed)}::jsonb)) and d.source_id = e.source_id and d.key = e.provider_event_id and d.expires_at > ${at}
      returning e.id, e.duplicate_of`,
  );
  const byId = new Map(held.map((h) => [h.id, h.duplicate_of]));
  return inserted.map((r) => (byId.has(r.id) ? { ...r, status: 'duplicate', duplicate_of: byId.get(r.id)! } : r));
}

/**
 * The records whose claim conflicted, made ready to insert again: a duplicate of the holder of a
 * live claim; a claim again where the holder's window ended (the holder lets go first) or the
 * holder has gone since.
 */
async function settleConflicts(tx: Db, conflicting: readonly EventRecord[], now: Date): Promise<EventRecord[]> {
  const holders = await rows<{ id: string; source_id: string; provider_event_id: string; live: boolean }>(
    tx,
    sql`select e.id, e.source_id, e.provider_event_id, e.dedupe_expires_at > ${now.toISOString()}::timestamptz as live from inbound_events e
      join jsonb_to_recordset(${JSON.stringify(conflicting.map((r) => ({ source_id: r.source_id, key: r.provider_event_id })))}::jsonb) as c(source_id text, key text)
        on e.source_id = c.source_id and e.provider_event_id = c.key
      where e.dedupe_expires_at is not null`,
  );
  const byKey = new Map(holders.map((h) => [`${h.source_id}\u0000${h.provider_event_id}`, h]));
  const ended = holders.filter((h) => !h.live).map((h) => h.id);
  if (ended.length > 0) {
    await tx.execute(
      sql`update inbound_events set dedupe_expires_at = null where id in (select jsonb_array_elements_text(${JSON.stringify(ended)}::jsonb)) and dedupe_expires_at <= ${now.toISOString()}::timestamptz`,
    );
  }
  return conflicting.map((r) => {
    const holder = byKey.get(`${r.source_id}\u0000${r.provider_event_id}`);
    return holder?.live ? { ...r, status: 'duplicate', duplicate_of: holder.id, dedupe_expires_at: null } : r;
  });
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
      waiting.map((e) => ({
        type: PROCESS_JOB,
        payload: { eventId: e.id },
        key: `inbound:${e.id}`,
        organizationId: e.organization_id,
        environmentId: e.environment_id,
        traceContext: traces[e.id] ?? null,
      })),
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
 * stay whatever their age. An event whose deduplication claim is still live (a window longer than
 * the retention) leaves its claim in `inbound_dedupe`. Returns how many went.
 */
export async function pruneInboundEvents(db: Db, before: Date, batch = 5_000, now = new Date()): Promise<number> {
  const old = sql`received_at < ${before.toISOString()}::timestamptz and status in (select jsonb_array_elements_text(${JSON.stringify(SETTLED)}::jsonb))`;
  const live = sql`dedupe_expires_at > ${now.toISOString()}::timestamptz`;
  let total = 0;
  for (;;) {
    const [deleted] = await rows<{ n: number }>(
      db,
      sql`with d as (delete from inbound_events where id in (select id from inbound_events where ${old} and not coalesce(${live}, false) limit ${batch})
        returning 1) select count(*)::int as n from d`,
    );
    total += deleted?.n ?? 0;
    if ((deleted?.n ?? 0) < batch) break;
  }
  for (;;) {
    const n = await db.transaction(async (tx) => {
      const [waiting] = await rows<{ any: boolean }>(tx, sql`select exists (select 1 from inbound_events where ${old} and ${live}) as any`);
      if (!waiting?.any) return 0;
      await lockClaims(tx);
      const [deleted] = await rows<{ n: number }>(
        tx,
        sql`with d as (delete from inbound_events where id in (select id from inbound_events where ${old} and ${live} limit ${batch})
          returning source_id, provider_event_id, id, dedupe_expires_at), ${keepClaims(sql`d`, now)} select count(*)::int as n from d`,
      );
      return deleted?.n ?? 0;
    });
    total += n;
    if (n < batch) return total;
  }
}

/**
 * Before deleting events that may hold live claims: every insert of events that claims reads
 * `inbound_dedupe` `for key share` (a lock this one excludes, taken before the insert's snapshot), so it either finishes before the deleting transaction goes
 * on — its claim then conflicts with the event still there — or starts after it committed and
 * finds the claims moved: never the event gone and its claim not yet moved.
 */
export async function lockClaims(tx: Db): Promise<void> {
  await tx.execute(sql`lock table inbound_dedupe in exclusive mode`);
}

/**
 * A CTE that keeps in `inbound_dedupe` the live claims of the deleted events `deleted` returns
 * (`source_id, provider_event_id, id, dedupe_expires_at`). `now` null: the database's clock.
 */
export function keepClaims(deleted: SQL, now: Date | null): SQL {
  const at = now ? sql`${now.toISOString()}::timestamptz` : sql`now()`;
  return sql`kept as (insert into inbound_dedupe (source_id, key, event_id, expires_at)
    select source_id, provider_event_id, id, dedupe_expires_at from ${deleted} where dedupe_expires_at > ${at}
    on conflict (source_id, key) do update set event_id = excluded.event_id, expires_at = excluded.expires_at where inbound_dedupe.expires_at <= ${at})`;
}
