/**
 * Opens the database: PGlite under the data directory by default, PostgreSQL when DATABASE_URL
 * is set. Both give a Drizzle `Db`, notifications (LISTEN/NOTIFY) and a close.
 */
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { toError, type Logger, silentLogger } from '../core/index.ts';
import type { Db } from './types.ts';
import { acquireDataDirLock, type DataDirLock } from './lock.ts';
import { pgliteInThread } from '../core/config.ts';
import { keepInitdbDump, pgliteOptions } from './pglite-start.ts';
import { DIR_MODE, tightenDataDirModes } from './data-dir-modes.ts';
import { createPglite } from './pglite-host.mjs';
import { asPglite, PgliteThread } from './pglite-thread.ts';

export type DatabaseKind = 'pglite' | 'postgres';
export type NotificationHandler = (payload: string) => void;

export interface Database {
  kind: DatabaseKind;
  db: Db;
  /** Subscribes to a NOTIFY channel; returns the unsubscribe. */
  listen(channel: string, handler: NotificationHandler): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface OpenOptions {
  databaseUrl?: string | undefined;
  /** PGlite data directory (holds `pgdata/` and the lock file). */
  dataDir: string;
  poolSize?: number;
  logger?: Logger;
  /** Tests open copies of a template directory they own; they skip the lock. */
  skipLock?: boolean;
  /**
   * PGlite in a worker thread (see pglite-thread.ts) or on this one; `PATCHBAY_PGLITE_THREAD`
   * decides when unset.
   */
  pgliteThread?: boolean;
  /**
   * Hears of PGlite's thread stopping without being closed; every database call fails from then
   * on. Unset, the failure is only logged. The hub exits, so a supervisor restarts it.
   */
  onDatabaseLost?: (err: Error) => void;
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  return options.databaseUrl ? openPostgres(options.databaseUrl, options) : openPglite(options);
}

export const pgliteDir = (dataDir: string): string => path.join(dataDir, 'pgdata');

async function openPglite(options: OpenOptions): Promise<Database> {
  const lock: DataDirLock | undefined = options.skipLock ? undefined : acquireDataDirLock(options.dataDir);
  try {
    // Everything this process creates from here on is its user's alone; what an older version
    // (or a copy) left readable by others is restricted, and reported by `patchbay doctor`.
    process.umask(process.umask() | 0o077);
    fs.mkdirSync(pgliteDir(options.dataDir), { recursive: true, mode: DIR_MODE });
    const tightened = tightenDataDirModes(options.dataDir);
    if (tightened > 0) (options.logger ?? silentLogger).warn({ dataDir: options.dataDir, entries: tightened }, 'restricted the data directory to its owner (directories 0700, files 0600)');
    const dir = pgliteDir(options.dataDir);
    const start = pgliteOptions(dir);
    const postgresqlconf = [start.options.postgresqlconf ?? []].flat();
    let client: PGlite;
    if (options.pgliteThread ?? pgliteInThread()) {
      const loadDataDir = start.options.loadDataDir ? new Uint8Array(await start.options.loadDataDir.arrayBuffer()) : undefined;
      const onFailure = (err: Error) => {
        (options.logger ?? silentLogger).error({ err }, 'the embedded database stopped; every database call fails until the hub restarts');
        options.onDatabaseLost?.(err);
      };
      const thread = new PgliteThread(dir, { postgresqlconf, loadDataDir, onFailure });
      client = asPglite(thread);
      try {
        await thread.waitReady;
      } catch (err) {
        await thread.close().catch(() => undefined);
        throw err;
      }
    } else {
      client = await createPglite(dir, { postgresqlconf, loadDataDir: start.options.loadDataDir });
    }
    if (start.fresh && !start.fromDump) await keepInitdbDump(client);
    const db = drizzlePglite(client) as unknown as Db;
    let closed = false;
    return {
      kind: 'pglite',
      db,
      async listen(channel, handler) {
        const unsubscribe = await client.listen(channel, handler);
        return async () => {
          if (!closed) await unsubscribe();
        };
      },
      async close() {
        if (closed) return;
        closed = true;
        await client.close();
        lock?.release();
      },
    };
  } catch (err) {
    lock?.release();
    throw err;
  }
}

async function openPostgres(url: string, options: OpenOptions): Promise<Database> {
  const logger = options.logger ?? silentLogger;
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, idleTimeoutMillis: 30_000 });
  // An idle client that loses its server emits here; without a listener it would crash the process.
  pool.on('error', (err) => logger.warn({ err }, 'idle database connection failed'));
  // pg-pool listens for errors only on idle clients. A client checked out between two statements
  // of a transaction that loses its server would emit an error nobody hears, and crash the
  // process; with this listener the next statement fails instead, and the caller retries.
  pool.on('connect', (client) => {
    client.on('error', (err) => logger.warn({ err }, 'database connection lost'));
  });
  const db = drizzlePg(pool) as unknown as Db;
  await pool.query('select 1');

  const handlers = new Map<string, Set<NotificationHandler>>();
  let listener: pg.Client | undefined;
  let connecting: Promise<pg.Client> | undefined;
  let closed = false;

  // One dedicated connection carries every LISTEN; it reconnects (and re-listens) if it drops.
  const connectListener = (): Promise<pg.Client> => {
    connecting ??= (async () => {
      const client = new pg.Client({ connectionString: url });
      client.on('notification', (msg) => {
        for (const handler of handlers.get(msg.channel) ?? []) handler(msg.payload ?? '');
      });
      client.on('error', (err) => {
        logger.warn({ err }, 'notification connection lost; reconnecting');
        listener = undefined;
        connecting = undefined;
        client.end().catch(() => undefined);
        if (!closed) setTimeout(() => void reconnect(), 500).unref();
      });
      await client.connect();
      for (const channel of handlers.keys()) await client.query(`listen ${pg.escapeIdentifier(channel)}`);
      listener = client;
      return client;
    })();
    return connecting;
  };
  const reconnect = async () => {
    try {
      await connectListener();
    } catch (err) {
      connecting = undefined;
      logger.warn({ err: toError(err) }, 'notification connection failed; retrying');
      if (!closed) setTimeout(() => void reconnect(), 1000).unref();
    }
  };

  return {
    kind: 'postgres',
    db,
    async listen(channel, handler) {
      let set = handlers.get(channel);
      const first = !set;
      if (!set) handlers.set(channel, (set = new Set()));
      set.add(handler);
      const client = listener ?? (await connectListener());
      if (first && listener === client) await client.query(`listen ${pg.escapeIdentifier(channel)}`);
      return async () => {
        set.delete(handler);
        if (set.size === 0) {
          handlers.delete(channel);
          await listener?.query(`unlisten ${pg.escapeIdentifier(channel)}`).catch(() => undefined);
        }
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      await listener?.end().catch(() => undefined);
      await pool.end();
    },
  };
}
