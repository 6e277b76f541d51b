/**
 * Every reference in a request body is checked against the caller's organization and environment:
 * another organization's (or environment's) integration, connection, endpoint or source — or one
 * that does not exist — is refused with a problem naming the field, and nothing is stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimulatorHandle } from '../../simulators/index.ts';
import { startSecurityHub, type SecurityHub, type Tenant } from './hub.ts';

const KEY = 'sk_test_patchbaysimulator0000000001';
let h: SecurityHub;
let stripe: SimulatorHandle;
let a: Tenant;
let b: Tenant;

interface Resources {
  integration: string;
  connection: string;
  endpoint: string;
  source: string;
}
const mine = {} as Resources;
const otherEnv = {} as Resources;
const otherOrg = {} as Resources;

async function seed(key: string, into: Resources): Promise<void> {
  const created = async (url: string, payload: unknown) => {
    const res = await h.call(key, 'POST', url, payload);
    expect(res.status, `${url}: ${res.text}`).toBe(201);
    return res.body.id as string;
  };
  into.integration = await created('/integrations', { connectorKey: 'stripe', baseUrl: stripe.baseUrl });
  into.connection = await created('/connections', { integration: into.integration, endCustomerId: 'cust', credentials: { apiKey: KEY } });
  into.endpoint = await created('/endpoints', { url: 'http://127.0.0.1:9/hook', enabled: false });
  into.source = await created('/sources', { name: 'stripe', connector: 'stripe', secret: 'whsec_refs', integrationId: into.integration });
}

beforeAll(async () => {
  stripe = await startSimulator('stripe');
  h = await startSecurityHub();
  a = await h.tenant('a-org');
  b = await h.tenant('b-org', ['dev']);
  await seed(a.keys.admin, mine);
  await seed(a.keys['admin@staging']!, otherEnv);
  await seed(b.keys.admin, otherOrg);
}, 180_000);
afterAll(async () => {
  await h?.close();
  await stripe?.close();
});

const FOREIGN = [
  ['another organization', otherOrg],
  ['another environment', otherEnv],
] as const;

/** Expects a refusal naming `field`, as 422 (or the 400/404 a route already answered for it). */
function expectRefused(res: { status: number; body: any; text: string }, field: string): void {
  expect([400, 404, 422], res.text).toContain(res.status);
  expect(res.body.type).toMatch(/^https:\/\/patchbay\.dev\/problems\//);
  expect(res.body.errors?.map((e: { field: string }) => e.field), res.text).toContain(field);
}

describe('references in request bodies', () => {
  for (const [where, theirs] of FOREIGN) {
    it(`refuses a source whose integrationId is ${where}'s, with 422 naming the field, and stores nothing`, async () => {
      const before = (await h.call(a.keys.admin, 'GET', '/sources')).body.data.length;
      const res = await h.call(a.keys.admin, 'POST', '/sources', { name: 'dangling', connector: 'stripe', secret: 'whsec_x', integrationId: theirs.integration });
      expect(res.status).toBe(422);
      expectRefused(res, '/integrationId');
      expect((await h.call(a.keys.admin, 'GET', '/sources')).body.data.length).toBe(before);
    });

    it(`refuses changing a source's integrationId to ${where}'s`, async () => {
      const res = await h.call(a.keys.admin, 'PATCH', `/sources/${mine.source}`, { integrationId: theirs.integration });
      expect(res.status).toBe(422);
      expectRefused(res, '/integrationId');
      expect((await h.call(a.keys.admin, 'GET', `/sources/${mine.source}`)).body.integrationId).toBe(mine.integration);
    });

    it(`refuses a mapping of ${where}'s connection or integration`, async () => {
      const fields = [{ source: 'email', target: 'email', direction: 'import' }];
      const byConnection = await h.call(a.keys.admin, 'POST', '/mappings', { connectionId: theirs.connection, model: 'customers', fields });
      expect(byConnection.status).toBe(422);
      expectRefused(byConnection, '/connectionId');
      const byIntegration = await h.call(a.keys.admin, 'POST', '/mappings', { integrationId: theirs.integration, model: 'customers', fields });
      expect(byIntegration.status).toBe(422);
      expectRefused(byIntegration, '/integrationId');
      expect((await h.call(a.keys.admin, 'GET', '/mappings')).body.data).toEqual([]);
    });

    it(`refuses retrying dead letters of ${where}'s endpoint and reprocessing ${where}'s source`, async () => {
      expectRefused(await h.call(a.keys.admin, 'POST', '/dead-letters/retry', { endpointId: theirs.endpoint }), '/endpointId');
      expectRefused(await h.call(a.keys.owner, 'POST', '/inbound-events/reprocess', { sourceId: theirs.source }), '/sourceId');
    });

    it(`refuses a connect session for ${where}'s integration or connection`, async () => {
      expectRefused(await h.call(a.keys.admin, 'POST', '/connect/sessions', { endCustomerId: 'cust', integrations: [theirs.integration] }), '/integrations/0');
      const res = await h.call(a.keys.admin, 'POST', '/connect/sessions', { endCustomerId: 'cust', connectionId: theirs.connection });
      expect(res.status).toBe(422);
      expectRefused(res, '/connectionId');
    });
  }

  it('refuses an integrationId that names nothing at all', async () => {
    const res = await h.call(a.keys.admin, 'POST', '/sources', { name: 'dangling', connector: 'stripe', secret: 'whsec_x', integrationId: 'int_doesnotexist' });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([{ field: '/integrationId', message: 'names no integration in this environment' }]);
  });

  it('accepts references to the caller’s own resources', async () => {
    const res = await h.call(a.keys.admin, 'POST', '/sources', { name: 'mine', connector: 'stripe', secret: 'whsec_x', integrationId: mine.integration });
    expect(res.status).toBe(201);
    expect(res.body.integrationId).toBe(mine.integration);
    expect((await h.call(a.keys.admin, 'POST', '/dead-letters/retry', { endpointId: mine.endpoint })).status).toBe(202);
    expect((await h.call(a.keys.owner, 'POST', '/inbound-events/reprocess', { sourceId: mine.source })).status).toBe(200);
  });
});
