import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { rows } from '../../src/db/index.ts';
import { events } from '../../src/events/index.ts';
import { auditLog } from '../../src/auth/schema.ts';
import { onEndCustomerErased } from '../../src/connections/index.ts';
import { startSimulator, type SimulatorHandle } from '../../simulators/index.ts';
import { bearer, createTestApi, type TestApi } from '../support/api.ts';

const KEY = 'sk_test_patchbaysimulator0000000001';
let api: TestApi;
let stripe: SimulatorHandle;
let closedPort: number;

async function post(url: string, payload: unknown, key = api.keys.admin) {
  return api.app.inject({ method: 'POST', url, headers: bearer(key), payload: payload as object });
}
async function get(url: string, key = api.keys.admin) {
  return api.app.inject({ method: 'GET', url, headers: bearer(key) });
}
const dev = () => api.seed.environments.find((e) => e.name === 'dev')!.id;

async function eventTypes(connectionId: string): Promise<string[]> {
  const found = await api.database.db.select().from(events).where(eq(events.environmentId, dev())).orderBy(events.id);
  return found.filter((e) => e.data.connectionId === connectionId).map((e) => e.type);
}

async function connect(id: string, extra: Record<string, unknown> = {}) {
  const res = await post('/api/v1/connections', { integration: 'stripe', id, endCustomerId: 'cust-1', credentials: { apiKey: KEY }, ...extra });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

beforeAll(async () => {
  api = await createTestApi();
  stripe = await startSimulator('stripe');
  const res = await post('/api/v1/integrations', { connectorKey: 'stripe', baseUrl: stripe.baseUrl, settings: { timeoutMs: 1_000 } });
  expect(res.statusCode, res.body).toBe(201);
  closedPort = await new Promise<number>((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
  const closed = await post('/api/v1/integrations', { connectorKey: 'stripe', key: 'stripe-closed', baseUrl: `http://127.0.0.1:${closedPort}` });
  expect(closed.statusCode, closed.body).toBe(201);
});
afterAll(async () => {
  await stripe.close();
  await api.close();
});

describe('creating an API-key connection', () => {
  it('tests the key against the provider, stores the connection connected, and seals the key', async () => {
    const res = await post('/api/v1/connections', { integration: 'stripe', endCustomerId: 'cust-1', tags: ['beta'], credentials: { apiKey: KEY } });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body.id).toMatch(/^conn_/);
    expect(body).toMatchObject({ connectorKey: 'stripe', endCustomerId: 'cust-1', status: 'connected', credentialType: 'apiKey', tags: ['beta'], errorCount: 0 });
    expect(body.lastTest).toEqual({ ok: true });
    expect(body.accountInfo).toMatchObject({ id: 'acct_1SimPatchbay0001' });
    expect(body.credential).toMatchObject({ due: false, overdue: false, rotateEveryDays: null });
    expect(res.body).not.toContain(KEY);
    expect(stripe.control.requests.at(-1)).toMatchObject({ method: 'GET', path: '/v1/account' });
    const sealed = await rows<{ ciphertext: Buffer | Uint8Array }>(api.database.db, sql`select ciphertext from secrets where owner_type = 'connection' and owner_id = ${body.id}`);
    expect(sealed).toHaveLength(1);
    expect(Buffer.from(sealed[0]!.ciphertext).toString('latin1')).not.toContain(KEY);
    expect(await eventTypes(body.id)).toEqual(['connection.created']);
  });

  it('keeps the caller’s own id, unique in the environment', async () => {
    const body = await connect('acme-billing');
    expect(body.id).toBe('acme-billing');
    const again = await post('/api/v1/connections', { integration: 'stripe', id: 'acme-billing', endCustomerId: 'cust-1', credentials: { apiKey: KEY } });
    expect(again.statusCode).toBe(409);
    const prod = await post('/api/v1/integrations', { connectorKey: 'stripe' }, api.keys.prod);
    expect(prod.statusCode, prod.body).toBe(201);
  });

  it('answers 400 naming the field when the key does not fit the manifest, and 400 for missing credentials', async () => {
    const bad = await post('/api/v1/connections', { integration: 'stripe', endCustomerId: 'c', credentials: { apiKey: 'not-a-key' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toEqual([{ field: '/credentials/apiKey', message: 'Secret key starts with sk_live_, sk_test_, rk_live_ or rk_test_' }]);
    expect(bad.body).not.toContain('not-a-key');
    const missing = await post('/api/v1/connections', { integration: 'stripe', endCustomerId: 'c' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors[0].field).toBe('/credentials');
    const unknown = await post('/api/v1/connections', { integration: 'nope', endCustomerId: 'c', credentials: { apiKey: KEY } });
    expect(unknown.json().errors[0].field).toBe('/integration');
    const badId = await post('/api/v1/connections', { integration: 'stripe', id: 'has space', endCustomerId: 'c', credentials: { apiKey: KEY } });
    expect(badId.json().errors[0].field).toBe('/id');
  });

  it('refuses a wrong key with 422 and the provider reason, and stores nothing', async () => {
    const res = await post('/api/v1/connections', { integration: 'stripe', id: 'refused-key', endCustomerId: 'cust-2', credentials: { apiKey: 'sk_test_00000000000000000000wrong' } });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const problem = res.json();
    expect(problem).toMatchObject({ type: 'https://patchbay.dev/problems/connection-test-failed', status: 422, test: { ok: false, code: 'invalid_credentials', status: 401 } });
    expect(problem.detail).toContain('Stripe did not accept the secret key (HTTP 401)');
    expect(problem.test.hint).toContain('Check the secret key');
    expect(problem.errors).toEqual([{ field: '/credentials', message: problem.test.message }]);
    expect(res.body).not.toContain('sk_test_00000000000000000000wrong');
    expect((await get('/api/v1/connections/refused-key')).statusCode).toBe(404);
    const sealed = await rows<{ n: number }>(api.database.db, sql`select count(*)::int as n from secrets where owner_id = 'refused-key'`);
    expect(sealed[0]!.n).toBe(0);
    expect(await eventTypes('refused-key')).toEqual([]);
  });

  it('stores without testing when asked to', async () => {
    const before = stripe.control.requests.length;
    const body = await connect('untested', { test: false });
    expect(body).toMatchObject({ status: 'connected', lastTest: null, lastTestAt: null });
    expect(stripe.control.requests.length).toBe(before);
  });
});

describe('testing a connection through the API', () => {
  const test = async (id: string) => {
    const res = await post(`/api/v1/connections/${id}/test`, {});
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };

  it('answers ok and keeps the outcome for a 200', async () => {
    await connect('t-200');
    const result = await test('t-200');
    expect(result).toMatchObject({ ok: true, accountInfo: { id: 'acct_1SimPatchbay0001' }, connection: { status: 'connected', lastTest: { ok: true } } });
    expect(result.connection.lastTestAt).not.toBeNull();
  });

  it('marks the connection in error for a 401, then recovers it on the next good test', async () => {
    await connect('t-401');
    stripe.control.forceStatus(401, { times: 1 });
    const refused = await test('t-401');
    expect(refused).toMatchObject({ ok: false, code: 'invalid_credentials', status: 401 });
    expect(refused.message).toContain('Stripe did not accept the secret key (HTTP 401)');
    expect(refused.hint).toContain('Check the secret key entered for this connection');
    expect(refused.connection).toMatchObject({ status: 'error', statusReason: 'invalid_credentials', errorCount: 1 });
    const again = await test('t-401');
    expect(again.connection).toMatchObject({ status: 'connected', statusReason: null, errorCount: 0 });
    expect(await eventTypes('t-401')).toEqual(['connection.created', 'connection.recovered']);
  });

  it('reports missing permissions on a 403 as an auth error', async () => {
    await connect('t-403');
    stripe.control.forceStatus(403, { times: 1 });
    const result = await test('t-403');
    expect(result).toMatchObject({ ok: false, code: 'insufficient_permissions', connection: { status: 'error', statusReason: 'insufficient_permissions' } });
    expect(result.message).toContain('Stripe accepted the secret key but refused this request');
  });

  it('reports a 404 without changing the status', async () => {
    await connect('t-404');
    stripe.control.forceStatus(404, { times: 1 });
    const result = await test('t-404');
    expect(result).toMatchObject({ ok: false, code: 'not_found', connection: { status: 'connected', errorCount: 1 } });
    expect(result.hint).toContain('base URL');
  });

  it('says how long to wait on a 429', async () => {
    await connect('t-429');
    stripe.control.forceStatus(429, { times: 1, retryAfterSeconds: 17 });
    const result = await test('t-429');
    expect(result).toMatchObject({ ok: false, code: 'rate_limited', connection: { status: 'connected' } });
    expect(result.hint).toContain('Wait 17 seconds');
  });

  it('reports a timeout when the provider is slower than the integration allows', async () => {
    await connect('t-slow');
    stripe.control.setDelay(1_500);
    try {
      const result = await test('t-slow');
      expect(result).toMatchObject({ ok: false, code: 'timeout', message: 'Stripe did not answer within 1 s.' });
      expect(result.hint).toContain("raise the integration's timeout");
    } finally {
      stripe.control.setDelay(0);
    }
  });

  it('reports a refused connection when nothing listens at the base URL, and shows it on the connection', async () => {
    const res = await post('/api/v1/connections', { integration: 'stripe-closed', id: 't-refused', endCustomerId: 'cust-1', credentials: { apiKey: KEY }, test: false });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ lastError: null, lastTestedAt: null });
    const result = await test('t-refused');
    expect(result).toMatchObject({ ok: false, code: 'connection_refused' });
    expect(result.message).toContain(`127.0.0.1:${closedPort}`);
    expect(result.hint).toContain('must be running and reachable');
    const shown = (await get('/api/v1/connections/t-refused')).json();
    expect(shown.lastError).toMatchObject({ ok: false, code: 'connection_refused', at: shown.lastTestedAt });
    expect(shown.lastError.message).toContain(`127.0.0.1:${closedPort}`);
    expect(Date.parse(shown.lastTestedAt)).not.toBeNaN();
  });

  it('clears lastError once a test passes again', async () => {
    await connect('t-5xx');
    stripe.control.forceStatus(503, { times: 1 });
    const failed = await test('t-5xx');
    expect(failed).toMatchObject({ ok: false, status: 503, connection: { lastError: { code: failed.code, status: 503 } } });
    const passed = await test('t-5xx');
    expect(passed.connection).toMatchObject({ lastError: null, lastTest: { ok: true } });
  });

  it('answers 404 for a connection of another environment', async () => {
    await connect('t-env');
    expect((await post('/api/v1/connections/t-env/test', {}, api.keys.prod)).statusCode).toBe(404);
    expect((await get('/api/v1/connections/t-env', api.keys.prod)).statusCode).toBe(404);
  });
});

describe('reading connections', () => {
  it('lists newest first with filters, page by page', async () => {
    for (const id of ['l-1', 'l-2', 'l-3']) await connect(id, { endCustomerId: 'lister', tags: id === 'l-2' ? ['vip'] : [] });
    const all = await get('/api/v1/connections?endCustomerId=lister&limit=2');
    expect(all.statusCode, all.body).toBe(200);
    const first = all.json();
    expect(first.data.map((c: { id: string }) => c.id)).toEqual(['l-3', 'l-2']);
    const second = (await get(`/api/v1/connections?endCustomerId=lister&limit=2&cursor=${first.nextCursor}`)).json();
    expect(second.data.map((c: { id: string }) => c.id)).toEqual(['l-1']);
    expect(second.nextCursor).toBeNull();
    const tagged = (await get('/api/v1/connections?tag=vip')).json();
    expect(tagged.data.map((c: { id: string }) => c.id)).toEqual(['l-2']);
    const inError = (await get('/api/v1/connections?status=error')).json();
    expect(inError.data.every((c: { status: string }) => c.status === 'error')).toBe(true);
    expect((await get('/api/v1/connections?cursor=bogus')).statusCode).toBe(400);
  });

  it('lets a viewer read connections but not their credentials, nor change anything', async () => {
    await connect('r-view');
    expect((await get('/api/v1/connections/r-view', api.keys.viewer)).statusCode).toBe(200);
    expect((await get('/api/v1/connections/r-view/credentials', api.keys.viewer)).statusCode).toBe(403);
    expect((await get('/api/v1/connections/r-view/credentials', api.keys.developer)).statusCode).toBe(403);
    expect((await post('/api/v1/connections/r-view/test', {}, api.keys.viewer)).statusCode).toBe(403);
    expect((await api.app.inject({ method: 'DELETE', url: '/api/v1/connections/r-view', headers: bearer(api.keys.viewer) })).statusCode).toBe(403);
  });

  it('gives the credentials to a key with credentials:read, and audits every read', async () => {
    await connect('r-secret');
    const res = await get('/api/v1/connections/r-secret/credentials');
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toEqual({ connectionId: 'r-secret', credentialType: 'apiKey', credentials: { apiKey: KEY }, config: {} });
    const audits = await api.database.db.select().from(auditLog).where(and(eq(auditLog.action, 'connection.credentials_read'), eq(auditLog.targetId, 'r-secret')));
    expect(audits).toHaveLength(1);
    expect(JSON.stringify(audits)).not.toContain(KEY);
  });
});

describe('deleting', () => {
  it('deletes a connection with its secrets and emits connection.deleted', async () => {
    await connect('d-1');
    const res = await api.app.inject({ method: 'DELETE', url: '/api/v1/connections/d-1', headers: bearer(api.keys.admin) });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: 'd-1', revocation: { attempted: false, ok: false } });
    expect((await get('/api/v1/connections/d-1')).statusCode).toBe(404);
    const left = await rows<{ n: number }>(api.database.db, sql`select count(*)::int as n from secrets where owner_id = 'd-1'`);
    expect(left[0]!.n).toBe(0);
    expect(await eventTypes('d-1')).toEqual(['connection.created', 'connection.deleted']);
  });

  it('refuses to delete an integration that still has connections', async () => {
    const res = await api.app.inject({ method: 'DELETE', url: '/api/v1/integrations/stripe', headers: bearer(api.keys.admin) });
    expect(res.statusCode).toBe(409);
    expect(res.json().detail).toContain('still has connections');
  });

  it('erases every connection and credential of one end customer, and the records registered modules keep', async () => {
    const erased: string[][] = [];
    onEndCustomerErased('test-records', async (_tx, subject) => {
      erased.push([subject.endCustomerId, ...subject.connectionIds]);
      return 7;
    });
    await connect('e-1', { endCustomerId: 'leaving' });
    await connect('e-2', { endCustomerId: 'leaving' });
    await connect('e-keep', { endCustomerId: 'staying' });
    const res = await api.app.inject({ method: 'DELETE', url: '/api/v1/end-customers/leaving', headers: bearer(api.keys.admin) });
    expect(res.statusCode, res.body).toBe(200);
    const report = res.json();
    expect(report).toMatchObject({ endCustomerId: 'leaving', secretsDeleted: 2, erased: { 'test-records': 7 } });
    expect(report.connectionsDeleted.sort()).toEqual(['e-1', 'e-2']);
    expect(erased).toEqual([['leaving', ...report.connectionsDeleted]]);
    expect((await get('/api/v1/connections?endCustomerId=leaving')).json().data).toEqual([]);
    expect((await get('/api/v1/connections/e-keep')).statusCode).toBe(200);
    const audit = await api.database.db.select().from(auditLog).where(eq(auditLog.action, 'end_customer.erased'));
    expect(audit[0]).toMatchObject({ targetId: 'leaving' });
  });
});

describe('secrets', () => {
  it('never writes a key to the logs', () => {
    expect(api.logs.text().length).toBeGreaterThan(0);
    expect(api.logs.text()).not.toContain(KEY);
    expect(api.logs.text()).not.toContain('sk_test_00000000000000000000wrong');
  });
});
