import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { acquireDataDirLock, DataDirLockedError, lockPath, migrate, pendingMigrations, rows } from '../../src/db/index.ts';
import { createTestDatabase, tempDir, type TestDatabase } from '../support/db.ts';
import { publish } from '../../src/events/index.ts';

describe('database', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it('starts migrated, and migrating again applies nothing', async () => {
    expect(await pendingMigrations(database.db)).toBe(0);
    const result = await migrate(database.db);
    expect(result.applied).toBe(0);
    expect(result.total).toBeGreaterThan(0);
  });

  it('migrates once when several migrations run at the same time', async () => {
    const results = await Promise.all([migrate(database.db), migrate(database.db), migrate(database.db)]);
    expect(results.map((r) => r.applied)).toEqual([0, 0, 0]);
    const [count] = await rows<{ n: number }>(database.db, sql`select count(*)::int as n from patchbay_migrations`);
    expect(count?.n).toBe(results[0]!.total);
  });

  it('stores a published event in the caller transaction, and rolls it back with it', async () => {
    const base = { organizationId: 'org_x', environmentId: 'env_x', type: 'test.happened', data: { a: 1 } };
    await database.db
      .transaction(async (tx) => {
        await publish(tx, { ...base, externalId: 'gone' });
        throw new Error('abort');
      })
      .catch(() => undefined);
    const first = await database.db.transaction((tx) => publish(tx, { ...base, externalId: 'kept' }));
    const again = await database.db.transaction((tx) => publish(tx, { ...base, externalId: 'kept', data: { a: 2 } }));
    expect(first.created).toBe(true);
    expect(again.created).toBe(false);
    expect(again.event.id).toBe(first.event.id);
    expect(again.event.data).toEqual({ a: 1 });
    const ids = await rows<{ external_id: string }>(database.db, sql`select external_id from events order by id`);
    expect(ids.map((r) => r.external_id)).toEqual(['kept']);
  });
});

describe('data directory lock', () => {
  it('refuses a second owner, naming the directory and the holder', () => {
    const dir = tempDir('lock');
    const lock = acquireDataDirLock(dir);
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', '-e', `import('${path.resolve('src/db/lock.ts')}').then(m => m.acquireDataDirLock(${JSON.stringify(dir)}))`],
      { encoding: 'utf8' },
    );
    expect(child.status).not.toBe(0);
    expect(child.stderr).toContain(dir);
    expect(child.stderr).toContain(`process ${process.pid}`);
    lock.release();
    expect(fs.existsSync(lockPath(dir))).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('takes over a lock whose process is gone', () => {
    const dir = tempDir('lock');
    fs.writeFileSync(lockPath(dir), JSON.stringify({ pid: 999_999_99, hostname: os.hostname(), startedAt: 'then', command: 'old' }));
    const lock = acquireDataDirLock(dir);
    expect(JSON.parse(fs.readFileSync(lockPath(dir), 'utf8')).pid).toBe(process.pid);
    expect(() => acquireDataDirLock(dir)).not.toThrow(DataDirLockedError); // our own lock: re-entrant takeover
    lock.release();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
