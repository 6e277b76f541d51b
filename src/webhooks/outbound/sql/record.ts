import { sql, type SQL } from 'drizzle-orm';
import { newId } from '../../../core/index.ts';
import { rows, type Db } from '../../../db/index.ts';
import { preparedRows } from './prepared.ts';
import type { DeliveryState, ErrorClass } from '../schema.ts';

/** The outcome of one attempt, as the worker hands it to be written. */
export interface AttemptOutcome {
  messageId: string;
  /** The tuple id the claim returned: the row version this attempt holds. */
  tid: string;
  endpointId: string;
  organizationId: string;
  environmentId: string;
  eventType: string;
  attempt: number;
  trigger: string;
  startedAt: Date;
  durationMs: number;
  succeeded: boolean;
  statusCode: number | null;
  responseHeaders: Record<string, string> | null;
  responseBody: string | null;
  errorClass: ErrorClass | null;
  error: string | null;
  /** Where the delivery goes: `succeeded`, back to `pending` (a retry at `nextAttemptAt`) or `failed`. */
  nextState: Exclude<DeliveryState, 'delivering'>;
  nextAttemptAt: Date | null;
  /** The endpoint asked for a pause (`Retry-After`): no attempt before this. */
  pauseUntil?: Date | undefined;
}

export interface AppliedOutcome {
  messageId: string;
  endpointId: string;
  state: DeliveryState;
}

/**
 * Writes a batch of outcomes in one statement: every attempt row, and each delivery's new
 * state — the latter only where the delivery is still this claim (the row version the claim
 * made, still `delivering` with the same attempt count), so a worker that lost a lease cannot
 * overwrite a later attempt. Deliveries are found by tuple id: the plan is a TID scan of the
 * batch, never a scan of every row in flight. Returns the deliveries it moved.
 */
export async function batchRecordAttempts(db: Db, outcomes: readonly AttemptOutcome[], now: Date): Promise<AppliedOutcome[]> {
  if (outcomes.length === 0) return [];
  const applied = await preparedRows<{ message_id: string; endpoint_id: string; state: DeliveryState }>(
    db,
    'outbound_record',
    sql`with ${recordOutcomes(outcomes, now)}
      select * from moved`,
  );
  return applied.map((r) => ({ messageId: r.message_id, endpointId: r.endpoint_id, state: r.state }));
}

/**
 * The common-table expressions that write a batch of outcomes (see `batchRecordAttempts`): `o`
 * (the outcomes), `logged` (the attempt rows) and `moved` (the deliveries moved, returning their
 * message id, endpoint id and new state). A statement that starts with them writes the outcomes
 * whatever else it does: PostgreSQL runs every data-modifying CTE once, read or not.
 */
export function recordOutcomes(outcomes: readonly AttemptOutcome[], now: Date): SQL {
  const values = outcomes.map((o) => ({
    id: newId('att'),
    organization_id: o.organizationId,
    environment_id: o.environmentId,
    message_id: o.messageId,
    endpoint_id: o.endpointId,
    tid: o.tid,
    attempt: o.attempt,
    trigger: o.trigger,
    started_at: o.startedAt.toISOString(),
    duration_ms: o.durationMs,
    succeeded: o.succeeded,
    status_code: o.statusCode,
    response_headers: o.responseHeaders,
    response_body: o.responseBody,
    error_class: o.errorClass,
    error: o.error,
    next_state: o.nextState,
    next_attempt_at: o.nextAttemptAt?.toISOString() ?? null,
  }));
  return sql`o as (
        select * from jsonb_to_recordset(${JSON.stringify(values)}::jsonb) as o(
          id text, organization_id text, environment_id text, message_id text, endpoint_id text, tid tid, attempt int, trigger text,
          started_at timestamptz, duration_ms int, succeeded boolean, status_code int, response_headers jsonb, response_body text,
          error_class text, error text, next_state text, next_attempt_at timestamptz)
      ),
      logged as (
        insert into outbound_attempts (id, organization_id, environment_id, message_id, endpoint_id, attempt, trigger, started_at,
          duration_ms, succeeded, status_code, response_headers, response_body, error_class, error, next_attempt_at, created_at)
        select id, organization_id, environment_id, message_id, endpoint_id, attempt, trigger, started_at,
          duration_ms, succeeded, status_code, response_headers, response_body, error_class, error, next_attempt_at, ${now.toISOString()}::timestamptz
        from o
        on conflict do nothing
      ),
      moved as (
        update outbound_deliveries d set state = o.next_state, next_attempt_at = o.next_attempt_at, locked_until = null,
          last_attempt_at = o.started_at, last_status_code = o.status_code, last_error = o.error, updated_at = ${now.toISOString()}::timestamptz
        from o
        where d.ctid = any (array(select tid from o)) and d.ctid = o.tid
          and d.message_id = o.message_id and d.endpoint_id = o.endpoint_id and d.attempts = o.attempt and d.state = 'delivering'
        returning d.message_id, d.endpoint_id, d.state
      )`;
}

