/**
 * Two API processes on one PostgreSQL: this test's API and a real `patchbay serve --role api`.
 * A key the second process holds in memory stops working there as soon as it is revoked, changed
 * or its environment deleted here, or revoked by the CLI from a third process; and the second
 * process listens again after its notification connection is cut.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sql } from 'drizzle-orm';
import { request } from 'undici';
import { changeApiKeyScopes, createApiKey, createEnvironment, deleteEnvironment } from '../../src/auth/index.ts';
import { rows } from '../../src/db/index.ts';
import { bearer, createTestApi, type TestApi } from '../support/api.ts';
import { onPostgres, tempDir } from '../support/db.ts';
import { childEnv, cli, startTs, type Child } from '../support/process.ts';

describe.runIf(onPostgres())('API keys across API processes (PostgreSQL)', () => {
  let api: TestApi;
  let second: Child;
  let secondUrl: string;
  let env: NodeJS.ProcessEnv;
  let dataDir: string;

  beforeAll(async () => {
    api = await createTestApi();
    dataDir = tempDir('second-api');
    env = childEnv({
      DATABASE_URL: api.database.url,
      PATCHBAY_SECRET_KEYS: `t1:${randomBytes(32).toString('base64')}`,
      PATCHBAY_DATA_DIR: dataDir,
      HOST: '127.0.0.1',
    });
    second = startTs('src/cli/main.ts', ['serve', '--role', 'api', '--port', '0'], env);
    secondUrl = (await second.waitFor(/listening on (http:\/\/\S+)/, 60_000))[1]!;
  }, 90_000);

  afterAll(async () => {
    await second?.stop();
    await api?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const onSecond = async (key: string) => {
    const res = await request(`${secondUrl}/api/v1/auth/me`, { headers: bearer(key) });
    return { status: res.statusCode, body: (await res.body.json()) as { scopes?: string[]; detail?: string } };
  };
  const devId = () => api.seed.environments.find((e) => e.name === 'dev')!.id;
  const newKey = (environmentId = devId()) => createApiKey(api.database.db, { organizationId: api.seed.organization.id, environmentId, name: 'second process', role: 'viewer' });
  /** Another process's notification arrives in milliseconds, not within the same tick: allow it 2 s. */
  const soon = { timeout: 2_000, interval: 10 };

  it('refuses in the second process a key revoked through the first', async () => {
    const { key, record } = await newKey();
    expect((await onSecond(key)).status).toBe(200);
    expect((await onSecond(key)).status).toBe(200);
    const revoked = await api.app.inject({ method: 'DELETE', url: `/api/v1/api-keys/${record.id}`, headers: bearer(api.keys.admin) });
    expect(revoked.statusCode).toBe(200);
    await vi.waitFor(async () => expect((await onSecond(key)).status).toBe(401), soon);
    expect((await onSecond(key)).body.detail).toContain('revoked');
  });

  it('refuses in the API process a key revoked by `patchbay keys revoke` run on the database directly', async () => {
    const { key, record } = await newKey();
    expect((await onSecond(key)).status).toBe(200);
    const revoked = await cli(['keys', 'revoke', record.id, '--org', 'acme', '--json'], env);
    expect(revoked.code, revoked.stderr).toBe(0);
    await vi.waitFor(async () => expect((await onSecond(key)).status).toBe(401), soon);
  }, 60_000);

  it('gives the second process the new scopes of a key whose role changed', async () => {
    const { key, record } = await newKey();
    expect((await onSecond(key)).body.scopes).not.toContain('api-keys:write');
    await api.database.db.transaction((tx) => changeApiKeyScopes(tx, api.seed.organization.id, record.id, { role: 'developer' }));
    await vi.waitFor(async () => expect((await onSecond(key)).body.scopes).toContain('api-keys:write'), soon);
  });

  it('refuses in the second process the keys of an environment deleted through the first', async () => {
    const preview = await createEnvironment(api.database.db, api.seed.organization.id, { name: 'preview' });
    const { key } = await newKey(preview.id);
    expect((await onSecond(key)).status).toBe(200);
    await api.database.db.transaction((tx) => deleteEnvironment(tx, api.seed.organization.id, preview.id));
    await vi.waitFor(async () => expect((await onSecond(key)).status).toBe(401), soon);
  });

  it('listens again after its notification connection is cut, and revocation acts again', async () => {
    // Each process carries its LISTENs on one connection of its own.
    const listening = sql`from pg_stat_activity where datname = current_database() and query like ${'listen %'}`;
    const listeners = () => rows<{ pid: number }>(api.database.db, sql`select pid ${listening}`);
    const before = await listeners();
    expect(before.length).toBeGreaterThanOrEqual(2);
    await rows(api.database.db, sql`select pg_terminate_backend(pid) ${listening}`);
    await vi.waitFor(async () => {
      const now = await listeners();
      expect(now.length).toBe(before.length);
      expect(now.some((l) => before.some((b) => b.pid === l.pid))).toBe(false);
    }, { timeout: 15_000, interval: 100 });
    const { key, record } = await newKey();
    expect((await onSecond(key)).status).toBe(200);
    await api.app.inject({ method: 'DELETE', url: `/api/v1/api-keys/${record.id}`, headers: bearer(api.keys.admin) });
    await vi.waitFor(async () => expect((await onSecond(key)).status).toBe(401), soon);
  }, 30_000);
});
