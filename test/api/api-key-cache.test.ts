/**
 * The API keeps verified keys in memory (PATCHBAY_API_KEY_CACHE_SECONDS, 30 s by default), and
 * every change that must act at once still does, on the next request.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { eq } from 'drizzle-orm';
import { ManualClock } from '../../src/core/index.ts';
import { changeApiKeyScopes, createApiKey, createEnvironment, deleteEnvironment, deleteOrganization, getApiKey, bootstrapOrganization } from '../../src/auth/index.ts';
import { apiKeys } from '../../src/auth/schema.ts';
import { runOperation } from '../../src/hub/index.ts';
import { bearer, createTestApi, type TestApi } from '../support/api.ts';

let api: TestApi;
let clock: ManualClock;
beforeAll(async () => {
  clock = new ManualClock(new Date());
  api = await createTestApi({ clock });
});
afterAll(async () => {
  await api.close();
});

const me = (key: string) => api.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(key) });
const devId = () => api.seed.environments.find((e) => e.name === 'dev')!.id;
const newKey = async (input: { role?: 'viewer' | 'developer'; scopes?: ('jobs:read' | 'connectors:read')[]; environmentId?: string; organizationId?: string } = {}) =>
  createApiKey(api.database.db, {
    organizationId: input.organizationId ?? api.seed.organization.id,
    environmentId: input.environmentId ?? devId(),
    name: 'cache test',
    role: input.role,
    scopes: input.scopes,
  });

describe('verified API keys kept in memory', () => {
  it('answers a known key from memory: a change made behind the auth module’s back shows only after the time to live', async () => {
    const { key, record } = await newKey({ role: 'viewer' });
    expect((await me(key)).statusCode).toBe(200);
    await api.database.db.delete(apiKeys).where(eq(apiKeys.id, record.id));
    expect((await me(key)).statusCode).toBe(200);
    clock.advance(30_000);
    expect((await me(key)).statusCode).toBe(401);
  });

  it('does not take a wrong key with the same prefix for a known one', async () => {
    const { key } = await newKey({ role: 'viewer' });
    expect((await me(key)).statusCode).toBe(200);
    const last = key.at(-1) === 'a' ? 'b' : 'a';
    const forged = [key.slice(0, -1) + last, key.slice(0, 12) + 'x'.repeat(key.length - 12), key.slice(0, -1)];
    for (const wrong of forged) {
      const res = await me(wrong);
      expect(res.statusCode, wrong).toBe(401);
      expect(res.json().detail).toContain('not valid');
    }
    expect((await me(key)).statusCode).toBe(200);
  });

  it('refuses a key revoked through the API on the very next request', async () => {
    const { key, record } = await newKey({ role: 'viewer' });
    expect((await me(key)).statusCode).toBe(200);
    const revoked = await api.app.inject({ method: 'DELETE', url: `/api/v1/api-keys/${record.id}`, headers: bearer(api.keys.admin) });
    expect(revoked.statusCode).toBe(200);
    const after = await me(key);
    expect(after.statusCode).toBe(401);
    expect(after.json().detail).toContain('revoked');
  });

  it('refuses a key revoked by `patchbay keys revoke` (the same operation the CLI runs) on the very next request', async () => {
    const { key, record } = await newKey({ role: 'viewer' });
    expect((await me(key)).statusCode).toBe(200);
    const { config, database, logger, clock: hubClock, vault } = api.app.deps;
    await runOperation({ config, database, logger, clock: hubClock, vault }, 'keys.revoke', { org: 'acme', id: record.id });
    expect((await me(key)).statusCode).toBe(401);
  });

  it('gives a key whose role changes its new scopes on the next request', async () => {
    const { key, record } = await newKey({ role: 'viewer' });
    const write = () => api.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: bearer(key), payload: { name: 'child', role: 'viewer' } });
    expect((await write()).statusCode).toBe(403);
    await api.database.db.transaction((tx) => changeApiKeyScopes(tx, api.seed.organization.id, record.id, { role: 'developer' }));
    expect((await write()).statusCode).toBe(201);
    await api.database.db.transaction((tx) => changeApiKeyScopes(tx, api.seed.organization.id, record.id, { scopes: ['connectors:read'] }));
    expect((await me(key)).json().scopes).toEqual(['connectors:read']);
    expect((await write()).statusCode).toBe(403);
  });

  it('refuses the keys of a deleted environment on the next request', async () => {
    const env = await createEnvironment(api.database.db, api.seed.organization.id, { name: 'preview' });
    const { key } = await newKey({ role: 'viewer', environmentId: env.id });
    expect((await me(key)).statusCode).toBe(200);
    await api.database.db.transaction((tx) => deleteEnvironment(tx, api.seed.organization.id, env.id));
    expect((await me(key)).statusCode).toBe(401);
  });

  it('refuses the keys of a deleted organization on the next request', async () => {
    const other = (await bootstrapOrganization(api.database.db, {
      organizationName: 'Gone',
      organizationSlug: 'gone',
      environments: ['dev'],
      ownerEmail: 'owner@gone.test',
      ownerName: 'Gone Owner',
      ownerPassword: 'correct horse battery staple',
      keyEnvironment: 'dev',
    }))!;
    expect((await me(other.apiKey)).statusCode).toBe(200);
    await api.database.db.transaction((tx) => deleteOrganization(tx, other.organization.id));
    expect((await me(other.apiKey)).statusCode).toBe(401);
  });

  it('records when a key was last used, out of the request path', async () => {
    const { key, record } = await newKey({ role: 'viewer' });
    expect((await getApiKey(api.database.db, api.seed.organization.id, record.id))?.lastUsedAt).toBeNull();
    expect((await me(key)).statusCode).toBe(200);
    await vi.waitFor(async () => expect((await getApiKey(api.database.db, api.seed.organization.id, record.id))?.lastUsedAt).toEqual(clock.now()), { timeout: 15_000, interval: 250 });
  });
});
