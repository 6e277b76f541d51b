import { sql, type SQL } from 'drizzle-orm';
import type { TraceContext } from '../../../core/tracing.ts';
import { rows, type Db } from '../../../db/index.ts';
import { preparedRows } from './prepared.ts';
import { batchRecordAttempts, recordOutcomes, type AttemptOutcome } from './record.ts';

/** What a dispatch run learns when it takes hold of an endpoint. */
export interface Hold {
  pausedUntil: Date | null;
  windowStart: Date | null;
  windowCount: number;
}

interface StateRow {
  paused_until: Date | string | null;
  window_start: Date | string | null;
  window_count: number;
}

const date = (value: Date | string | null): Date | null => (value === null ? null : new Date(value));

/** Another run holds the endpoint until `until` (if its worker died, the hold ends then). */
export interface HeldElsewhere {
  heldUntil: Date | null;
}

/**
 * Takes hold of an endpoint for one dispatch run, unless another live run holds it (then that run
 * delivers whatever this one was woken for, and the answer says until when it holds). A hold ends
 * at `release`, or at `until` if its worker died. Taking it also hands back deliveries whose
 * lease expired.
 */
export async function acquireEndpoint(db: Db, input: { endpointId: string; runId: string; now: Date; until: Date }): Promise<Hold | HeldElsewhere> {
  const now = input.now.toISOString();
  const take = () =>
    rows<StateRow>(
      db,
      sql`update outbound_endpoint_state set dispatcher_id = ${input.runId}, dispatcher_until = ${input.until.toISOString()}::timestamptz
        where endpoint_id = ${input.endpointId} and (dispatcher_id is null or dispatcher_until <= ${now}::timestamptz)
        returning paused_until, window_start, window_count`,
    );
  let [state] = await take();
  if (!state) {
    await db.execute(sql`insert into outbound_endpoint_state (endpoint_id) values (${input.endpointId}) on conflict do nothing`);
    [state] = await take();
    if (!state) {
      const [holder] = await rows<{ until: Date | string | null }>(db, sql`select dispatcher_until as until from outbound_endpoint_state where endpoint_id = ${input.endpointId}`);
      return { heldUntil: date(holder?.until ?? null) };
    }
  }
  await db.execute(sql`update outbound_deliveries set state = 'pending', locked_until = null, next_attempt_at = ${now}::timestamptz, updated_at = ${now}::timestamptz
    where endpoint_id = ${input.endpointId} and state = 'delivering' and locked_until <= ${now}::timestamptz`);
  return { pausedUntil: date(state.paused_until), windowStart: date(state.window_start), windowCount: state.window_count };
}

/** Lets go of the endpoint, keeping the rate window for the next run. */
export async function releaseEndpoint(db: Db, input: { endpointId: string; runId: string; windowStart: Date | null; windowCount: number }): Promise<void> {
  await db.execute(sql`update outbound_endpoint_state set dispatcher_id = null, dispatcher_until = null,
      window_start = ${input.windowStart?.toISOString() ?? null}::timestamptz, window_count = ${input.windowCount}
    where endpoint_id = ${input.endpointId} and dispatcher_id = ${input.runId}`);
}

export interface ClaimInput {
  endpointId: string;
  now: Date;
  /** The lease each claimed delivery gets. */
  lockedUntil: Date;
  max: number;
  /** Only the oldest unfinished message, and only if it is due (FIFO endpoints). */
  fifo: boolean;
}

export interface ClaimedDelivery {
  messageId: string;
  /** The claimed row version's tuple id: the outcome updates exactly that version (see record.ts). */
  tid: string;
  /** This attempt's number (attempts counted so far, this one included). */
  attempt: number;
  scheduleStart: number;
  trigger: string;
  eventType: string;
  payload: string | null;
  /** The publish's trace context (tracing on), for the attempt's span to join. */
  traceContext: TraceContext | null;
}

export interface Claimed {
  deliveries: ClaimedDelivery[];
  /**
   * The endpoint's and its environment's row versions (`xmin`) when the claim ran, null when it
   * claimed nothing: a dispatch run compares it with the version it loaded, so any change to the
   * endpoint (URL, headers, keys, disable) applies from the next claim on, without a re-read.
   */
  version: string | null;
}

interface ClaimedRow {
  endpoint_id: string;
  message_id: string;
  tid: string;
  attempts: number;
  schedule_start: number;
  trigger: string;
  event_type: string;
  payload: string | null;
  trace_context: TraceContext | null;
  version: string | null;
}

/** The versions an endpoint's dispatch depends on: its row and its environment's (network policy). */
export const targetVersion = (endpointId: SQL): SQL =>
  sql`(select e.xmin::text || '/' || v.xmin::text from outbound_endpoints e join environments v on v.id = e.environment_id where e.id = ${endpointId})`;

const toClaimed = (r: ClaimedRow): ClaimedDelivery => ({
  messageId: r.message_id,
  tid: r.tid,
  attempt: r.attempts,
  scheduleStart: r.schedule_start,
  trigger: r.trigger,
  eventType: r.event_type,
  payload: r.payload,
  traceContext: r.trace_context ?? null,
});

/**
 * Claims up to `max` due deliveries of one endpoint in one statement: oldest due first, each
 * counted as an attempt and leased. Only the run holding the endpoint claims, so the rows need no
 * `for update` (which would write each row twice); a row another transaction changed meanwhile (a
 * resend, a disable) no longer matches its tuple id or `pending`, and is left out.
 */
