import pg from 'pg';
import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { rows, type Db } from '../../../db/index.ts';

const dialect = new PgDialect();

/**
 * Runs a hot statement as a named prepared statement when the database is a node-postgres pool:
 * parsed and planned once per connection instead of every time. (Measured: planning the claim
 * took 0.49 ms, longer than running it, 0.36 ms for 16 rows.) On PGlite, or inside a
 * transaction, it runs like `rows`. The text under one `name` must never change.
 */
export async function preparedRows<T>(db: Db, name: string, query: SQL): Promise<T[]> {
  const client = (db as { $client?: unknown }).$client;
  if (!(client instanceof pg.Pool)) return rows<T>(db, query);
  const { sql: text, params } = dialect.sqlToQuery(query);
  return (await client.query({ name, text, values: params })).rows as T[];
}
