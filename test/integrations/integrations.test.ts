import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { rows } from '../../src/db/index.ts';
import { bearer, createTestApi, type TestApi } from '../support/api.ts';

const SECRET = 'hubspot-client-secret-do-not-leak-1234';
let api: TestApi;

const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, key?: string) =>
  api.app.inject({ method, url, headers: bearer(key ?? api.keys.admin), ...(payload === undefined ? {} : { payload: payload as object }) });

beforeAll(async () => {
  api = await createTestApi();
});
afterAll(async () => {
  await api.close();
});

describe('creating an integration', () => {
  it('configures HubSpot with its client secret sealed, the manifest’s defaults, and the exact callback URL', async () => {
    const res = await call('POST', '/api/v1/integrations', { connectorKey: 'hubspot', clientId: 'hs-app-1', clientSecret: SECRET });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      key: 'hubspot',
      connectorKey: 'hubspot',
      name: 'HubSpot',
      enabled: true,
      providerEnvironment: 'production',
      baseUrl: null,
      settings: { timeoutMs: 30_000, retryAttempts: 3, rateLimit: '110/10 seconds' },
      oauth: {
        clientId: 'hs-app-1',
        hasClientSecret: true,
        scopes: ['oauth', 'crm.objects.contacts.read'],
        scopesAreDefault: true,
        pkce: true,
        callbackUrl: 'http://localhost:4000/oauth/callback',
        connectUrl: `http://localhost:4000/oauth/connect/${body.id}`,
      },
    });
    expect(body.id).toMatch(/^int_/);
    expect(res.body).not.toContain(SECRET);
    const sealed = await rows<{ ciphertext: Uint8Array; name: string }>(api.database.db, sql`select ciphertext, name from secrets where owner_type = 'integration' and owner_id = ${body.id}`);
    expect(sealed.map((s) => s.name)).toEqual(['clientSecret']);
    expect(Buffer.from(sealed[0]!.ciphertext).toString('latin1')).not.toContain(SECRET);
    expect((await call('GET', `/api/v1/integrations/${body.id}`)).json()).toEqual(body);
    expect((await call('GET', '/api/v1/integrations/hubspot')).json().id).toBe(body.id);
  });

  it('answers 400 naming each field that does not fit the connector', async () => {
    const noClient = await call('POST', '/api/v1/integrations', { connectorKey: 'github', key: 'gh' });
    expect(noClient.statusCode).toBe(400);
    expect(noClient.json().errors[0]).toMatchObject({ field: '/clientId' });
    const oauthOnApiKey = await call('POST', '/api/v1/integrations', { connectorKey: 'stripe', clientId: 'x', scopes: ['a'] });
    expect(oauthOnApiKey.json().errors.map((e: { field: string }) => e.field)).toEqual(['/clientId', '/scopes']);
    const unknown = await call('POST', '/api/v1/integrations', { connectorKey: 'myspace' });
    expect(unknown.json().errors[0]).toMatchObject({ field: '/connectorKey' });
    const env = await call('POST', '/api/v1/integrations', { connectorKey: 'pagerduty', providerEnvironment: 'mars' });
    expect(env.json().errors[0]).toEqual({ field: '/providerEnvironment', message: 'must be one of production, eu' });
    const rate = await call('POST', '/api/v1/integrations', { connectorKey: 'pagerduty', settings: { rateLimit: 'lots' } });
    expect(rate.json().errors[0].field).toBe('/settings/rateLimit');
    const config = await call('POST', '/api/v1/integrations', { connectorKey: 'custom-oauth', clientId: 'c', config: { tokenUrl: 'https://idp.example.com/token', colour: 'red' } });
    expect(config.statusCode).toBe(400);
    const fields = config.json().errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['/config/colour', '/config/authorizationUrl', '/config/apiBaseUrl']));
    const halfOverride = await call('POST', '/api/v1/integrations', { connectorKey: 'slack', clientId: 'c', oauthUrls: { tokenUrl: 'https://example.com/token' } });
    expect(halfOverride.json().errors[0].field).toBe('/oauthUrls');
    const extra = await call('POST', '/api/v1/integrations', { connectorKey: 'stripe', colour: 'red' });
    expect(extra.statusCode).toBe(400);
  });

  it('puts configured URLs through the SSRF guard, honouring allowPrivateNetworks per environment', async () => {
    const metadata = await call('POST', '/api/v1/integrations', { connectorKey: 'stripe', key: 'stripe-md', baseUrl: 'http://169.254.169.254/latest' });
    expect(metadata.statusCode).toBe(422);
    expect(metadata.json().errors[0]).toMatchObject({ field: '/baseUrl' });
    expect(metadata.json().errors[0].message).toContain('cloud metadata');
    // dev allows private networks: a simulator on loopback is fine there.
    expect((await call('POST', '/api/v1/integrations', { connectorKey: 'stripe', key: 'stripe-local', baseUrl: 'http://127.0.0.1:12111' })).statusCode).toBe(201);
    // prod does not.
    const prodHttp = await call('POST', '/api/v1/integrations', { connectorKey: 'stripe', baseUrl: 'http://127.0.0.1:12111' }, api.keys.prod);
    expect(prodHttp.statusCode).toBe(422);
    expect(prodHttp.json().errors[0].message).toContain('must use https');
    const prodLoopback = await call('POST', '/api/v1/integrations', { connectorKey: 'stripe', baseUrl: 'https://127.0.0.1:12111' }, api.keys.prod);
    expect(prodLoopback.json().errors[0].message).toContain('loopback');
    const prodConfig = await call(
      'POST',
      '/api/v1/integrations',
      { connectorKey: 'custom-oauth', clientId: 'c', config: { authorizationUrl: 'https://10.0.0.8/authorize', tokenUrl: 'https://idp.example.com/token', apiBaseUrl: 'https://api.example.com' } },
      api.keys.prod,
    );
    expect(prodConfig.statusCode).toBe(422);
    expect(prodConfig.json().errors[0]).toMatchObject({ field: '/config/authorizationUrl' });
    const prodOverride = await call('POST', '/api/v1/integrations', { connectorKey: 'hubspot', clientId: 'c', oauthUrls: { authorizationUrl: 'https://192.168.1.1/a', tokenUrl: 'https://example.com/t' } }, api.keys.prod);
    expect(prodOverride.json().errors[0]).toMatchObject({ field: '/oauthUrls/authorizationUrl' });
  });

  it('keeps keys unique per environment', async () => {
    await call('POST', '/api/v1/integrations', { connectorKey: 'segment' });
    const twice = await call('POST', '/api/v1/integrations', { connectorKey: 'segment' });
    expect(twice.statusCode).toBe(409);
    expect((await call('POST', '/api/v1/integrations', { connectorKey: 'segment', key: 'segment-eu', providerEnvironment: 'eu' })).statusCode).toBe(201);
    expect((await call('POST', '/api/v1/integrations', { connectorKey: 'segment' }, api.keys.prod)).statusCode).toBe(201);
  });
});

