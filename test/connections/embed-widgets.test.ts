/**
 * What the embedded widgets read and do with an embed token, beyond the connection list: the
 * sync progress card's latest run (an active run first, its percentage estimated from the last
 * comparable run, only the token's end customer's connections) and disconnecting an account
 * (the `connect` scope only).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditLog } from '../../src/auth/schema.ts';
import { embedTokens } from '../../src/connections/index.ts';
import { configureSync, syncRuns } from '../../src/syncs/index.ts';
import { startSimulator, type SimulatorHandle } from '../../simulators/index.ts';
import { bearer, createTestApi, type TestApi } from '../support/api.ts';

const KEY = 'sk_test_patchbaysimulator0000000001';
let api: TestApi;
let stripe: SimulatorHandle;
let dev: { organizationId: string; environmentId: string };
let syncId = '';

const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown, key = api.keys.admin) =>
  api.app.inject({ method, url, headers: bearer(key), ...(payload === undefined ? {} : { payload: payload as object }) });

async function embedToken(endCustomerId: string, scopes?: string[]): Promise<{ id: string; token: string }> {
  const res = await call('POST', '/api/v1/embed-tokens', { endCustomerId, ...(scopes ? { scopes } : {}) });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

async function run(id: string, values: { status: 'queued' | 'running' | 'succeeded' | 'failed'; full?: boolean; added?: number; unchanged?: number; model?: string; syncId?: string; connectionId?: string }) {
  await api.database.db.insert(syncRuns).values({
    id,
    ...dev,
    syncId: values.syncId ?? syncId,
    connectionId: values.connectionId ?? 'mine',
    model: values.model ?? 'customers',
    status: values.status,
    trigger: 'manual',
    full: values.full ?? true,
    added: values.added ?? 0,
    unchanged: values.unchanged ?? 0,
    startedAt: new Date(),
    finishedAt: values.status === 'succeeded' || values.status === 'failed' ? new Date() : null,
  });
}

beforeAll(async () => {
  api = await createTestApi();
  stripe = await startSimulator('stripe');
  expect((await call('POST', '/api/v1/integrations', { connectorKey: 'stripe', baseUrl: stripe.baseUrl })).statusCode).toBe(201);
  for (const [id, endCustomerId] of [
    ['mine', 'cust-w'],
    ['mine-too', 'cust-w'],
    ['theirs', 'someone-else'],
  ]) {
    const made = await call('POST', '/api/v1/connections', { integration: 'stripe', id, endCustomerId, credentials: { apiKey: KEY } });
    expect(made.statusCode, made.body).toBe(201);
  }
  const env = api.seed.environments.find((e) => e.name === 'dev')!;
  dev = { organizationId: env.organizationId, environmentId: env.id };
  // The sync routes belong to the hub's syncs module; the card only reads its runs.
  syncId = (await configureSync(api.database.db, dev, { connectionId: 'mine', model: 'customers', enabled: false }, api.clock)).id;
});
afterAll(async () => {
  await stripe.close();
  await api.close();
});

describe('the sync progress card’s latest run', () => {
  it('says no run yet, and keeps another end customer’s connection unknown', async () => {
    const { token } = await embedToken('cust-w');
    const none = await call('GET', '/api/v1/embed/sync-runs/latest?connectionId=mine', undefined, token);
    expect(none.statusCode, none.body).toBe(200);
    expect(none.headers['cache-control']).toBe('no-store');
    expect(none.json()).toMatchObject({ endCustomerId: 'cust-w', connection: { id: 'mine', integrationName: 'Stripe' }, run: null });
    const theirs = await call('GET', '/api/v1/embed/sync-runs/latest?connectionId=theirs', undefined, token);
    expect(theirs.statusCode).toBe(404);
    expect(theirs.headers['content-type']).toContain('application/problem+json');
  });

  it('shows a running run before newer finished ones, with its percentage estimated from the last comparable run', async () => {
    await run('run_0001', { status: 'succeeded', added: 150, unchanged: 50 });
    await run('run_0002', { status: 'running', added: 40, unchanged: 10 });
    // Newer, but not what an end customer follows: the metrics collection.
    await run('run_0003', { status: 'succeeded', model: '$metrics', syncId: 'sync_metrics', added: 5 });
    // Newer and finished, but a run that is still going is what the card follows.
    await run('run_0003b', { status: 'succeeded', model: 'charges', syncId: 'sync_charges', added: 9 });
    const { token } = await embedToken('cust-w');
    const res = await call('GET', '/api/v1/embed/sync-runs/latest', undefined, token);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().run).toMatchObject({ id: 'run_0002', status: 'running', fetched: 50, expected: 200, percent: 25, added: 40 });
    expect(res.json().connection).toMatchObject({ id: 'mine' });
  });

  it('reaches 100 % only when the run succeeds, and says why a failed one stopped', async () => {
    await api.database.db.update(syncRuns).set({ status: 'succeeded', added: 210, finishedAt: new Date() }).where(eq(syncRuns.id, 'run_0002'));
    const { token } = await embedToken('cust-w');
    const done = (await call('GET', '/api/v1/embed/sync-runs/latest?connectionId=mine&model=customers', undefined, token)).json();
    expect(done.run).toMatchObject({ id: 'run_0002', status: 'succeeded', percent: 100, fetched: 220 });
    await run('run_0004', { status: 'failed', added: 3 });
    await api.database.db.update(syncRuns).set({ errors: [{ page: 2, code: 'provider_error', message: 'Stripe answered 500', at: new Date().toISOString() }] }).where(eq(syncRuns.id, 'run_0004'));
    const failed = (await call('GET', '/api/v1/embed/sync-runs/latest?connectionId=mine', undefined, token)).json();
    expect(failed.run).toMatchObject({ id: 'run_0004', status: 'failed', percent: null, errorCount: 1, lastError: 'Stripe answered 500' });
  });

  it('does not know the percentage of a run with nothing comparable before it', async () => {
    await run('run_0005', { status: 'running', full: false, added: 7 });
    const { token } = await embedToken('cust-w');
    const res = (await call('GET', '/api/v1/embed/sync-runs/latest?connectionId=mine', undefined, token)).json();
    expect(res.run).toMatchObject({ id: 'run_0005', percent: null, expected: null, fetched: 7 });
    await api.database.db.update(syncRuns).set({ status: 'cancelled', finishedAt: new Date() }).where(eq(syncRuns.id, 'run_0005'));
  });

  it('refuses an expired embed token and an API key', async () => {
    const { id, token } = await embedToken('cust-w');
    await api.database.db.update(embedTokens).set({ expiresAt: new Date(api.clock.now().getTime() - 1000) }).where(eq(embedTokens.id, id));
    const expired = await call('GET', '/api/v1/embed/sync-runs/latest', undefined, token);
    expect(expired.statusCode).toBe(401);
    expect(expired.json()).toMatchObject({ type: 'https://patchbay.dev/problems/embed-token-invalid' });
    expect((await call('GET', '/api/v1/embed/sync-runs/latest', undefined, api.keys.admin)).statusCode).toBe(401);
  });
});

describe('the status card of one connection', () => {
  it('lists only that connection, and keeps another end customer’s unknown', async () => {
    const { token } = await embedToken('cust-w');
    const one = await call('GET', '/api/v1/embed/connections?connectionId=mine', undefined, token);
    expect(one.statusCode, one.body).toBe(200);
    expect(one.json().data.map((c: { id: string }) => c.id)).toEqual(['mine']);
    expect((await call('GET', '/api/v1/embed/connections?connectionId=theirs', undefined, token)).statusCode).toBe(404);
  });
});

describe('disconnecting from the connections widget', () => {
  it('is refused to a read-only token and for another end customer’s connection', async () => {
    const readOnly = await embedToken('cust-w');
    const refused = await call('DELETE', '/api/v1/embed/connections/mine-too', undefined, readOnly.token);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().detail).toContain('read-only');
    const { token } = await embedToken('cust-w', ['read', 'connect']);
    expect((await call('DELETE', '/api/v1/embed/connections/theirs', undefined, token)).statusCode).toBe(404);
    expect((await call('GET', '/api/v1/connections/theirs')).statusCode).toBe(200);
  });

  it('deletes the end customer’s connection with a connect token, audited as the embed token', async () => {
    const { id, token } = await embedToken('cust-w', ['read', 'connect']);
    const res = await call('DELETE', '/api/v1/embed/connections/mine-too', undefined, token);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: 'mine-too', deleted: true });
    expect((await call('GET', '/api/v1/connections/mine-too')).statusCode).toBe(404);
    const audit = await api.database.db.select().from(auditLog).where(and(eq(auditLog.action, 'connection.deleted'), eq(auditLog.targetId, 'mine-too')));
    expect(audit.map((a) => a.actorId)).toEqual([`embed_token:${id}`]);
    const listed = (await call('GET', '/api/v1/embed/connections', undefined, token)).json();
    expect(listed.data.map((c: { id: string }) => c.id)).toEqual(['mine']);
  });
});
