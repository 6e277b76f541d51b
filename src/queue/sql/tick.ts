import { sql } from 'drizzle-orm';
import { rows, type Db } from '../../db/index.ts';

/**
 * Claims one cron tick of a recurring job: true in exactly one process, the one whose upsert
 * moved `last_tick_at` forward. Run it in the transaction that enqueues the tick's job.
 */
export async function claimScheduleTick(tx: Db, name: string, tick: Date, now: Date): Promise<boolean> {
  const claimed = await rows<{ name: string }>(
    tx,
    sql`insert into job_schedules (name, last_tick_at, updated_at)
      values (${name}, ${tick.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz)
      on conflict (name) do update set last_tick_at = excluded.last_tick_at, updated_at = excluded.updated_at
      where job_schedules.last_tick_at < excluded.last_tick_at
      returning name`,
  );
  return claimed.length > 0;
}