describe('changing an integration', () => {
  it('changes scopes, settings and the client secret, and null goes back to the defaults', async () => {
    const created = (await call('POST', '/api/v1/integrations', { connectorKey: 'github', clientId: 'gh-1', clientSecret: 'gh-secret-1' })).json();
    const changed = await call('PATCH', `/api/v1/integrations/${created.id}`, { scopes: ['read:user'], settings: { timeoutMs: 5_000, retryAttempts: 0 }, clientSecret: 'gh-secret-2', name: 'GitHub (acme)' });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ name: 'GitHub (acme)', settings: { timeoutMs: 5_000, retryAttempts: 0, rateLimit: '5000/hour' }, oauth: { scopes: ['read:user'], scopesAreDefault: false, hasClientSecret: true } });
    const back = await call('PATCH', `/api/v1/integrations/${created.id}`, { scopes: null, settings: { timeoutMs: null }, clientSecret: null });
    expect(back.json()).toMatchObject({ settings: { timeoutMs: 30_000, retryAttempts: 0 }, oauth: { scopes: ['read:user', 'repo'], scopesAreDefault: true, hasClientSecret: false } });
    const audit = await call('GET', '/api/v1/audit-log?action=integration.updated');
    expect(audit.body).not.toContain('gh-secret');
    expect(audit.json().data[0].details).toEqual({ changed: ['scopes', 'settings', 'clientSecret'] });
  });

  it('refuses an invalid change and leaves the integration as it was', async () => {
    const created = (await call('POST', '/api/v1/integrations', { connectorKey: 'pagerduty', key: 'pd-change' })).json();
    const bad = await call('PATCH', `/api/v1/integrations/${created.id}`, { providerEnvironment: 'moon' });
    expect(bad.statusCode).toBe(400);
    expect((await call('GET', `/api/v1/integrations/${created.id}`)).json().providerEnvironment).toBe('production');
  });

  it('lists newest first with filters, and lets each role do what it may', async () => {
    const list = await call('GET', '/api/v1/integrations?connectorKey=segment');
    expect(list.json().data.map((i: { key: string }) => i.key)).toEqual(['segment-eu', 'segment']);
    const paged = (await call('GET', '/api/v1/integrations?limit=1')).json();
    expect(paged.data).toHaveLength(1);
    expect((await call('GET', `/api/v1/integrations?limit=1&cursor=${paged.nextCursor}`)).json().data[0].id).not.toBe(paged.data[0].id);
    expect((await call('GET', '/api/v1/integrations', undefined, api.keys.viewer)).statusCode).toBe(200);
    expect((await call('POST', '/api/v1/integrations', { connectorKey: 'okta', clientId: 'x' }, api.keys.viewer)).statusCode).toBe(403);
    expect((await call('POST', '/api/v1/integrations', { connectorKey: 'okta', clientId: 'x' }, api.keys.developer)).statusCode).toBe(201);
    expect((await call('GET', '/api/v1/integrations/okta', undefined, api.keys.prod)).statusCode).toBe(404);
  });

  it('deletes an integration with its secrets', async () => {
    const created = (await call('POST', '/api/v1/integrations', { connectorKey: 'salesforce', clientId: 'sf', clientSecret: 'sf-secret' })).json();
    const res = await call('DELETE', `/api/v1/integrations/${created.id}`);
    expect(res.statusCode).toBe(200);
    expect((await call('GET', `/api/v1/integrations/${created.id}`)).statusCode).toBe(404);
    const left = await rows<{ n: number }>(api.database.db, sql`select count(*)::int as n from secrets where owner_id = ${created.id}`);
    expect(left[0]!.n).toBe(0);
  });
});

describe('secrets', () => {
  it('never writes a client secret to the logs', () => {
    expect(api.logs.text()).not.toContain(SECRET);
    expect(api.logs.text()).not.toContain('gh-secret');
  });
});
