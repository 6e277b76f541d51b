/**
 * The embedded data directory is its owner's alone: a hub started on a fresh directory leaves no
 * directory wider than 0700 and no file wider than 0600 (PGlite's own files included, also those
 * it creates while running), an existing directory with loose modes is restricted when opened,
 * and `patchbay doctor` reports loose modes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { bootstrapOrganization } from '../../src/auth/index.ts';
import { loadConfig, silentLogger, systemClock } from '../../src/core/index.ts';
import { createVault } from '../../src/credentials/index.ts';
import { openDatabase } from '../../src/db/index.ts';
import { createHub, runOperation, type Check } from '../../src/hub/index.ts';
import { copyPgliteTemplate, tempDir } from '../support/db.ts';

const dirs: string[] = [];
const fresh = (label: string) => {
  const dir = path.join(tempDir(label), 'data');
  dirs.push(path.dirname(dir));
  return dir;
};
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** Entries wider than 0700 (directories) or 0600 (files, sockets), read straight from the disk. */
function wider(root: string): string[] {
  const found: string[] = [];
  const walk = (entry: string) => {
    const stat = fs.lstatSync(entry);
    if (stat.isSymbolicLink()) return;
    const mode = stat.mode & 0o777;
    if (stat.isDirectory()) {
      if (mode & ~0o700) found.push(`${path.relative(root, entry) || '.'}/ ${mode.toString(8)}`);
      for (const name of fs.readdirSync(entry)) walk(path.join(entry, name));
    } else if (mode & ~0o600) found.push(`${path.relative(root, entry)} ${mode.toString(8)}`);
  };
  walk(root);
  return found;
}
const count = (root: string): number => fs.readdirSync(root, { recursive: true }).length;

describe('data directory modes', () => {
  it('a hub started on a fresh data directory leaves no file wider than 0600 and no directory wider than 0700', { timeout: 300_000 }, async () => {
    const dataDir = fresh('modes-hub');
    const hub = await createHub({ config: loadConfig({ PATCHBAY_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', PUBLIC_URL: 'http://localhost:4000' }), logger: silentLogger, clock: systemClock });
    await hub.start();
    try {
      // Work that makes PGlite create files while it runs: rows, a table, an index.
      await bootstrapOrganization(hub.database.db, { organizationName: 'Acme', organizationSlug: 'acme', environments: ['dev'], ownerEmail: 'o@acme.test', ownerName: 'O', keyEnvironment: 'dev' });
      await hub.database.db.execute('create table scratch (id serial primary key, body text)');
      await hub.database.db.execute('create index on scratch (body)');
      await hub.database.db.execute("insert into scratch (body) select repeat('x', 200) from generate_series(1, 2000)");
      expect(count(dataDir)).toBeGreaterThan(500);
      expect(fs.existsSync(path.join(dataDir, 'secret-keys'))).toBe(true);
      expect(wider(dataDir)).toEqual([]);
    } finally {
      await hub.stop();
    }
    expect(wider(dataDir)).toEqual([]);
  });

  it('restricts an existing data directory with loose modes when it is opened', { timeout: 60_000 }, async () => {
    const dataDir = copyPgliteTemplate('modes-old');
    dirs.push(dataDir);
    // What older versions left: PGlite's own modes (files 0666) under 0755 directories.
    for (const entry of [dataDir, ...fs.readdirSync(dataDir, { recursive: true }).map((e) => path.join(dataDir, String(e)))]) {
      fs.chmodSync(entry, fs.statSync(entry).isDirectory() ? 0o755 : 0o666);
    }
    fs.writeFileSync(path.join(dataDir, 'notes.txt'), 'x');
    fs.chmodSync(path.join(dataDir, 'notes.txt'), 0o666);
    const before = wider(dataDir);
    expect(before.length).toBeGreaterThan(100);
    expect(before).toContain('notes.txt 666');

    const database = await openDatabase({ dataDir, skipLock: true });
    try {
      expect(wider(dataDir)).toEqual([]);
      await database.db.execute('create table after_open (id int)');
      expect(wider(dataDir)).toEqual([]);
    } finally {
      await database.close();
    }
  });

  it('patchbay doctor reports loose modes, and passes once they are fixed', { timeout: 60_000 }, async () => {
    const dataDir = copyPgliteTemplate('modes-doctor');
    dirs.push(dataDir);
    const database = await openDatabase({ dataDir, skipLock: true });
    try {
      const config = loadConfig({ PATCHBAY_DATA_DIR: dataDir });
      const context = { config, database, logger: silentLogger, clock: systemClock, vault: createVault({ keys: [{ id: 'k', key: randomBytes(32) }] }) };
      const fileModes = async () => ((await runOperation(context, 'doctor', {})) as { ok: boolean; checks: Check[] }).checks.find((c) => c.name === 'file modes')!;
      expect(await fileModes()).toMatchObject({ ok: true });

      const loose = path.join(dataDir, 'pgdata', 'postgresql.conf');
      fs.chmodSync(loose, 0o644);
      fs.chmodSync(path.join(dataDir, 'pgdata'), 0o755);
      const report = await fileModes();
      expect(report.ok).toBe(false);
      expect(report.detail).toContain('2 entries');
      expect(report.detail).toContain(`${loose} (0644)`);
      expect(report.detail).toContain('chmod -R go-rwx');

      fs.chmodSync(loose, 0o600);
      fs.chmodSync(path.join(dataDir, 'pgdata'), 0o700);
      expect(await fileModes()).toMatchObject({ ok: true });
    } finally {
      await database.close();
    }
  });
});
