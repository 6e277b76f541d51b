/**
 * The PostgreSQL connector against the real PostgreSQL of this machine (127.0.0.1:5432, database
 * `test`): a table synced incrementally, and every guardrail refusing what it must, each with a
 * classified error. Tables are made by the postgres simulator with a unique name and dropped after.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/index.ts';
import { createConnectorContext, getConnector, loadRegistry, runConnectionTest, type Connector, type SyncContext, type SyncRecord } from '../../src/connectors/index.ts';
import { closeDatabasePools } from '../../src/connectors/catalog/_postgres/session.ts';
import { startPostgresSimulator, type PostgresSimulatorHandle } from '../../simulators/index.ts';

let sim: PostgresSimulatorHandle;
let connector: Connector;
/** A second table, outside the allow-list. */
let secret: string;

beforeAll(async () => {
  await loadRegistry();
  connector = getConnector('postgres')!;
  sim = await startPostgresSimulator({ records: { orders: 30 } });
  expect(sim.unavailable).toBeUndefined();
  secret = `${sim.table}_secret`;
  await sim.sql(`CREATE TABLE ${secret} (id int PRIMARY KEY, updated_at timestamptz NOT NULL DEFAULT now(), card text)`);
  await sim.sql(`INSERT INTO ${secret} (id, card) VALUES (1, '4242')`);
});
afterAll(async () => {
  await sim.sql(`DROP TABLE IF EXISTS ${secret}`).catch(() => undefined);
  await sim?.close();
  await closeDatabasePools();
});

/** Log lines written by the connector, parsed. */
function captureLogs(): { logger: ReturnType<typeof createLogger>; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ level: 'info', destination }), lines };
}

/** Runs the sync's `exec` as the runner would, with records and the checkpoint kept in memory. */
async function runSync(config: Record<string, string> = {}, checkpoint?: unknown, logger = captureLogs().logger) {
  const saved: SyncRecord[] = [];
  let position = checkpoint;
  let pages = 0;
  const base = createConnectorContext(connector, { credentials: sim.sample.credentials, connectionConfig: { ...sim.sample.connectionConfig, ...config }, logger });
  const ctx: SyncContext = {
    ...base,
    model: 'rows',
    full: checkpoint === undefined,
    since: undefined,
    checkpoint: { get: async <T>() => position as T | undefined, save: async (value) => void (position = value) },
    batchSave: async (records) => void saved.push(...records),
    batchDelete: async () => undefined,
    log: () => undefined,
    paginate: () => {
      throw new Error('a database is not paged over HTTP');
    },
    countPage: () => void pages++,
    signal: new AbortController().signal,
  };
  const error = await connector.syncs[0]!.exec(ctx).then(
    () => undefined,
    (err: unknown) => err as Error & { code?: string; guardrail?: string; byDatabase?: boolean },
  );
  return { saved, checkpoint: position, pages, error };
}

const test = (config: Record<string, string>) =>
  runConnectionTest(connector, { credentials: sim.sample.credentials, connectionConfig: { ...sim.sample.connectionConfig, ...config } });

