/**
 * The embedded database in a worker thread (src/db/pglite-thread.ts) answers exactly as PGlite on
 * the hub's thread: the same values, the same errors, notifications before the commit returns;
 * and a thread that dies fails what waits on it instead of leaving it waiting.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { openDatabase, rows, type Database } from '../../src/db/index.ts';
import { PgliteThread } from '../../src/db/pglite-thread.ts';
import { copyPgliteTemplate, onPostgres } from '../support/db.ts';

const VALUES = sql`select '2026-01-02 03:04:05.678+00'::timestamptz as ts, '2020-01-01'::date as d, '\\x0102ff'::bytea as b,
  '{"a":[1,2]}'::jsonb as j, 12345678901234::bigint as big, 1.50::numeric as n, null::text as nul,
  array['2026-01-02'::timestamp] as tsa, interval '1 day' as iv, ${Buffer.from([9, 8])}::bytea as pb`;

describe.skipIf(onPostgres())('PGlite in a worker thread', () => {
  const opened: { database: Database; dir: string }[] = [];
  let onThread: Database;
  let inThread: Database;
  const open = async (pgliteThread: boolean) => {
    const dir = copyPgliteTemplate();
    const database = await openDatabase({ dataDir: dir, skipLock: true, pgliteThread });
    opened.push({ database, dir });
    return database;
  };
  beforeAll(async () => {
    [onThread, inThread] = [await open(true), await open(false)];
  });
  afterAll(async () => {
    for (const { database, dir } of opened) {
      await database.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('returns the values PGlite returns on the hub thread', async () => {
    const [a, b] = [await rows(onThread.db, VALUES), await rows(inThread.db, VALUES)];
    expect(a).toEqual(b);
    expect(a[0]).toMatchObject({ ts: '2026-01-02 03:04:05.678+00', d: '2020-01-01', n: '1.50', j: { a: [1, 2] }, nul: null });
    expect((a[0] as { b: unknown }).b).toBeInstanceOf(Uint8Array);
  });

  it('keeps the fields of a PostgreSQL error', async () => {
    const failing = async (database: Database) => {
      await database.db.execute(sql`create table if not exists thread_t (id int primary key)`);
      await database.db.execute(sql`insert into thread_t values (1) on conflict do nothing`);
      return database.db.execute(sql`insert into thread_t values (1)`).then(
        () => ({}) as Record<string, unknown>,
        (err: Error) => err.cause as Record<string, unknown>,
      );
    };
    const [a, b] = [await failing(onThread), await failing(inThread)];
    expect(a).toBeInstanceOf(Error);
    expect(a).toMatchObject({ code: '23505', constraint: 'thread_t_pkey', detail: 'Key (id)=(1) already exists.', table: 'thread_t', severity: 'ERROR' });
    for (const key of ['code', 'constraint', 'detail', 'table', 'schema', 'severity', 'message']) expect(a[key], key).toEqual(b[key]);
  });

  it('commits and rolls back a transaction held open in the thread', async () => {
    await onThread.db.execute(sql`create table thread_tx (id int)`);
    await expect(
      onThread.db.transaction(async (tx) => {
        await tx.execute(sql`insert into thread_tx values (1)`);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    await onThread.db.transaction(async (tx) => {
      await tx.execute(sql`insert into thread_tx values (2)`);
      await tx.transaction(async (inner) => inner.execute(sql`insert into thread_tx values (3)`));
    });
    expect(await rows(onThread.db, sql`select id from thread_tx order by id`)).toEqual([{ id: 2 }, { id: 3 }]);
  });

  it('delivers a notification before the commit that sent it returns', async () => {
    const heard: string[] = [];
    const unsubscribe = await onThread.listen('thread_channel', (payload) => heard.push(payload));
    await onThread.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_notify('thread_channel', 'committed')`);
    });
    expect(heard).toEqual(['committed']);
    await unsubscribe();
    await onThread.db.execute(sql`select pg_notify('thread_channel', 'unheard')`);
    expect(heard).toEqual(['committed']);
  });

  it('fails pending and later calls when the thread dies', async () => {
    const dir = copyPgliteTemplate();
    const thread = new PgliteThread(`${dir}/pgdata`, { postgresqlconf: [] });
    await thread.waitReady;
    const pending = thread.query('select pg_sleep(0.5)');
    await (thread as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    await expect(pending).rejects.toThrow(/thread exited/);
    await expect(thread.query('select 1')).rejects.toThrow(/thread exited/);
    await thread.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  it('tells the opener when the thread dies without being closed (the hub exits on it)', async () => {
    const dir = copyPgliteTemplate();
    const lost: Error[] = [];
    const database = await openDatabase({ dataDir: dir, skipLock: true, pgliteThread: true, onDatabaseLost: (err) => lost.push(err) });
    const thread = (database.db as unknown as { $client: { worker: { terminate(): Promise<number> } } }).$client;
    await thread.worker.terminate();
    await expect.poll(() => lost.length).toBe(1);
    expect(lost[0]?.message).toMatch(/thread exited/);
    await database.close();
    expect(lost).toHaveLength(1);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
