import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { SQL } from 'drizzle-orm';

/**
 * A Drizzle database or transaction: PGlite and node-postgres both produce one, and a transaction
 * is a database too, so every data function takes `Db` and works inside the caller's transaction.
 */
export type Db = PgDatabase<PgQueryResultHKT>;

/** Runs a raw SQL statement and returns its rows (the same shape on pg and PGlite). */
export async function rows<T>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}
