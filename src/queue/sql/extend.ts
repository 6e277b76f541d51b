import { sql } from 'drizzle-orm';
import { rows, type Db } from '../../db/index.ts';
import type { HeldJob } from './complete.ts';

/**
 * The heartbeat: extends the leases this worker still holds and returns their ids. A lease that
 * has expired is lost even if nobody took the job yet, so a job missing from the answer must
 * stop: another worker may be running it.
 */
export async function batchExtendLeases(
  db: Db,
  input: { workerId: string; held: readonly HeldJob[]; now: Date; lockedUntil: Date },
): Promise<Set<string>> {
  if (input.held.length === 0) return new Set();
  const extended = await rows<{ id: string }>(
    db,
    sql`update jobs set locked_until = ${input.lockedUntil.toISOString()}::timestamptz
      from jsonb_to_recordset(${JSON.stringify(input.held)}::jsonb) as held(id text, attempts int)
      where jobs.id = held.id and jobs.attempts = held.attempts and jobs.locked_by = ${input.workerId}
        and jobs.state = 'running' and jobs.locked_until > ${input.now.toISOString()}::timestamptz
      returning jobs.id`,
  );
  return new Set(extended.map((r) => r.id));
}
