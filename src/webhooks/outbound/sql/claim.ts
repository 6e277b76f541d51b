import { sql } from 'drizzle-orm';
import { rows, type Db } from '../../../db/index.ts';

export interface ClaimInput {
  endpointId: string;
  now: Date;
  /** The lease each claimed delivery gets. */
  lockedUntil: Date;
  /** Most deliveries this claim may take (the caller's free slots). */
  max: number;
  /** The endpoint's cap on deliveries in flight, across workers. */
  maxConcurrency: number;
  /** Messages per second, or null. */
  rateLimit: number | null;
  fifo: boolean;
}

export interface ClaimedDelivery {
  messageId: string;
  /** This attempt's number (attempts counted so far, this one included). */
  attempt: number;
  scheduleStart: number;
  trigger: string;
  eventType: string;
  payload: string | null;
}

export interface ClaimResult {
  claimed: ClaimedDelivery[];
  /** Nothing more can be claimed before this instant (pause, rate window); null: no such limit. */
  blockedUntil: Date | null;
}

interface StateRow {
  paused_until: Date | string | null;
  window_start: Date | string | null;
  window_count: number;
}

interface ClaimedRow {
  message_id: string;
  attempts: number;
  schedule_start: number;
  trigger: string;
  event_type: string;
  payload: string | null;
}

const ms = (value: Date | string | null): number | null => (value === null ? null : new Date(value).getTime());

/**
 * Claims due deliveries of one endpoint in one short transaction. The endpoint's state row is
 * locked first, so claimers of the same endpoint take turns: the in-flight count they read
 * (the concurrency cap) and the rate window they update are exact across workers. Deliveries
 * whose lease expired (their worker died) go back to `pending` on the way; rows another
 * transaction holds are skipped, never waited for. A FIFO endpoint claims only its oldest
 * unfinished message, and only when nothing of it is in flight.
 */
export async function claimDeliveries(db: Db, input: ClaimInput): Promise<ClaimResult> {
  const now = input.now.toISOString();
  return db.transaction(async (tx) => {
    let [state] = await rows<StateRow>(tx, sql`select paused_until, window_start, window_count from outbound_endpoint_state where endpoint_id = ${input.endpointId} for update`);
    if (!state) {
      await tx.execute(sql`insert into outbound_endpoint_state (endpoint_id) values (${input.endpointId}) on conflict do nothing`);
      [state] = await rows<StateRow>(tx, sql`select paused_until, window_start, window_count from outbound_endpoint_state where endpoint_id = ${input.endpointId} for update`);
    }
    const nowMs = input.now.getTime();
    const pausedUntil = ms(state!.paused_until);
    if (pausedUntil !== null && pausedUntil > nowMs) return { claimed: [], blockedUntil: new Date(pausedUntil) };

    let limit = input.fifo ? 1 : input.max;
    let windowStart = ms(state!.window_start) ?? nowMs;
    let windowCount = state!.window_count;
    if (input.rateLimit !== null) {
      if (nowMs - windowStart >= 1_000) {
        windowStart = nowMs;
        windowCount = 0;
      }
      const left = input.rateLimit - windowCount;
      if (left <= 0) return { claimed: [], blockedUntil: new Date(windowStart + 1_000) };
      limit = Math.min(limit, left);
    }

    const picked = input.fifo
      ? sql`picked as (
          select head.message_id from (
            select message_id, state, next_attempt_at from outbound_deliveries
            where endpoint_id = ${input.endpointId} and state in ('pending', 'delivering')
            order by message_id limit 1
          ) as head
          where head.state = 'pending' and head.next_attempt_at <= ${now}::timestamptz and (select n from inflight) = 0
        )`
      : sql`picked as (
          select message_id from outbound_deliveries
          where endpoint_id = ${input.endpointId} and state = 'pending' and next_attempt_at <= ${now}::timestamptz
          order by next_attempt_at, message_id
          limit greatest(0, least(${limit}::int, ${input.maxConcurrency}::int - (select n from inflight)))
          for update skip locked
        )`;

    const claimed = await rows<ClaimedRow>(
      tx,
      sql`with reaped as (
          update outbound_deliveries set state = 'pending', locked_until = null, next_attempt_at = ${now}::timestamptz, updated_at = ${now}::timestamptz
          where (message_id, endpoint_id) in (
            select message_id, endpoint_id from outbound_deliveries
            where endpoint_id = ${input.endpointId} and state = 'delivering' and locked_until <= ${now}::timestamptz
            for update skip locked)
          returning message_id
        ),
        inflight as (
          select count(*)::int as n from outbound_deliveries
          where endpoint_id = ${input.endpointId} and state = 'delivering' and locked_until > ${now}::timestamptz
        ),
        ${picked},
        claimed as (
          update outbound_deliveries d set state = 'delivering', attempts = d.attempts + 1,
            locked_until = ${input.lockedUntil.toISOString()}::timestamptz, updated_at = ${now}::timestamptz
          from picked
          where d.endpoint_id = ${input.endpointId} and d.message_id = picked.message_id and d.state = 'pending'
          returning d.message_id, d.attempts, d.schedule_start, d.trigger
        )
        select c.message_id, c.attempts, c.schedule_start, c.trigger, m.event_type, m.payload
        from claimed c join outbound_messages m on m.id = c.message_id
        order by c.message_id`,
    );
    if (input.rateLimit !== null && claimed.length > 0) {
      await tx.execute(sql`update outbound_endpoint_state set window_start = ${new Date(windowStart).toISOString()}::timestamptz,
        window_count = ${windowCount + claimed.length} where endpoint_id = ${input.endpointId}`);
    }
    return {
      claimed: claimed.map((r) => ({ messageId: r.message_id, attempt: r.attempts, scheduleStart: r.schedule_start, trigger: r.trigger, eventType: r.event_type, payload: r.payload })),
      blockedUntil: null,
    };
  });
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
