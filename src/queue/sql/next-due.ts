import { sql } from 'drizzle-orm';
import { rows, type Db } from '../../db/index.ts';

/** The earliest future `run_at` among pending jobs of these types (for the worker's timer). */
export async function nextDueAt(db: Db, types: readonly string[], now: Date): Promise<Date | null> {
  if (types.length === 0) return null;
  const [row] = await rows<{ next: Date | string | null }>(
    db,
    sql`select min(run_at) as next from jobs
      where state = 'pending' and run_at > ${now.toISOString()}::timestamptz
        and type in (${sql.join(types.map((t) => sql`${t}`), sql`, `)})`,
  );
  return row?.next ? new Date(row.next) : null;
}
