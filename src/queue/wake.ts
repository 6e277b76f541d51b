/**
 * How idle workers learn that a job became claimable. Every statement that makes a job claimable
 * (enqueue, a retry, a release, an expired lease, an admin retry) sends `NOTIFY patchbay_jobs` in
 * its transaction, so PostgreSQL delivers it at commit to the workers of every process. The
 * payload is the earliest `run_at` (epoch ms) it made claimable, so a worker arms a timer for a
 * job due later instead of polling for it.
 *
 * A statement that commits on its own (not inside a caller's transaction) also wakes the workers
 * of this process directly, without waiting for the notification's round trip; its payload then
 * carries this process's token and local workers ignore the echo.
 */
import { sql, type SQL } from 'drizzle-orm';
import { randomToken } from '../core/index.ts';

export const JOBS_CHANNEL = 'patchbay_jobs';

const PROCESS_TOKEN = randomToken(5);

export type Waiter = (runAtMs: number) => void;
const waiters = new Set<Waiter>();

/** Subscribes a local worker; returns the unsubscribe. */
export function onLocalWake(waiter: Waiter): () => void {
  waiters.add(waiter);
  return () => waiters.delete(waiter);
}

export function wakeLocal(runAtMs: number): void {
  for (const waiter of waiters) waiter(runAtMs);
}

/** The NOTIFY payload: `<runAtMs>` or `<runAtMs>:<token>` when local workers were woken already. */
export function notifyPayload(runAtMs: number, wokeLocally: boolean): string {
  return wokeLocally ? `${runAtMs}:${PROCESS_TOKEN}` : String(runAtMs);
}

/** Parses a payload; undefined for an echo of this process's own direct wake-up. */
export function parseNotifyPayload(payload: string): number | undefined {
  const [ms, token] = payload.split(':');
  if (token === PROCESS_TOKEN) return undefined;
  const value = Number(ms);
  return Number.isFinite(value) ? value : 0;
}

/**
 * A CTE named `notified` that sends the notification only when the CTE `source` produced a row.
 * The main query must reference it (`left join notified on true`), or PostgreSQL skips it.
 */
export function notifiedCte(source: string, payload: string): SQL {
  return sql`notified as (select pg_notify(${JOBS_CHANNEL}, ${payload}) from (select 1 from ${sql.raw(source)} limit 1) as any_row)`;
}
