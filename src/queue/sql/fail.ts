import { sql } from 'drizzle-orm';
import type { Db } from '../../db/index.ts';
import { notifiedCte, notifyPayload } from '../wake.ts';
import type { HeldJob } from './complete.ts';

export interface FailedJob extends HeldJob {
  error: string;
  /** When to try again; null when no attempt is left and the job is kept as `failed`. */
  retryAt: Date | null;
}

/**
 * Records failures: a job with an attempt left goes back to `pending` at its retry time, the
 * others become `failed`; both keep the error. Only where this worker still holds the job.
 */
export async function batchFailJobs(db: Db, workerId: string, failed: readonly FailedJob[], now: Date): Promise<void> {
  if (failed.length === 0) return;
  const retries = failed.filter((f) => f.retryAt !== null).map((f) => f.retryAt!.getTime());
  const earliest = retries.length > 0 ? Math.min(...retries) : now.getTime();
  const values = failed.map((f) => ({ id: f.id, attempts: f.attempts, error: f.error, retry_at: f.retryAt?.toISOString() ?? null }));
  await db.execute(sql`with updated as (
      update jobs set
        state = case when f.retry_at is null then 'failed' else 'pending' end,
        run_at = coalesce(f.retry_at, jobs.run_at),
        last_error = f.error, locked_by = null, locked_until = null, updated_at = ${now.toISOString()}::timestamptz
      from jsonb_to_recordset(${JSON.stringify(values)}::jsonb) as f(id text, attempts int, error text, retry_at timestamptz)
      where jobs.id = f.id and jobs.attempts = f.attempts and jobs.locked_by = ${workerId}
      returning jobs.state
    ), retried as (select 1 from updated where state = 'pending'),
    ${notifiedCte('retried', notifyPayload(earliest, false))}
    select count(*) from updated left join notified on true`);
}