/** Gives claimed deliveries back untried (shutdown): pending at once, the claim not counted. */
export async function batchReleaseDeliveries(db: Db, held: readonly { messageId: string; endpointId: string; attempt: number }[], now: Date): Promise<void> {
  if (held.length === 0) return;
  const values = held.map((h) => ({ message_id: h.messageId, endpoint_id: h.endpointId, attempt: h.attempt }));
  await db.execute(sql`update outbound_deliveries d set state = 'pending', attempts = d.attempts - 1, locked_until = null,
      next_attempt_at = ${now.toISOString()}::timestamptz, updated_at = ${now.toISOString()}::timestamptz
    from jsonb_to_recordset(${JSON.stringify(values)}::jsonb) as h(message_id text, endpoint_id text, attempt int)
    where d.message_id = h.message_id and d.endpoint_id = h.endpoint_id and d.attempts = h.attempt and d.state = 'delivering'`);
}

export interface StreakChange {
  endpointId: string;
  /** `clear`: the last outcome succeeded; `start`: failing since `since`; `extend`: still failing (keep an earlier start). */
  mode: 'clear' | 'start' | 'extend';
  since: Date | null;
  pauseUntil: Date | null;
}

/**
 * Updates endpoints' failure streaks and pauses; returns each listed endpoint's `failing_since`
 * (null: not failing). The rows are locked in id order first, so two workers recording for the
 * same endpoints cannot deadlock.
 */
export async function applyStreaks(db: Db, changes: readonly StreakChange[]): Promise<Map<string, Date | null>> {
  if (changes.length === 0) return new Map();
  const values = changes.map((c) => ({ endpoint_id: c.endpointId, mode: c.mode, since: c.since?.toISOString() ?? null, pause_until: c.pauseUntil?.toISOString() ?? null }));
  const json = JSON.stringify(values);
  await db.execute(sql`select 1 from outbound_endpoint_state
    where endpoint_id in (select endpoint_id from jsonb_to_recordset(${json}::jsonb) as c(endpoint_id text))
    order by endpoint_id for update`);
  const updated = await rows<{ endpoint_id: string; failing_since: Date | string | null }>(
    db,
    sql`update outbound_endpoint_state s set
        failing_since = case c.mode when 'clear' then null when 'start' then c.since else coalesce(s.failing_since, c.since) end,
        paused_until = case when c.pause_until is null then s.paused_until else greatest(coalesce(s.paused_until, c.pause_until), c.pause_until) end
      from jsonb_to_recordset(${json}::jsonb) as c(endpoint_id text, mode text, since timestamptz, pause_until timestamptz)
      where s.endpoint_id = c.endpoint_id
      returning s.endpoint_id, s.failing_since`,
  );
  return new Map(updated.map((r) => [r.endpoint_id, r.failing_since ? new Date(r.failing_since) : null]));
}
