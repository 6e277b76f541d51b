/**
 * How the PostgreSQL connector talks to a database: a small pool per connection, and every query
 * inside a read-only transaction with a statement timeout, timed, and logged when slow (with its
 * duration and text, never its parameters).
 *
 * Three layers keep a connection read-only: the text is checked before sending (one statement,
 * a SELECT: source.ts), its plan is checked for writes (`EXPLAIN`), and each transaction is
 * `BEGIN TRANSACTION READ ONLY`, in which the database refuses any write (SQLSTATE 25006). The
 * credential should still be a read-only role: these guard against mistakes, not against a
 * superuser.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { ProviderFailureError, type ConnectorContext } from '../../sdk.ts';
import { databaseFailure } from './errors.ts';

export interface DatabaseSettings {
  /** What pg connects with (host, user, password, TLS…). */
  connection: pg.ClientConfig;
  /** `host:port`, for messages. */
  where: string;
  statementTimeoutMs: number;
  /** The most rows one query may return; every read is `LIMIT`ed to it. */
  rowLimit: number;
  slowQueryMs: number;
  poolSize: number;
}

/** A bounded integer from a configuration value (the manifest's pattern already says digits). */
function int(value: string | undefined, fallback: number, min: number, max: number): number {
  const n = value === undefined || value === '' ? fallback : Number(value);
  return Number.isInteger(n) ? Math.min(max, Math.max(min, n)) : fallback;
}

/** The settings of one connection, from its configuration and credentials. */
export function settingsOf(ctx: Pick<ConnectorContext, 'config' | 'credentials'>): DatabaseSettings {
  const { config, credentials } = ctx;
  const tls = config.tls ?? 'verify-full';
  const ssl: pg.ClientConfig['ssl'] = tls === 'disable' ? false : { rejectUnauthorized: tls === 'verify-full', ...(config.caCertificate ? { ca: config.caCertificate } : {}) };
  const statementTimeoutMs = int(config.statementTimeoutMs, 10_000, 100, 300_000);
  // Read-only and the timeouts are set per transaction (readOnly below), not as startup
  // parameters: poolers such as PgBouncer refuse `options` and `statement_timeout` at startup.
  const guard = {
    // pg's own timer: a server that ignores the statement timeout (a proxy in between) still ends.
    query_timeout: statementTimeoutMs + 5_000,
    application_name: 'patchbay',
    connectionTimeoutMillis: 10_000,
  };
  let connection: pg.ClientConfig;
  let where: string;
  if (credentials.connectionString) {
    const url = checkedConnectionString(credentials.connectionString, config.host);
    where = `${url.hostname}:${url.port || 5432}`;
    connection = { connectionString: credentials.connectionString, ...(config.tls ? { ssl } : {}), ...guard };
  } else {
    const port = int(config.port, 5432, 1, 65_535);
    where = `${config.host ?? 'localhost'}:${port}`;
    connection = { host: config.host, port, user: config.user, database: config.database, password: credentials.password ?? '', ssl, ...guard };
  }
  return {
    connection,
    where,
    statementTimeoutMs,
    rowLimit: int(config.rowLimit, 1_000, 1, 10_000),
    slowQueryMs: int(config.slowQueryMs, 1_000, 1, 600_000),
    poolSize: int(config.poolSize, 2, 1, 5),
  };
}

/**
 * A connection string whose server is the Host field: that field is the address checked against
 * the environment's network policy (the SSRF guard) when the connection is made, so the string may
 * not name another one — nor a Unix socket (`?host=/var/run/…`), which would reach this server's
 * own database as its own user.
 */
