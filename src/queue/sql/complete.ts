import { sql } from 'drizzle-orm';
import type { Db } from '../../db/index.ts';

/** A job as its worker holds it: the attempt tells this claim from a later claim of the same job. */
export interface HeldJob {
  id: string;
  attempts: number;
}

/** Deletes completed jobs, only where this worker still holds them (same claim). */
export async function batchCompleteJobs(db: Db, workerId: string, held: readonly HeldJob[]): Promise<void> {
  if (held.length === 0) return;
  await db.execute(sql`delete from jobs
    using jsonb_to_recordset(${JSON.stringify(held)}::jsonb) as done(id text, attempts int)
    where jobs.id = done.id and jobs.attempts = done.attempts and jobs.locked_by = ${workerId}`);
}
