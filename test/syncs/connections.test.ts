/**
 * Syncs and the proxy over real connections: an integration and a connection made through the
 * connections API, resolved by the hub's resolver (credential from the vault, integration
 * settings, environment SSRF rule), statuses set by the connections module's rules.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncsApi } from '../../src/api/index.ts';
import { loadRegistry } from '../../src/connectors/index.ts';
import { silentLogger, systemClock } from '../../src/core/index.ts';
import { connectionResolver } from '../../src/hub/connection-resolver.ts';
import { closeProviderAgent, createProviderProxy } from '../../src/proxy/index.ts';
import { createQueue } from '../../src/queue/index.ts';
import { createSyncEngine, type SyncEngine } from '../../src/syncs/index.ts';
import { startSimulator, type SimulatorHandle } from '../../simulators/index.ts';
import { bearer, createTestApi, type TestApi } from '../support/api.ts';
import { eventually } from './api-support.ts';

let api: TestApi;
let engine: SyncEngine;
let stripe: SimulatorHandle;
let queue: ReturnType<typeof createQueue>;
const proxy = createProviderProxy({ sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 5))) });

const call = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) => {
  const res = await api.app.inject({ method, url, headers: bearer(api.keys.admin), ...(payload === undefined ? {} : { payload: payload as object }) });
  return { status: res.statusCode, body: res.json() as Record<string, any> };
};

beforeAll(async () => {
  await loadRegistry();
  api = await createTestApi({ clock: systemClock, plugins: syncsApi(() => engine.services).map((plugin) => ({ plugin })) });
  engine = createSyncEngine({
    db: api.database.db,
    logger: silentLogger,
    clock: systemClock,
    proxy,
    resolver: connectionResolver({ db: api.database.db, vault: api.vault, clock: systemClock, logger: silentLogger }),
  });
  queue = createQueue({ database: api.database, logger: silentLogger, concurrency: 2, leaseSeconds: 30 });
  engine.install(queue);
  await queue.start();
  stripe = await startSimulator('stripe', { records: { customers: 250, charges: 20, subscriptions: 20 } });
  const integration = await call('POST', '/api/v1/integrations', { connectorKey: 'stripe', baseUrl: stripe.baseUrl, settings: { retryAttempts: 1 } });
  expect(integration.status, JSON.stringify(integration.body)).toBe(201);
  const connection = await call('POST', '/api/v1/connections', { integration: 'stripe', id: 'acme-stripe', endCustomerId: 'acme', credentials: { apiKey: stripe.sample.credentials.apiKey } });
  expect(connection.status, JSON.stringify(connection.body)).toBe(201);
});
afterAll(async () => {
  await queue.stop({ graceMs: 1_000 });
  await stripe.close();
  await proxy.close();
  await closeProviderAgent();
  await api.close();
});

describe('over the connections module', () => {
  it('syncs a connection made through the API and records the outcome on it', async () => {
    const sync = await call('PUT', '/api/v1/connections/acme-stripe/syncs/customers', {});
    expect(sync.status).toBe(200);
    const run = (await call('POST', `/api/v1/syncs/${sync.body.id}/trigger`, {})).body.run;
    const done = await eventually(async () => {
      const r = (await call('GET', `/api/v1/sync-runs/${run.id}`)).body;
      return r.status === 'running' || r.status === 'queued' ? undefined : r;
    });
    expect(done).toMatchObject({ status: 'succeeded', added: 250 });
    // The connection hears of the outcome just after the run is marked finished.
    const connection = await eventually(async () => {
      const c = (await call('GET', '/api/v1/connections/acme-stripe')).body;
      return c.status === 'syncing' ? undefined : c;
    });
    expect(connection).toMatchObject({ status: 'connected', lastSyncError: null });
    expect(connection.lastSyncAt).not.toBeNull();
    expect(stripe.control.requests.some((r) => r.path === '/v1/customers' && r.headers.authorization === `Bearer ${stripe.sample.credentials.apiKey}`)).toBe(true);
  });

  it('proxies with the sealed credential', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/api/v1/proxy/acme-stripe/v1/account', headers: bearer(api.keys.admin) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: 'acct_1SimPatchbay0001' });
  });

  it('fails a run on a revoked key and puts the connection in error', async () => {
    stripe.control.credentials.clear();
    try {
      const sync = (await call('PUT', '/api/v1/connections/acme-stripe/syncs/charges', {})).body;
      const run = (await call('POST', `/api/v1/syncs/${sync.id}/trigger`, {})).body.run;
      const done = await eventually(async () => {
        const r = (await call('GET', `/api/v1/sync-runs/${run.id}`)).body;
        return r.status === 'running' || r.status === 'queued' ? undefined : r;
      });
      expect(done.status).toBe('failed');
      expect(done.errors[0]).toMatchObject({ code: 'invalid_credentials', page: 1 });
      // As above: the connection hears of the outcome (and of the refused key) just after the run is marked finished.
      const connection = await eventually(async () => {
        const c = (await call('GET', '/api/v1/connections/acme-stripe')).body;
        return c.status === 'error' ? c : undefined;
      });
      expect(connection).toMatchObject({ status: 'error', statusReason: 'invalid_credentials' });
      expect(connection.lastSyncError).toMatch(/did not accept/);
    } finally {
      stripe.control.reset();
    }
  });

  it('answers 404 through the proxy for a connection of another environment', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/api/v1/proxy/acme-stripe/v1/account', headers: bearer(api.keys.prod) });
    expect(res.statusCode).toBe(404);
  });
});
