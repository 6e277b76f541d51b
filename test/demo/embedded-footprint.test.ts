/**
 * The embedded database starts light: a new data directory is loaded from the dump of the
 * machine's first initdb instead of running initdb again (whose WebAssembly memory is never given
 * back), and PGlite runs with 32 MB of shared buffers instead of 128 MB. bench/startup.bench.ts
 * measures what that does to `npm start`; this checks the mechanism works and stays correct.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { isFreshDataDir, migrate, openDatabase, pendingMigrations, pgliteDir, prepareFreshDataDir, rows, usePrepareCommand } from '../../src/db/index.ts';
import { initdbDumpPath, pgliteOptions } from '../../src/db/pglite-start.ts';
import { templateDir } from '../../src/db/prepare.ts';
import { looseDataDirModes } from '../../src/db/data-dir-modes.ts';
import { tempDir } from '../support/db.ts';

const dirs: string[] = [];
// This file makes and removes the initdb dump and the template: its own, not the ones other files' starts copy.
process.env.PATCHBAY_CACHE_DIR = newDataDir();
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function newDataDir(): string {
  const dir = tempDir('footprint');
  dirs.push(dir);
  return dir;
}

describe('a new embedded data directory', () => {
  it('is loaded from the dump of the first initdb on the machine, and migrates and answers like any other', async () => {
    // The first new directory on a machine (or after a PGlite upgrade) runs initdb and leaves the dump.
    const first = newDataDir();
    const opened = await openDatabase({ dataDir: first, skipLock: true });
    await opened.close();
    expect(fs.existsSync(initdbDumpPath())).toBe(true);
    expect(path.basename(initdbDumpPath())).toMatch(/^pglite-\d+\.\d+\.\d+-initdb\.tar\.gz$/);

    const second = newDataDir();
    expect(pgliteOptions(pgliteDir(second))).toMatchObject({ fresh: true, fromDump: true });
    const database = await openDatabase({ dataDir: second, skipLock: true });
    try {
      const migrated = await migrate(database.db);
      expect(migrated.applied).toBeGreaterThan(0);
      const [tables] = await rows<{ count: number }>(database.db, sql`select count(*)::int as count from information_schema.tables where table_schema = 'public'`);
      expect(tables!.count).toBeGreaterThan(10);
      await database.db.execute(sql`insert into organizations (id, name, slug) values ('org_footprint', 'Footprint', 'footprint')`);
      const [org] = await rows<{ slug: string }>(database.db, sql`select slug from organizations where id = 'org_footprint'`);
      expect(org!.slug).toBe('footprint');
    } finally {
      await database.close();
    }
    // Reopened, it is an existing directory: no dump involved.
    expect(pgliteOptions(pgliteDir(second))).toMatchObject({ fresh: false, fromDump: false });
    const reopened = await openDatabase({ dataDir: second, skipLock: true });
    try {
      const [org] = await rows<{ slug: string }>(reopened.db, sql`select slug from organizations where id = 'org_footprint'`);
      expect(org!.slug).toBe('footprint');
    } finally {
      await reopened.close();
    }
  }, 120_000);

  it('is made in a child process when a start has one, which leaves it migrated; a failing child says why', async () => {
    const child = fileURLToPath(new URL('../../src/db/prepare-child.ts', import.meta.url));
    const dir = newDataDir();
    // Without a command (the default), nothing happens here: the hub makes the directory itself.
    usePrepareCommand(undefined);
    expect(await prepareFreshDataDir(dir)).toBe(false);
    expect(isFreshDataDir(dir)).toBe(true);
    try {
      usePrepareCommand({ execPath: process.execPath, args: ['--import', 'tsx', child] });
      fs.rmSync(templateDir(), { recursive: true, force: true }); // no template: the child makes the directory, and then the template
      expect(await prepareFreshDataDir(dir)).toBe(true);
      expect(fs.existsSync(path.join(templateDir(), 'PG_VERSION'))).toBe(true);
      expect(isFreshDataDir(dir)).toBe(false);
      // An existing directory is left alone.
      expect(await prepareFreshDataDir(dir)).toBe(false);
      const database = await openDatabase({ dataDir: dir, skipLock: true });
      try {
        expect(await pendingMigrations(database.db)).toBe(0);
      } finally {
        await database.close();
      }

      // A data directory that cannot be made (its parent is a file) fails with the reason, whether
      // copied from the template or made by the child.
      const blocker = path.join(newDataDir(), 'file');
      fs.mkdirSync(path.dirname(blocker), { recursive: true });
      fs.writeFileSync(blocker, 'not a directory');
      await expect(prepareFreshDataDir(path.join(blocker, 'data'))).rejects.toThrow(/could not create the data directory .*ENOTDIR/);
      fs.rmSync(templateDir(), { recursive: true, force: true });
      await expect(prepareFreshDataDir(path.join(blocker, 'data'))).rejects.toThrow(/could not create the data directory .*ENOTDIR/);
    } finally {
      usePrepareCommand(undefined);
    }
  }, 120_000);

  it('is a copy of the migrated template once a child has made one, with no database started to make it', async () => {
    const child = fileURLToPath(new URL('../../src/db/prepare-child.ts', import.meta.url));
    // What `npm install` runs: the template, when it is missing (made aside here, not to race other files' tests).
    fs.rmSync(templateDir(), { recursive: true, force: true });
    const made = spawnSync(process.execPath, ['--import', 'tsx', child, '--template'], { encoding: 'utf8' });
    expect(made.stderr).toBe('');
    expect(made.status).toBe(0);
    expect(fs.existsSync(path.join(templateDir(), 'PG_VERSION'))).toBe(true);
    expect(path.basename(templateDir())).toMatch(/^pglite-\d+\.\d+\.\d+-migrated-[0-9a-f]{16}$/);
    // A command that cannot run proves the copy needs no child.
    usePrepareCommand({ execPath: '/nonexistent/node', args: [] });
    try {
      const dir = newDataDir();
      expect(await prepareFreshDataDir(dir)).toBe(true);
      expect(isFreshDataDir(dir)).toBe(false);
      expect(looseDataDirModes(dir)).toEqual([]);
      const database = await openDatabase({ dataDir: dir, skipLock: true });
      try {
        expect(await pendingMigrations(database.db)).toBe(0);
        await database.db.execute(sql`insert into organizations (id, name, slug) values ('org_copy', 'Copy', 'copy')`);
      } finally {
        await database.close();
      }
      // A second copy is a database of its own: nothing written in the first is in it.
      const other = newDataDir();
      expect(await prepareFreshDataDir(other)).toBe(true);
      const second = await openDatabase({ dataDir: other, skipLock: true });
      try {
        expect(await rows(second.db, sql`select id from organizations where id = 'org_copy'`)).toEqual([]);
      } finally {
        await second.close();
      }
    } finally {
      usePrepareCommand(undefined);
    }
  }, 120_000);

  it('runs PGlite with 32 MB of shared buffers', async () => {
    const database = await openDatabase({ dataDir: newDataDir(), skipLock: true });
    try {
      const [setting] = await rows<{ shared_buffers: string }>(database.db, sql`show shared_buffers`);
      expect(setting!.shared_buffers).toBe('32MB');
    } finally {
      await database.close();
    }
  }, 60_000);
});
