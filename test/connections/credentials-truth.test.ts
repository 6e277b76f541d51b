/**
 * Connections tell the truth about their credential: a key the provider refuses, a provider that
 * cannot be reached or answers 5xx, never makes a connection (422 with the provider's reason);
 * credentials are replaced only once the new ones are proven, with an audit entry.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { rows } from '../../src/db/index.ts';
import { auditLog } from '../../src/auth/schema.ts';
import { replaceConnectionCredentials } from '../../src/connections/index.ts';
import { startSimulator, type SimulatorHandle } from '../../simulators/index.ts';
import { bearer, createTestApi, type TestApi } from '../support/api.ts';

const KEY = 'sk_test_patchbaysimulator0000000001';
const NEXT_KEY = 'sk_test_rotatedkeyaccepted000000002';
const WRONG_KEY = 'sk_test_00000000000000000000wrong';
let api: TestApi;
let stripe: SimulatorHandle;

const call = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, key = api.keys.admin) =>
  api.app.inject({ method, url, headers: bearer(key), ...(payload === undefined ? {} : { payload: payload as object }) });
const scope = () => ({ organizationId: api.seed.organization.id, environmentId: api.seed.environments.find((e) => e.name === 'dev')!.id });
const countRows = async (id: string) => (await rows<{ n: number }>(api.database.db, sql`select count(*)::int as n from connections where id = ${id}`))[0]!.n;
const storedKey = async (id: string) => (await call('GET', `/api/v1/connections/${id}/credentials`)).json().credentials.apiKey as string;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  api = await createTestApi();
  stripe = await startSimulator('stripe');
  expect((await call('POST', '/api/v1/integrations', { connectorKey: 'stripe', baseUrl: stripe.baseUrl, settings: { timeoutMs: 1_000 } })).statusCode).toBe(201);
  const closed = await call('POST', '/api/v1/integrations', { connectorKey: 'stripe', key: 'stripe-unreachable', baseUrl: `http://127.0.0.1:${await freePort()}` });
  expect(closed.statusCode, closed.body).toBe(201);
});
afterAll(async () => {
  await stripe.close();
  await api.close();
});

describe('creating a connection tests it first', () => {
  it('refuses a wrong key with 422 and the provider reason, and makes no row', async () => {
    const res = await call('POST', '/api/v1/connections', { integration: 'stripe', id: 'wrong', endCustomerId: 'c', credentials: { apiKey: WRONG_KEY } });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ type: 'https://patchbay.dev/problems/connection-test-failed', test: { code: 'invalid_credentials', status: 401 }, provider: 'Stripe' });
    expect(res.json().detail).toMatch(/^Stripe connection wrong was not created: Stripe did not accept the secret key \(HTTP 401\)/);
    expect(await countRows('wrong')).toBe(0);
  });

  it('refuses a connection whose provider cannot be reached, saying where it tried', async () => {
    const res = await call('POST', '/api/v1/connections', { integration: 'stripe-unreachable', id: 'unreachable', endCustomerId: 'c', credentials: { apiKey: KEY } });
    expect(res.statusCode).toBe(422);
    expect(res.json().test).toMatchObject({ ok: false, code: 'connection_refused' });
    expect(res.json().test.hint).toContain('must be running and reachable');
    expect(res.json().errors).toBeUndefined();
    expect(await countRows('unreachable')).toBe(0);
  });

  it('refuses on a timeout and on a 5xx, naming them', async () => {
    stripe.control.setDelay(1_500);
    try {
      const slow = await call('POST', '/api/v1/connections', { integration: 'stripe', id: 'slow', endCustomerId: 'c', credentials: { apiKey: KEY } });
      expect(slow.statusCode).toBe(422);
      expect(slow.json().test).toMatchObject({ code: 'timeout', message: 'Stripe did not answer within 1 s.' });
    } finally {
      stripe.control.setDelay(0);
    }
    stripe.control.forceStatus(503, { times: 1 });
    const down = await call('POST', '/api/v1/connections', { integration: 'stripe', id: 'down', endCustomerId: 'c', credentials: { apiKey: KEY } });
    expect(down.statusCode).toBe(422);
    expect(down.json().test).toMatchObject({ status: 503 });
    expect((await countRows('slow')) + (await countRows('down'))).toBe(0);
  });

  it('stores an untested connection when asked with test: false', async () => {
    const res = await call('POST', '/api/v1/connections', { integration: 'stripe-unreachable', id: 'untested', endCustomerId: 'c', credentials: { apiKey: KEY }, test: false });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ status: 'connected', lastTest: null, lastTestedAt: null, lastError: null });
  });
});

describe('replacing a connection’s credentials', () => {
  it('replaces the key of the same connection once the new key is proven, and audits it', async () => {
    expect((await call('POST', '/api/v1/connections', { integration: 'stripe', id: 'rotating', endCustomerId: 'c', credentials: { apiKey: KEY } })).statusCode).toBe(201);
    stripe.control.credentials.add(NEXT_KEY);
    const res = await call('PUT', '/api/v1/connections/rotating/credentials', { credentials: { apiKey: NEXT_KEY }, rotation: { everyDays: 90, owner: 'payments team' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: 'rotating', status: 'connected', secretVersion: 2, lastError: null, credential: { rotateEveryDays: 90, owner: 'payments team' } });
    expect(res.body).not.toContain(NEXT_KEY);
    expect(stripe.control.requests.at(-1)).toMatchObject({ path: '/v1/account' });
    expect(await storedKey('rotating')).toBe(NEXT_KEY);
    // The old key is gone at the provider; the connection keeps working with the new one.
    stripe.control.credentials.delete(KEY);
    try {
      expect((await call('POST', '/api/v1/connections/rotating/test', {})).json()).toMatchObject({ ok: true });
    } finally {
      stripe.control.credentials.add(KEY);
    }
    const [entry] = await api.database.db.select().from(auditLog).where(and(eq(auditLog.action, 'connection.credentials_replaced'), eq(auditLog.targetId, 'rotating')));
    expect(entry).toMatchObject({ actorType: 'api_key', details: { credentialType: 'apiKey', secretVersion: 2 } });
    expect(JSON.stringify(entry)).not.toContain(NEXT_KEY);
  });

  it('keeps the old key and changes nothing when the new one is refused', async () => {
    expect((await call('POST', '/api/v1/connections', { integration: 'stripe', id: 'keep-old', endCustomerId: 'c', credentials: { apiKey: KEY } })).statusCode).toBe(201);
    const before = (await call('GET', '/api/v1/connections/keep-old')).json();
    const res = await call('PUT', '/api/v1/connections/keep-old/credentials', { credentials: { apiKey: WRONG_KEY } });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ type: 'https://patchbay.dev/problems/connection-test-failed', test: { code: 'invalid_credentials', status: 401 } });
    expect(res.json().detail).toContain('the old ones stay in use');
    expect(await storedKey('keep-old')).toBe(KEY);
    const after = (await call('GET', '/api/v1/connections/keep-old')).json();
    expect(after).toMatchObject({ status: 'connected', updatedAt: before.updatedAt, credential: { rotatedAt: before.credential.rotatedAt } });
    const refused = await api.database.db.select().from(auditLog).where(and(eq(auditLog.action, 'connection.credentials_replace_refused'), eq(auditLog.targetId, 'keep-old')));
    expect(refused).toHaveLength(1);
    expect(refused[0]!.details).toMatchObject({ code: 'invalid_credentials', status: 401 });
  });

  it('brings a connection in error back to connected with a working key', async () => {
    expect((await call('POST', '/api/v1/connections', { integration: 'stripe', id: 'broken', endCustomerId: 'c', credentials: { apiKey: KEY } })).statusCode).toBe(201);
    stripe.control.forceStatus(401, { times: 1 });
    expect((await call('POST', '/api/v1/connections/broken/test', {})).json().connection).toMatchObject({ status: 'error', statusReason: 'invalid_credentials' });
    const res = await call('PUT', '/api/v1/connections/broken/credentials', { credentials: { apiKey: KEY } });
    expect(res.json()).toMatchObject({ status: 'connected', statusReason: null, errorCount: 0, lastError: null });
  });

  it('answers 400 naming the field, 404 for an unknown connection and 403 for a viewer', async () => {
    const bad = await call('PUT', '/api/v1/connections/keep-old/credentials', { credentials: { apiKey: 'nope' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('/credentials/apiKey');
    const missing = await call('PUT', '/api/v1/connections/keep-old/credentials', {});
    expect(missing.json().errors[0].field).toBe('/credentials');
    expect((await call('PUT', '/api/v1/connections/nobody/credentials', { credentials: { apiKey: KEY } })).statusCode).toBe(404);
    expect((await call('PUT', '/api/v1/connections/keep-old/credentials', { credentials: { apiKey: KEY } }, api.keys.viewer)).statusCode).toBe(403);
  });

  it('is one domain function the CLI can call', async () => {
    const replaced = await replaceConnectionCredentials(api.database.db, api.vault, scope(), 'keep-old', { credentials: { apiKey: NEXT_KEY } }, { actor: { type: 'cli', id: null } });
    expect(replaced).toMatchObject({ secretVersion: 2, test: { outcome: { ok: true } }, connection: { id: 'keep-old', status: 'connected' } });
    expect(await storedKey('keep-old')).toBe(NEXT_KEY);
  });

  it('never logs a key', () => {
    for (const key of [KEY, NEXT_KEY, WRONG_KEY]) expect(api.logs.text()).not.toContain(key);
  });
});
