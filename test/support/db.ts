/**
 * A fresh, migrated database for one test file: a copy of the PGlite template, or a PostgreSQL
 * database cloned from the template database when DATABASE_URL is set.
 */
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { randomToken } from '../../src/core/index.ts';
import { openDatabase, type Database } from '../../src/db/index.ts';
import { TMP_ROOT, adminUrl } from './templates.ts';

export interface TestDatabase extends Database {
  /** Where a hub under test may keep files (lock, socket, generated keys). */
  dataDir: string;
  /** Set on PostgreSQL: the URL of this test's own database. */
  url: string | undefined;
  drop(): Promise<void>;
}

export const onPostgres = (): boolean => Boolean(process.env.DATABASE_URL);

/** Creates an empty data directory for a test, removed by the caller's `drop`. */
export function tempDir(label = 'dir'): string {
  const dir = path.join(TMP_ROOT, `${label}-${process.pid}-${randomToken(5)}`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** Copies the migrated template into a new data directory (PGlite) — nothing opened yet. */
export function copyPgliteTemplate(label = 'db'): string {
  const dir = tempDir(label);
  fs.cpSync(inject('pgliteTemplate'), dir, { recursive: true });
  fs.rmSync(path.join(dir, 'ready'), { force: true });
  return dir;
}

/** Creates a PostgreSQL database from the template and returns its URL. */
export async function createPostgresDatabase(): Promise<string> {
  const base = process.env.DATABASE_URL!;
  const name = `patchbay_t_${process.pid}_${randomToken(5)}`;
  const admin = new pg.Client({ connectionString: adminUrl(base) });
  await admin.connect();
  try {
    await admin.query(`create database ${name} template ${inject('postgresTemplate')}`);
  } finally {
    await admin.end();
  }
  return adminUrl(base, name);
}

export async function dropPostgresDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const admin = new pg.Client({ connectionString: adminUrl(url) });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${name} with (force)`);
  } finally {
    await admin.end();
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  if (onPostgres()) {
    const url = await createPostgresDatabase();
    const dataDir = tempDir('data');
    const database = await openDatabase({ databaseUrl: url, dataDir, poolSize: 5 });
    return {
      ...database,
      dataDir,
      url,
      async drop() {
        await database.close();
        await dropPostgresDatabase(url);
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const dataDir = copyPgliteTemplate();
  const database = await openDatabase({ dataDir, skipLock: true });
  return {
    ...database,
    dataDir,
    url: undefined,
    async drop() {
      await database.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
