import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApi, type TestApi } from '../support/api.ts';
import { listConnectors, loadRegistry } from '../../src/connectors/index.ts';

await loadRegistry();

let api: TestApi;
const list = async (query = '') => {
  const res = await api.app.inject({ method: 'GET', url: `/api/v1/connectors${query}`, headers: bearer(api.keys.viewer) });
  return res;
};
const keys = async (query = '') => (await list(query)).json().data.map((m: { key: string }) => m.key);

beforeAll(async () => {
  api = await createTestApi();
});
afterAll(async () => {
  await api.close();
});

describe('the connector catalog API', () => {
  it('lists every connector with its manifest, by name', async () => {
    const res = await list();
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.nextCursor).toBeNull();
    // By name, as the registry lists them; every connector of the catalog.
    expect(body.data.map((m: { name: string }) => m.name)).toEqual(listConnectors().map((c) => c.manifest.name));
    expect(body.data.map((m: { name: string }) => m.name)).toEqual(expect.arrayContaining(['Custom OAuth 2.0', 'HubSpot', 'Okta', 'Stripe']));
    const hubspot = body.data.find((m: { key: string }) => m.key === 'hubspot');
    expect(hubspot).toMatchObject({ category: 'crm', connectionMode: 'oauth', rateLimit: '110/10 seconds', auth: { pkce: true, scopeSeparator: ' ' } });
    expect(hubspot.icon).toMatch(/^<svg/);
  });

  it('filters by category, capability, connection mode and words', async () => {
    expect(await keys('?category=crm')).toEqual(listConnectors({ category: 'crm' }).map((c) => c.key));
    expect(await keys('?category=crm')).toEqual(expect.arrayContaining(['hubspot', 'pipedrive', 'salesforce']));
    expect(await keys('?capability=identity')).toEqual(listConnectors({ capability: 'identity' }).map((c) => c.key));
    expect(await keys('?capability=identity')).toContain('okta');
    const apiKey = await keys('?connectionMode=apiKey');
    expect(apiKey).toEqual(listConnectors({ connectionMode: 'apiKey' }).map((c) => c.key));
    expect(apiKey).toEqual(expect.arrayContaining(['custom-webhook', 'pagerduty', 'stripe', 'paypal']));
    expect(apiKey).not.toContain('hubspot');
    expect(await keys('?connectionMode=basic')).toContain('twilio');
    expect(await keys('?q=payments')).toEqual(['paypal', 'stripe']);
    expect(await keys('?q=oauth%20provider&category=dev')).toEqual(['custom-oauth']);
    expect((await list('?category=astrology')).statusCode).toBe(400);
  });

  it('answers one connector by key, 404 for an unknown one, and 401 without a key', async () => {
    const one = await api.app.inject({ method: 'GET', url: '/api/v1/connectors/okta', headers: bearer(api.keys.viewer) });
    expect(one.json()).toMatchObject({ key: 'okta', auth: { oidc: { issuer: 'https://{domain}' } }, connectionConfig: { domain: { label: 'Okta domain' } } });
    const missing = await api.app.inject({ method: 'GET', url: '/api/v1/connectors/myspace', headers: bearer(api.keys.viewer) });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    expect((await api.app.inject({ method: 'GET', url: '/api/v1/connectors' })).statusCode).toBe(401);
  });

  it('documents every route of this issue, the absolute OAuth ones included, in the OpenAPI document', async () => {
    const doc = (await api.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    const documented = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(item)) documented.add(`${method.toUpperCase()} ${path}`);
    }
    for (const op of [
      'GET /api/v1/connectors',
      'GET /api/v1/connectors/{key}',
      'GET /api/v1/integrations',
      'POST /api/v1/integrations',
      'GET /api/v1/integrations/{id}',
      'PATCH /api/v1/integrations/{id}',
      'DELETE /api/v1/integrations/{id}',
      'GET /api/v1/connections',
      'POST /api/v1/connections',
      'GET /api/v1/connections/{id}',
      'DELETE /api/v1/connections/{id}',
      'POST /api/v1/connections/{id}/test',
      'GET /api/v1/connections/{id}/credentials',
      'DELETE /api/v1/end-customers/{endCustomerId}',
      'POST /api/v1/connect/sessions',
      'GET /oauth/connect/{integrationId}',
      'GET /oauth/callback',
    ]) {
      expect(documented).toContain(op);
    }
  });
});
