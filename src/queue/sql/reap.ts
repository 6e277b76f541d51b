import { sql } from 'drizzle-orm';
import { rows, type Db } from '../../db/index.ts';
import { notifiedCte, notifyPayload } from '../wake.ts';

/**
 * Makes jobs whose lease expired (their worker died or hung) pending again, without touching
 * their attempt count: the attempt happened. Returns how many, and when the next lease still held
 * expires, for the caller's timer.
 */
export async function reapExpiredLeases(db: Db, now: Date): Promise<{ reaped: number; nextExpiry: Date | null }> {
  const at = now.toISOString();
  const [result] = await rows<{ reaped: number; next_expiry: Date | string | null }>(
    db,
    sql`with expired as (
      select id from jobs where state = 'running' and locked_until <= ${at}::timestamptz
      for update skip locked
    ), reaped as (
      update jobs set
        state = 'pending', locked_by = null, locked_until = null, updated_at = ${at}::timestamptz,
        last_error = 'lease expired: worker ' || coalesce(jobs.locked_by, '?') || ' stopped renewing it'
      from expired where jobs.id = expired.id
      returning jobs.id
    ), ${notifiedCte('reaped', notifyPayload(now.getTime(), false))}
    select
      (select count(*) from reaped)::int as reaped,
      (select min(locked_until) from jobs where state = 'running' and locked_until > ${at}::timestamptz) as next_expiry
    from (select 1) as one left join notified on true`,
  );
  const next = result?.next_expiry ?? null;
  return { reaped: result?.reaped ?? 0, nextExpiry: next === null ? null : new Date(next) };
}
