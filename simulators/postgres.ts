/**
 * The PostgreSQL connector's "simulator" is no fake: a real table in the local PostgreSQL
 * (127.0.0.1:5432, trust authentication, database `test`, as on the development and CI machines),
 * made with a unique name when the simulator starts and dropped when it closes. Its rows follow
 * the shape the connector expects of a synced table: a key, and an `updated_at` every insert and
 * update moves (clock_timestamp(), so rows inserted together still differ).
 *
 * With no PostgreSQL listening it starts anyway, empty, and says so in `unavailable`. Under the
 * demo (mounted on the hub) it never touches a database: `npm start` makes no tables in a
 * developer's local PostgreSQL, and must not fail for a database it does not use.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createControl } from './support/control.ts';
import type { Dataset } from './support/dataset.ts';
import type { SimulatorHandle, SimulatorOptions, SimulatorProfile, StartSimulator } from './support/handle.ts';

export const LOCAL_POSTGRES = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' } as const;

export interface PostgresOrder {
  id: number;
  customer_email: string;
  status: string;
  total_cents: number;
  updated_at: string;
}

/**
 * The table's rows, as a simulator's dataset. Writes go to the database, so `add`, `touch` and
 * `remove` return promises (a caller awaits them; the conformance suite does).
 */
export interface TableDataset {
  readonly table: string;
  add(n: number): Promise<PostgresOrder[]>;
  touch(ids: readonly number[]): Promise<PostgresOrder[]>;
  remove(ids: readonly number[]): Promise<number[]>;
  count(): Promise<number>;
}

export interface PostgresSimulatorHandle extends SimulatorHandle {
  /** The table, schema-qualified (`public.pb_sim_…_orders`). */
  table: string;
  orders: TableDataset;
  /** Why the database could not be reached, when it could not. */
  unavailable?: string;
  /** A statement on the test database (to make more tables, sequences, slow functions). */
  sql<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]>;
}

const DEFAULT_COUNT = 120;
const PROFILE: SimulatorProfile = {
  // 120 rows at 50 a query: three pages.
  records: { rows: { dataset: 'orders', count: DEFAULT_COUNT } },
};

async function start(options: SimulatorOptions = {}): Promise<PostgresSimulatorHandle> {
  const table = `pb_sim_${randomBytes(4).toString('hex')}_orders`;
  const qualified = `public.${table}`;
  const client = new pg.Client({ ...LOCAL_POSTGRES, connectionTimeoutMillis: 2_000, application_name: 'patchbay-simulator' });
  let unavailable: string | undefined = options.mount ? 'the demo does not make tables in a local database' : undefined;
  if (!unavailable) {
    try {
      await client.connect();
    } catch (err) {
      unavailable = `no PostgreSQL at ${LOCAL_POSTGRES.host}:${LOCAL_POSTGRES.port}: ${(err as Error).message}`;
    }
  }
  const sql = async <R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> => {
    if (unavailable) throw new Error(unavailable);
    return (await client.query<R>(text, values)).rows;
  };
  const insert = async (n: number): Promise<PostgresOrder[]> => {
    if (n <= 0) return [];
    // One row at a time is slow; generate_series makes them in one statement, each with its own clock_timestamp().
    return sql<PostgresOrder>(
      `INSERT INTO ${qualified} (customer_email, status, total_cents)
        SELECT 'customer' || (g % 40) || '@patchbay-sim.example', (ARRAY['pending','paid','shipped','refunded'])[1 + g % 4], 1000 + (g % 50) * 250
        FROM generate_series(1, $1::int) AS g ORDER BY g RETURNING *`,
      [n],
    );
  };
  if (!unavailable) {
    await sql(`CREATE TABLE ${qualified} (
      id serial PRIMARY KEY,
      customer_email text NOT NULL,
      status text NOT NULL,
      total_cents integer NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT clock_timestamp())`);
    await insert(options.records?.orders ?? DEFAULT_COUNT);
  }
  const orders: TableDataset = {
    table: qualified,
    add: insert,
    touch: (ids) => sql<PostgresOrder>(`UPDATE ${qualified} SET status = 'updated', updated_at = clock_timestamp() WHERE id = ANY($1::int[]) RETURNING *`, [ids]),
    remove: async (ids) => (await sql<{ id: number }>(`DELETE FROM ${qualified} WHERE id = ANY($1::int[]) RETURNING id`, [ids])).map((r) => r.id),
    count: async () => Number((await sql<{ n: string }>(`SELECT count(*) AS n FROM ${qualified}`))[0]!.n),
  };
  const url = `postgres://${LOCAL_POSTGRES.host}:${LOCAL_POSTGRES.port}/${LOCAL_POSTGRES.database}`;
  return {
    key: 'postgres',
    url,
    baseUrl: url,
    table: qualified,
    orders,
    ...(unavailable ? { unavailable } : {}),
    sql,
    sample: {
      // Trust authentication: any password is accepted, as a real server's pg_hba.conf may allow locally.
      credentials: { password: 'patchbay-simulator' },
      connectionConfig: { host: LOCAL_POSTGRES.host, port: String(LOCAL_POSTGRES.port), user: LOCAL_POSTGRES.user, database: LOCAL_POSTGRES.database, tls: 'disable', tables: qualified, rowLimit: '50' },
      integrationConfig: {},
      metadata: {},
    },
    // No HTTP: the control is inert (the conformance suite's HTTP checks do not apply to a database).
    control: createControl(),
    // The conformance suite adds rows through `data[dataset].add(n)` and awaits what it returns.
    data: { orders: orders as unknown as Dataset<unknown> },
    profile: PROFILE,
    async close() {
      if (unavailable) return;
      await sql(`DROP TABLE IF EXISTS ${qualified}`).catch(() => undefined);
      await client.end().catch(() => undefined);
    },
  };
}

export const startPostgresSimulator: typeof start & { profile: SimulatorProfile } = Object.assign(start, { profile: PROFILE });
// It is one of the simulators (simulators/index.ts lists it with the others).
startPostgresSimulator satisfies StartSimulator;
