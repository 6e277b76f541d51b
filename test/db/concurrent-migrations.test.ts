import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { migrate, openDatabase } from '../../src/db/index.ts';
import { adminUrl } from '../support/templates.ts';
import { dropPostgresDatabase, onPostgres, tempDir } from '../support/db.ts';
import { randomToken } from '../../src/core/index.ts';

describe.runIf(onPostgres())('migrations on PostgreSQL', () => {
  it('run once when several processes start together on an empty database', async () => {
    const name = `patchbay_t_${process.pid}_${randomToken(5)}`;
    const admin = new pg.Client({ connectionString: adminUrl(process.env.DATABASE_URL!) });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = adminUrl(process.env.DATABASE_URL!, name);
    // Separate pools stand for separate processes: each has its own connections.
    const databases = await Promise.all([1, 2, 3, 4].map(() => openDatabase({ databaseUrl: url, dataDir: tempDir('mig'), poolSize: 2 })));
    try {
      const results = await Promise.all(databases.map((d) => migrate(d.db)));
      const applied = results.map((r) => r.applied).sort();
      expect(applied).toEqual([0, 0, 0, results[0]!.total]);
    } finally {
      await Promise.all(databases.map((d) => d.close()));
      await dropPostgresDatabase(url);
    }
  });
});
