import { sql } from 'drizzle-orm';
import type { Db } from '../../db/index.ts';
import { notifiedCte, notifyPayload } from '../wake.ts';
import type { HeldJob } from './complete.ts';

/**
 * Gives jobs back at shutdown: pending and claimable at once, the interrupted attempt not
 * counted (as graphile-worker's returnJobs does).
 */
export async function batchReleaseJobs(db: Db, workerId: string, held: readonly HeldJob[], now: Date): Promise<void> {
  if (held.length === 0) return;
  await db.execute(sql`with released as (
      update jobs set
        state = 'pending', attempts = greatest(jobs.attempts - 1, 0),
        locked_by = null, locked_until = null, updated_at = ${now.toISOString()}::timestamptz
      from jsonb_to_recordset(${JSON.stringify(held)}::jsonb) as held(id text, attempts int)
      where jobs.id = held.id and jobs.attempts = held.attempts and jobs.locked_by = ${workerId}
      returning jobs.id
    ), ${notifiedCte('released', notifyPayload(now.getTime(), false))}
    select count(*) from released left join notified on true`);
}
