import { sql } from 'drizzle-orm';
import { rows, type Db } from '../../db/index.ts';
import { rowToJob, type Job, type JobRow } from '../job.ts';
import type { HeldJob } from './complete.ts';

export interface ClaimInput {
  workerId: string;
  types: readonly string[];
  limit: number;
  now: Date;
  lockedUntil: Date;
  /** Jobs this worker finished since its last claim: deleted by the same statement. */
  completed?: readonly HeldJob[];
}

/**
 * Claims up to `limit` due jobs of the given types in one statement: the CTE picks them in
 * priority order and locks them, skipping rows another worker is claiming right now; the update
 * counts the attempt and takes the lease. The statement also deletes the jobs this worker
 * completed since its last claim, so under load a job costs about half a statement.
 * (20,000 no-op jobs, concurrency 20: 9,000 jobs/s with a separate completion statement.)
 */
export async function batchClaimJobs(db: Db, input: ClaimInput): Promise<Job[]> {
  const completed = input.completed ?? [];
  if (input.types.length === 0 || input.limit <= 0) return [];
  const now = input.now.toISOString();
  const complete =
    completed.length === 0
      ? sql``
      : sql`completed as (
          delete from jobs using jsonb_to_recordset(${JSON.stringify(completed)}::jsonb) as done(id text, attempts int)
          where jobs.id = done.id and jobs.attempts = done.attempts and jobs.locked_by = ${input.workerId}
        ),`;
  const claimed = await rows<JobRow>(
    db,
    sql`with ${complete} candidates as (
      select id from jobs
      where state = 'pending' and run_at <= ${now}::timestamptz
        and type in (${sql.join(input.types.map((t) => sql`${t}`), sql`, `)})
      order by priority, run_at, id
      limit ${input.limit}
      for update skip locked
    )
    update jobs set
      state = 'running', attempts = jobs.attempts + 1, locked_by = ${input.workerId},
      locked_until = ${input.lockedUntil.toISOString()}::timestamptz, updated_at = ${now}::timestamptz
    from candidates where jobs.id = candidates.id
    returning jobs.*`,
  );
  return claimed.map(rowToJob).sort((a, b) => a.priority - b.priority || a.runAt.getTime() - b.runAt.getTime() || (a.id < b.id ? -1 : 1));
}
