/**
 * Behaviours of the catalog's second round that the shared conformance suite does not reach:
 * Graph's endpoint validation and clientState checks, Linear's GraphQL refusals and key header,
 * Kubernetes readiness, and PostgREST refusals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnectorContext, getConnector, loadRegistry, runConnectionTest, type Connector, type ConnectorContextOptions } from '../../src/connectors/index.ts';
import type { InboundWebhookRequest } from '../../src/connectors/extensions.ts';
import { startSimulator, type SimulatorHandle } from '../../simulators/index.ts';

const sims: Record<string, SimulatorHandle> = {};
const KEYS = ['linear', 'kubernetes', 'supabase', 'entra-id'];


beforeAll(async () => {
  await loadRegistry();
  for (const key of KEYS) sims[key] = await startSimulator(key);
});
afterAll(async () => {
  await Promise.all(Object.values(sims).map((s) => s.close()));
});

const connector = (key: string): Connector => getConnector(key)!;
const options = (key: string, over: Partial<ConnectorContextOptions> = {}): ConnectorContextOptions => ({
  baseUrl: sims[key]!.baseUrl,
  credentials: sims[key]!.sample.credentials,
  connectionConfig: sims[key]!.sample.connectionConfig,
  timeoutMs: 5_000,
  ...over,
});
const inbound = (url: string, body: string): InboundWebhookRequest => ({ method: 'POST', url, headers: { 'content-type': 'application/json' }, rawBody: Buffer.from(body), receivedAt: new Date() });

describe('Microsoft Graph change notifications (Entra ID, Teams)', () => {
  for (const key of ['entra-id', 'microsoft-teams']) {
    it(`${key} echoes the validationToken of Graph's endpoint validation as text/plain`, async () => {
      const webhooks = connector(key).webhooks!;
      const request = { ...inbound('https://hub.example/webhooks/in/src_1?validationToken=Validation%3A%20Testing%20client%20application%20reachability', ''), headers: { 'content-type': 'text/plain' } };
      expect(await webhooks.verify(request, ['the-client-state'], { toleranceSeconds: 300, settings: {} })).toMatchObject({ ok: true });
      expect(webhooks.handshake!(request)).toEqual({ status: 200, headers: { 'content-type': 'text/plain' }, body: 'Validation: Testing client application reachability' });
    });
  }

  it('refuses a batch where one notification carries another clientState, and one with none', async () => {
    const webhooks = connector('entra-id').webhooks!;
    const body = (states: (string | undefined)[]) => JSON.stringify({ value: states.map((clientState, i) => ({ subscriptionId: 's1', changeType: 'updated', resource: `Users/${i}`, ...(clientState === undefined ? {} : { clientState }) })) });
    const verify = (text: string) => webhooks.verify(inbound('https://hub.example/webhooks/in/src_1', text), ['secret-a'], { toleranceSeconds: 300, settings: {} });
    expect(await verify(body(['secret-a', 'secret-a']))).toMatchObject({ ok: true });
    expect(await verify(body(['secret-a', 'secret-b']))).toMatchObject({ ok: false });
    expect(await verify(body(['secret-a', undefined]))).toMatchObject({ ok: false });
    expect(await verify('{"value":[]}')).toMatchObject({ ok: false });
    // A validation-looking URL with a body is an ordinary delivery: it must carry the clientState.
    expect(await webhooks.verify(inbound('https://hub.example/webhooks/in/src_1?validationToken=x', body(['nope'])), ['secret-a'], { toleranceSeconds: 300, settings: {} })).toMatchObject({ ok: false });
  });

  it('routes a notification by the Graph type of its resource', async () => {
    const route = await connector('entra-id').webhooks!.route(inbound('https://hub.example/x', JSON.stringify({ value: [{ changeType: 'updated', resource: 'Users/1', resourceData: { '@odata.type': '#Microsoft.Graph.User', id: '1' }, tenantId: 't1' }] })));
    expect(route).toMatchObject({ eventType: 'user.updated', externalAccountId: 't1' });
  });

  it('finds an Entra ID user by email and by user principal name, and no one for an unknown address', async () => {
    const entra = connector('entra-id');
    const ctx = createConnectorContext(entra, options('entra-id'));
    expect(await entra.lookupUser!(ctx, { email: 'user7@patchbaysim.onmicrosoft.com' })).toMatchObject({ name: 'User 7', active: true });
    expect(await entra.lookupUser!(ctx, { id: 'user17@patchbaysim.onmicrosoft.com' })).toMatchObject({ name: 'User 17', active: false });
    expect(await entra.lookupUser!(ctx, { email: "o'brien@patchbaysim.onmicrosoft.com" })).toBeUndefined();
  });
});

describe('Linear (GraphQL)', () => {
  it('refuses an operation on a field the API does not have, as a bad request quoting the GraphQL error', async () => {
    const ctx = createConnectorContext(connector('linear'), options('linear'));
    const { graphql } = await import('../../src/connectors/catalog/linear.ts');
    await expect(graphql(ctx, '{ teams { nodes { id } } }')).rejects.toMatchObject({ code: 'bad_request', message: expect.stringContaining('Cannot query field "teams"') });
  });

  it('sends a personal API key without a scheme, and finds a user by email whatever its case', async () => {
    const linear = connector('linear');
    const ctx = createConnectorContext(linear, options('linear'));
    expect(await linear.lookupUser!(ctx, { email: 'USER3@patchbay-sim.example' })).toMatchObject({ name: 'User 3' });
    const last = sims.linear!.control.requests.at(-1)!;
    expect(last.headers.authorization).toBe(sims.linear!.sample.credentials.apiKey);
  });
});

describe('Kubernetes', () => {
  it('fails the test as unavailable when the API server is not ready, after the token was accepted', async () => {
    const k8s = connector('kubernetes');
    sims.kubernetes!.control.injectFault({ kind: 'status', status: 500, path: '/readyz', times: 1 });
    try {
      const result = await runConnectionTest(k8s, options('kubernetes'));
      expect(result.ok ? 'connected' : result.error.code).toBe('provider_unavailable');
    } finally {
      sims.kubernetes!.control.clearFaults();
    }
  });
});

describe('Supabase (PostgREST)', () => {
  it('fails the test with PostgREST’s reason when the table does not exist', async () => {
    const result = await runConnectionTest(connector('supabase'), options('supabase', { connectionConfig: { ...sims.supabase!.sample.connectionConfig, table: 'ordres' } }));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.status).toBe(404);
  });

  it('fails the test when the cursor column does not exist', async () => {
    const result = await runConnectionTest(connector('supabase'), options('supabase', { connectionConfig: { ...sims.supabase!.sample.connectionConfig, cursorColumn: 'modified' } }));
    expect(result.ok ? 'connected' : result.error.status).toBe(400);
  });
});