function checkedConnectionString(text: string, host: string | undefined): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ProviderFailureError('invalid_configuration', 'the connection string is not a postgres:// URL');
  }
  if (['host', 'hostaddr', 'port'].some((name) => url.searchParams.has(name))) {
    throw new ProviderFailureError('invalid_configuration', 'the connection string may not set host, hostaddr or port as parameters: put the server in the URL');
  }
  if (!host || url.hostname.replace(/^\[|\]$/g, '').toLowerCase() !== host.replace(/:\d+$/, '').toLowerCase()) {
    throw new ProviderFailureError('invalid_configuration', `the connection string's host must also be given as the Host field (it is the address the network policy checks)`);
  }
  return url;
}

/** Pools by connection settings (a digest: the password is part of them). */
const pools = new Map<string, { pool: pg.Pool; usedAt: number }>();
/** Beyond this many pools, the least recently used one is closed. */
const MAX_POOLS = 50;

function poolFor(settings: DatabaseSettings): pg.Pool {
  const id = createHash('sha256').update(JSON.stringify([settings.connection, settings.poolSize])).digest('hex');
  const known = pools.get(id);
  if (known) {
    known.usedAt = Date.now();
    return known.pool;
  }
  if (pools.size >= MAX_POOLS) {
    const [oldest] = [...pools.entries()].sort((a, b) => a[1].usedAt - b[1].usedAt);
    pools.delete(oldest![0]);
    void oldest![1].pool.end().catch(() => undefined);
  }
  const pool = new pg.Pool({ ...settings.connection, max: settings.poolSize, idleTimeoutMillis: 10_000, allowExitOnIdle: true });
  // An idle client's connection dropping is not an error of any run: the pool replaces it.
  pool.on('error', () => undefined);
  pools.set(id, { pool, usedAt: Date.now() });
  return pool;
}

/** Closes every pool (tests, shutdown). */
export async function closeDatabasePools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map(({ pool }) => pool.end().catch(() => undefined)));
}

/** Runs one statement in the current read-only transaction. `label` names it in the slow-query log. */
export type Query = <R extends Record<string, unknown> = Record<string, unknown>>(text: string, values?: readonly unknown[], label?: string) => Promise<R[]>;

/**
 * Runs `work` in one read-only transaction with the statement timeout set, on a client of the
 * connection's pool; always rolls back (nothing was written) and returns the client.
 * Database and network errors become the shared failures (errors.ts).
 */
export async function readOnly<T>(ctx: Pick<ConnectorContext, 'logger'>, settings: DatabaseSettings, work: (query: Query) => Promise<T>): Promise<T> {
  const fail = (err: unknown) => databaseFailure(err, settings.where, settings.statementTimeoutMs);
  let client: pg.PoolClient;
  try {
    client = await poolFor(settings).connect();
  } catch (err) {
    throw fail(err);
  }
  let broken = false;
  const query: Query = async <R extends Record<string, unknown>>(text: string, values: readonly unknown[] = [], label = 'query') => {
    const started = performance.now();
    let rows: number | null = null;
    try {
      // Extended protocol always: the server itself then refuses a second statement in the text.
      const result = await client.query<R>({ text, values: [...values], queryMode: 'extended' } as pg.QueryConfig);
      rows = result.rowCount;
      return result.rows;
    } finally {
      const durationMs = Math.round(performance.now() - started);
      if (durationMs >= settings.slowQueryMs) {
        // The text and the duration; never `values` (cursor positions are customer data).
        ctx.logger.warn({ durationMs, rows, failed: rows === null, statement: label, sql: text.slice(0, 500) }, 'slow query');
      }
    }
  };
  try {
    await client.query('BEGIN TRANSACTION READ ONLY');
    // For this transaction only (is_local): the pooled session keeps no setting of ours.
    await client.query("SELECT set_config('statement_timeout', $1, true), set_config('idle_in_transaction_session_timeout', $2, true)", [
      String(settings.statementTimeoutMs),
      String(settings.statementTimeoutMs + 5_000),
    ]);
    return await work(query);
  } catch (err) {
    throw fail(err);
  } finally {
    try {
      await client.query('ROLLBACK');
    } catch {
      broken = true;
    }
    client.release(broken);
  }
}