export async function claimDeliveries(db: Db, input: ClaimInput): Promise<Claimed> {
  if (!input.fifo) return (await claimForEndpoints(db, input.now, [input])).get(input.endpointId) ?? { deliveries: [], version: null };
  const now = input.now.toISOString();
  // Rows are picked (and locked) by the index, then updated by their tuple id: the plan cannot
  // turn into a scan of the endpoint's rows, whatever the statistics say.
  const claimed = await preparedRows<ClaimedRow>(
    db,
    'outbound_claim_fifo',
    sql`with picked as (
        select head.ctid from (
          select ctid, state, next_attempt_at from outbound_deliveries
          where endpoint_id = ${input.endpointId} and fifo and state in ('pending', 'delivering')
          order by message_id limit 1
        ) as head
        where head.state = 'pending' and head.next_attempt_at <= ${now}::timestamptz
      ),
      claimed as (
        update outbound_deliveries d set state = 'delivering', attempts = d.attempts + 1,
          locked_until = ${input.lockedUntil.toISOString()}::timestamptz, updated_at = ${now}::timestamptz
        where d.ctid = any (array(select ctid from picked)) and d.state = 'pending'
        returning d.endpoint_id, d.message_id, d.ctid::text as tid, d.attempts, d.schedule_start, d.trigger
      )
      select c.endpoint_id, c.message_id, c.tid, c.attempts, c.schedule_start, c.trigger, m.event_type, m.payload, m.trace_context,
        ${targetVersion(sql`${input.endpointId}`)} as version
      from claimed c join outbound_messages m on m.id = c.message_id`,
  );
  return { deliveries: claimed.map(toClaimed), version: claimed[0]?.version ?? null };
}

export interface ClaimRequest {
  endpointId: string;
  lockedUntil: Date;
  max: number;
}

/**
 * `claimDeliveries` for several (non-FIFO) endpoints in one statement, each with its own limit
 * and lease: the dispatch runs of one process that want work at the same moment (a publish to
 * four endpoints wakes four runs) share one round trip instead of making one each.
 */
export async function claimForEndpoints(db: Db, now: Date, requests: readonly ClaimRequest[]): Promise<Map<string, Claimed>> {
  if (requests.length === 0) return new Map();
  return byEndpoint(await preparedRows<ClaimedRow>(db, 'outbound_claim_many', sql`with ${claimMany(now, requests)}`));
}

/**
 * `claimForEndpoints` that first writes a batch of outcomes (sql/record.ts), in one statement:
 * the attempts a run finished are recorded by the round trip that claims its next deliveries.
 * The two never touch one row: the outcomes move deliveries that are `delivering` in the
 * statement's snapshot, the claim takes only those `pending` in it.
 */
export async function recordAndClaim(db: Db, now: Date, outcomes: readonly AttemptOutcome[], requests: readonly ClaimRequest[]): Promise<Map<string, Claimed>> {
  if (outcomes.length === 0) return claimForEndpoints(db, now, requests);
  if (requests.length === 0) {
    await batchRecordAttempts(db, outcomes, now);
    return new Map();
  }
  return byEndpoint(await preparedRows<ClaimedRow>(db, 'outbound_record_claim_many', sql`with ${recordOutcomes(outcomes, now)}, ${claimMany(now, requests)}`));
}

/** The claim's common-table expressions and final select (see `claimForEndpoints`), after a `with`. */
function claimMany(now: Date, requests: readonly ClaimRequest[]): SQL {
  const at = now.toISOString();
  const wanted = requests.map((r) => ({ endpoint_id: r.endpointId, max: r.max, locked_until: r.lockedUntil.toISOString() }));
  return sql`wanted as (
        select * from jsonb_to_recordset(${JSON.stringify(wanted)}::jsonb) as w(endpoint_id text, max int, locked_until timestamptz)
      ),
      picked as (
        select p.ctid, w.locked_until from wanted w cross join lateral (
          select ctid from outbound_deliveries
          where endpoint_id = w.endpoint_id and state = 'pending' and next_attempt_at <= ${at}::timestamptz
          order by next_attempt_at, message_id
          limit w.max
        ) as p
      ),
      claimed as (
        update outbound_deliveries d set state = 'delivering', attempts = d.attempts + 1,
          locked_until = p.locked_until, updated_at = ${at}::timestamptz
        from picked p
        where d.ctid = any (array(select ctid from picked)) and d.ctid = p.ctid and d.state = 'pending'
        returning d.endpoint_id, d.message_id, d.ctid::text as tid, d.attempts, d.schedule_start, d.trigger
      ),
      versions as materialized (select w.endpoint_id, ${targetVersion(sql`w.endpoint_id`)} as version from wanted w)
      select c.endpoint_id, c.message_id, c.tid, c.attempts, c.schedule_start, c.trigger, m.event_type, m.payload, m.trace_context, v.version
      from claimed c join outbound_messages m on m.id = c.message_id join versions v on v.endpoint_id = c.endpoint_id
      order by c.endpoint_id, c.message_id`;
}

function byEndpoint(claimed: readonly ClaimedRow[]): Map<string, Claimed> {
  const result = new Map<string, Claimed>();
  for (const row of claimed) {
    let entry = result.get(row.endpoint_id);
    if (!entry) result.set(row.endpoint_id, (entry = { deliveries: [], version: row.version }));
    entry.deliveries.push(toClaimed(row));
  }
  return result;
}

/** When this endpoint next has something to claim: its earliest due retry or lease expiry. */
export async function nextWorkAt(db: Db, endpointId: string): Promise<Date | null> {
  const [row] = await rows<{ at: Date | string | null }>(
    db,
    sql`select least(
      (select min(next_attempt_at) from outbound_deliveries where endpoint_id = ${endpointId} and state = 'pending'),
      (select min(locked_until) from outbound_deliveries where endpoint_id = ${endpointId} and state = 'delivering')) as at`,
  );
  return row?.at ? new Date(row.at) : null;
}