describe('the PostgreSQL connector', () => {
  it('connects, naming the database and user', async () => {
    const result = await test({});
    expect(result).toMatchObject({ ok: true, accountInfo: { database: 'test', user: 'postgres', sources: 1 } });
  });

  it('syncs a real table incrementally: the second run reads only the rows added or changed since', async () => {
    const first = await runSync({ rowLimit: '10' });
    expect(first.error).toBeUndefined();
    expect(first.saved).toHaveLength(30);
    // Three full pages, then an empty one that ends the table.
    expect(first.pages).toBe(4);
    expect(first.saved[0]).toMatchObject({ externalId: `${sim.table}:1`, data: { id: 1, status: expect.any(String) } });
    expect(first.saved[0]!.updatedAt).toMatch(/^\d{4}-\d\d-\d\dT/);

    await sim.orders.add(2);
    await sim.orders.touch([5]);
    const second = await runSync({ rowLimit: '10' }, first.checkpoint);
    expect(second.error).toBeUndefined();
    expect(second.saved.map((r) => r.externalId)).toEqual([`${sim.table}:31`, `${sim.table}:32`, `${sim.table}:5`]);
    expect(second.saved[2]!.data).toMatchObject({ status: 'updated' });

    const third = await runSync({ rowLimit: '10' }, second.checkpoint);
    expect(third.saved).toEqual([]);
  });

  it('syncs a read-only query over allow-listed tables, incrementally too', async () => {
    const query = `SELECT id, status, updated_at FROM ${sim.table} WHERE status <> 'refunded' -- not refunds`;
    const first = await runSync({ query, rowLimit: '100' });
    expect(first.error).toBeUndefined();
    expect(first.saved.length).toBeGreaterThan(0);
    expect(first.saved.every((r) => r.data.status !== 'refunded' && Object.keys(r.data).length === 3)).toBe(true);
    await sim.orders.add(1);
    const second = await runSync({ query }, first.checkpoint);
    expect(second.saved.map((r) => r.data.id)).toEqual((await sim.sql<{ id: number }>(`SELECT id FROM ${sim.table} WHERE status <> 'refunded' ORDER BY id DESC LIMIT 1`)).map((r) => r.id));
  });

  describe('refuses a write', () => {
    it('before sending, when the query is not a SELECT', async () => {
      const { error } = await runSync({ query: `DELETE FROM ${sim.table}` });
      expect(error).toMatchObject({ code: 'insufficient_permissions', guardrail: 'read_only', byDatabase: false });
      expect(error!.message).toMatch(/only a SELECT .* starts with DELETE/);
      expect(await sim.orders.count()).toBeGreaterThan(0);
    });

    it('before running, when its plan writes (a data-modifying WITH)', async () => {
      const { error } = await runSync({ query: `WITH gone AS (DELETE FROM ${sim.table} RETURNING *) SELECT * FROM gone` });
      expect(error).toMatchObject({ code: 'insufficient_permissions', guardrail: 'read_only' });
      expect(error!.message).toContain(`would DELETE ${sim.table}`);
      expect(await sim.orders.count()).toBeGreaterThan(0);
    });

    it('in the database, whose read-only transaction refuses a write hidden in a SELECT', async () => {
      const { error } = await runSync({ query: `SELECT o.* FROM ${sim.table} o WHERE nextval('${sim.table}_id_seq') > 0` });
      expect(error).toMatchObject({ code: 'insufficient_permissions', guardrail: 'read_only', byDatabase: true });
      expect(error!.message).toContain('read-only transaction');
    });

    it('and says so in the connection test, as a classified failure', async () => {
      const result = await test({ query: `UPDATE ${sim.table} SET status = 'x'` });
      expect(result).toMatchObject({ ok: false, error: { code: 'insufficient_permissions', message: expect.stringContaining('only a SELECT') } });
    });
  });

  it('refuses a second statement before sending anything', async () => {
    const { error } = await runSync({ query: `SELECT * FROM ${sim.table}; DROP TABLE ${sim.table}` });
    expect(error).toMatchObject({ code: 'invalid_configuration', guardrail: 'single_statement' });
    expect(error!.message).toContain('2 statements');
    expect(await sim.orders.count()).toBeGreaterThan(0);
    // A `;` inside a string, a quoted name or a comment is text, not a second statement.
    const quoted = await runSync({ query: `SELECT *, ';' AS "a;b" /* ; */ FROM ${sim.table};` });
    expect(quoted.error).toBeUndefined();
  });

  it('cancels a runaway query at the statement timeout and logs it as slow, without its parameters', async () => {
    const { logger, lines } = captureLogs();
    const started = Date.now();
    const { error } = await runSync({ query: `SELECT o.*, pg_sleep(5) FROM ${sim.table} o`, statementTimeoutMs: '300', slowQueryMs: '100' }, { positions: { query: { cursor: '2000-01-01T00:00:00Z', key: '0' } } }, logger);
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(error).toMatchObject({ code: 'timeout', guardrail: 'statement_timeout', byDatabase: true });
    expect(error!.message).toContain('300 ms');
    const slow = lines.find((l) => l.msg === 'slow query');
    expect(slow).toMatchObject({ failed: true, statement: 'read query', durationMs: expect.any(Number) });
    expect(slow!.durationMs as number).toBeGreaterThanOrEqual(250);
    // The cursor position was a parameter: it appears in no log line.
    expect(JSON.stringify(lines)).not.toContain('2000-01-01');
  });

  it('reads only allow-listed tables: a query reaching another table is refused', async () => {
    const { error } = await runSync({ query: `SELECT o.*, s.card FROM ${sim.table} o JOIN ${secret} s ON s.id = o.id` });
    expect(error).toMatchObject({ code: 'insufficient_permissions', guardrail: 'allow_list' });
    expect(error!.message).toContain(`${secret}, which is not in the connection's allow-list`);
    const catalog = await runSync({ query: `SELECT o.*, c.relname FROM ${sim.table} o, pg_catalog.pg_class c` });
    expect(catalog.error).toMatchObject({ guardrail: 'allow_list' });
  });

  it('syncs each allow-listed table, with ids that name the table', async () => {
    const { saved, error } = await runSync({ tables: `${sim.table}, ${secret}` });
    expect(error).toBeUndefined();
    expect(saved.some((r) => r.externalId === `${secret}:1`)).toBe(true);
  });

  it('holds at most poolSize database sessions for a connection, however many reads run at once', async () => {
    const config = { ...sim.sample.connectionConfig, poolSize: '1', query: `SELECT o.*, pg_sleep(0.2) FROM ${sim.table} o WHERE o.id = 1` };
    const runs = Promise.all([1, 2, 3].map(() => runSync(config)));
    await new Promise((r) => setTimeout(r, 150));
    const [{ n }] = (await sim.sql<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'patchbay' AND query LIKE '%pg_sleep(0.2)%'`)) as [{ n: string }];
    expect(Number(n)).toBeLessThanOrEqual(1);
    for (const run of await runs) expect(run.error).toBeUndefined();
  });

  it('connects with a connection string only to the host the Host field names (the address the network policy checked)', async () => {
    const withString = (connectionString: string) =>
      runConnectionTest(connector, { credentials: { connectionString }, connectionConfig: { host: '127.0.0.1', tls: 'disable', tables: sim.table } });
    expect(await withString('postgres://postgres:any@127.0.0.1:5432/test')).toMatchObject({ ok: true, accountInfo: { database: 'test' } });
    expect(await withString('postgres://postgres:any@localhost:5432/test')).toMatchObject({ ok: false, error: { code: 'invalid_configuration', message: expect.stringContaining('Host field') } });
    expect(await withString('postgres://postgres:any@127.0.0.1/test?host=/var/run/postgresql')).toMatchObject({ ok: false, error: { code: 'invalid_configuration' } });
  });

  it('fails as invalid credentials when the server refuses the password, and as refused when nothing listens', async () => {
    // Trust authentication accepts any password; a role that does not exist is what this server refuses.
    const refusedRole = await test({ user: 'patchbay_no_such_role' });
    expect(refusedRole).toMatchObject({ ok: false, error: { code: 'invalid_credentials' } });
    const nothing = await test({ port: '1' });
    expect(nothing).toMatchObject({ ok: false, error: { code: 'connection_refused' } });
  });
});

describe('counting statements before sending', () => {
  it('treats a ; inside strings, quoted names, dollar quotes and comments as text', async () => {
    const { countStatements, leadingKeyword } = await import('../../src/connectors/catalog/_postgres/sql.ts');
    expect(countStatements(`select 'a;b', "c;d", $$e;f$$, $x$g;$$;h$x$ -- i;j\n /* k; /* nested; */ l; */ from t;`)).toBe(1);
    expect(countStatements(`select E'it\\'s; still one' from t`)).toBe(1);
    expect(countStatements(`select 1; select 2`)).toBe(2);
    expect(countStatements(`select 'unterminated; drop table t`)).toBe(1);
    expect(countStatements(` ; ;`)).toBe(0);
    expect(leadingKeyword(`/* hi */ (select 1)`)).toBe('select');
    expect(leadingKeyword(`-- note\nDELETE FROM t`)).toBe('delete');
  });
});
