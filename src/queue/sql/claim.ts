import { sql } from 'drizzle-orm';
import { rows, type Db } from '../../db/index.ts';
import { rowToJob, type Job, type JobRow } from '../job.ts';

/**
 * Claims up to `limit` due jobs of the given types in one statement: the CTE picks them in
 * priority order and locks them, skipping rows another worker is claiming right now; the update
 * counts the attempt and takes the lease.
 */
export async function batchClaimJobs(
  db: Db,
  input: { workerId: string; types: readonly string[]; limit: number; now: Date; lockedUntil: Date },
): Promise<Job[]> {
  if (input.types.length === 0 || input.limit <= 0) return [];
  const now = input.now.toISOString();
  const claimed = await rows<JobRow>(
    db,
    sql`with candidates as (
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
