/**
 * Connect sessions for every connection mode: themes checked token by token, locale and origins,
 * the Connect UI's routes (read the forms, test live, connect once), reconnect sessions that
 * replace credentials, and embed tokens for one end customer's widgets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditLog } from '../../src/auth/schema.ts';
import { ManualClock } from '../../src/core/index.ts';
import { startSimulator, type SimulatorHandle } from '../../simulators/index.ts';
import { bearer, createTestApi, type TestApi } from '../support/api.ts';

const KEY = 'sk_test_patchbaysimulator0000000001';
const NEXT_KEY = 'sk_test_reconnectedkey00000000000003';
const WRONG_KEY = 'sk_test_00000000000000000000wrong';
const clock = new ManualClock(new Date());
let api: TestApi;
let stripe: SimulatorHandle;

const call = (method: 'GET' | 'POST', url: string, payload?: unknown, key = api.keys.admin) =>
  api.app.inject({ method, url, headers: bearer(key), ...(payload === undefined ? {} : { payload: payload as object }) });

async function session(body: Record<string, unknown>): Promise<{ id: string; token: string; connectUiUrl: string; integrations: { connectUrl: string; connectionMode: string }[] }> {
  const res = await call('POST', '/api/v1/connect/sessions', { endCustomerId: 'cust-1', integrations: ['stripe'], ...body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

beforeAll(async () => {
  api = await createTestApi({ clock });
  stripe = await startSimulator('stripe');
  stripe.control.credentials.add(NEXT_KEY);
  expect((await call('POST', '/api/v1/integrations', { connectorKey: 'stripe', baseUrl: stripe.baseUrl })).statusCode).toBe(201);
});
afterAll(async () => {
  await stripe.close();
  await api.close();
});

describe('making a connect session', () => {
  it('keeps a theme, a locale and origins, and gives the Connect UI URL with the token in its fragment', async () => {
    const made = await session({ theme: { tokens: { 'color-primary': '#0a7d5a', 'radius-md': '12px' }, dark: { 'color-primary': 'oklch(0.8 0.1 160)' }, productName: 'Acme Books' }, locale: 'fr-CA', origins: ['https://app.acme.test', 'http://localhost:3000'] });
    expect(made).toMatchObject({ theme: { tokens: { 'color-primary': '#0a7d5a', 'radius-md': '12px' }, productName: 'Acme Books' }, locale: 'fr-CA', origins: ['https://app.acme.test', 'http://localhost:3000'] });
    expect(made.connectUiUrl).toBe(`http://localhost:4000/connect?session=${made.id}#token=${made.token}`);
    expect(made.integrations[0]).toMatchObject({ connectionMode: 'apiKey' });
    expect(made.integrations[0]!.connectUrl).toContain('/connect?session=');
  });

  it('refuses an invalid token value with a 400 naming the token', async () => {
    const res = await call('POST', '/api/v1/connect/sessions', { endCustomerId: 'c', theme: { tokens: { 'color-primary': 'red; background: url(https://evil.test/x)', 'radius-md': '12' } } });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().errors).toEqual([
      { field: '/theme/tokens/color-primary', message: expect.stringContaining('is not a colour') },
      { field: '/theme/tokens/radius-md', message: expect.stringContaining('is not a length') },
    ]);
    const unknown = await call('POST', '/api/v1/connect/sessions', { endCustomerId: 'c', theme: { tokens: { 'color-sparkle': '#fff' } } });
    expect(unknown.json().errors[0]).toMatchObject({ field: '/theme/tokens/color-sparkle', message: expect.stringContaining('is not a theme token') });
  });

  it('refuses a locale that is not a language tag and an origin with a path', async () => {
    const res = await call('POST', '/api/v1/connect/sessions', { endCustomerId: 'c', locale: 'french please', origins: ['https://app.acme.test/settings'] });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { field: string }) => e.field)).toEqual(['/locale', '/origins/0']);
  });
});

describe('the Connect UI’s page', () => {
  it('may be framed only by the session’s origins, and by nobody without a session', async () => {
    const made = await session({ origins: ['https://app.acme.test'] });
    const framed = await api.app.inject({ method: 'GET', url: `/connect?session=${made.id}`, headers: { accept: 'text/html' } });
    expect(framed.statusCode, framed.body).toBe(200);
    expect(framed.headers['content-security-policy']).toContain('frame-ancestors https://app.acme.test');
    expect(framed.headers['content-security-policy']).toContain("connect-src 'self'");
    expect(framed.headers['x-frame-options']).toBeUndefined();
    expect(framed.body).toContain('<div id="root">');
    const bare = await api.app.inject({ method: 'GET', url: '/connect', headers: { accept: 'text/html' } });
    expect(bare.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(bare.headers['x-frame-options']).toBe('DENY');
    const sdk = await api.app.inject({ method: 'GET', url: '/sdk/connect.js' });
    expect(sdk.statusCode).toBe(200);
    expect(sdk.headers['content-type']).toContain('text/javascript');
    expect(sdk.headers['access-control-allow-origin']).toBe('*');
    expect(sdk.body).toContain('openConnect');
    expect((await api.app.inject({ method: 'GET', url: '/sdk/connect.d.ts' })).body).toContain('export declare function openConnect');
  });

  it('serves an SDK under 10 kB gzipped', async () => {
    const { gzipSync } = await import('node:zlib');
    const sdk = await api.app.inject({ method: 'GET', url: '/sdk/connect.js' });
    expect(gzipSync(sdk.rawPayload).length).toBeLessThan(10_000);
  });
});

describe('the Connect UI’s routes', () => {
  it('show the API-key form from the manifest, authenticated by the session token', async () => {
    const { token } = await session({});
    const res = await call('GET', '/api/v1/connect/session', undefined, token);
    expect(res.statusCode, res.body).toBe(200);
    const [stripeView] = res.json().integrations;
    expect(stripeView).toMatchObject({ key: 'stripe', connectionMode: 'apiKey', fields: [{ name: 'apiKey', secret: true, patternHint: expect.any(String), pattern: expect.any(String) }] });
    expect(stripeView.icon).toContain('<svg');
    expect((await call('GET', '/api/v1/connect/session', undefined, 'pb_cs_nope')).statusCode).toBe(401);
    expect((await call('GET', '/api/v1/connect/session', undefined, api.keys.admin)).statusCode).toBe(401);
  });

  it('test a key live without storing anything, saying why it was refused', async () => {
    const { token } = await session({ endCustomerId: 'live-test' });
    const refused = await call('POST', '/api/v1/connect/session/test', { integration: 'stripe', credentials: { apiKey: WRONG_KEY } }, token);
    expect(refused.statusCode, refused.body).toBe(200);
    expect(refused.json()).toMatchObject({ ok: false, code: 'invalid_credentials', status: 401, message: expect.stringContaining('Stripe did not accept the secret key') });
    const passed = await call('POST', '/api/v1/connect/session/test', { integration: 'stripe', credentials: { apiKey: KEY } }, token);
    expect(passed.json()).toMatchObject({ ok: true, accountInfo: { id: 'acct_1SimPatchbay0001' } });
    expect((await call('GET', '/api/v1/connections?endCustomerId=live-test')).json().data).toEqual([]);
  });

  it('make one connection per session: a wrong key leaves it usable, a second connection is refused with a problem saying so', async () => {
    const { token } = await session({ endCustomerId: 'once' });
    const wrong = await call('POST', '/api/v1/connect/session/connections', { integration: 'stripe', credentials: { apiKey: WRONG_KEY } }, token);
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json().type).toBe('https://patchbay.dev/problems/connection-test-failed');
    expect((await call('GET', '/api/v1/connections?endCustomerId=once')).json().data).toEqual([]);
    const made = await call('POST', '/api/v1/connect/session/connections', { integration: 'stripe', credentials: { apiKey: KEY } }, token);
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json()).toMatchObject({ endCustomerId: 'once', status: 'connected', replaced: false });
    const again = await call('POST', '/api/v1/connect/session/connections', { integration: 'stripe', credentials: { apiKey: KEY } }, token);
    expect(again.statusCode).toBe(409);
    expect(again.headers['content-type']).toContain('application/problem+json');
    expect(again.json()).toMatchObject({ type: 'https://patchbay.dev/problems/connect-session-used', connectionId: made.json().connectionId });
    expect(again.json().detail).toContain('a session makes one connection');
    expect((await call('GET', '/api/v1/connections?endCustomerId=once')).json().data).toHaveLength(1);
    expect((await call('GET', '/api/v1/connect/session', undefined, token)).json().used).toBe(true);
  });

  it('reconnect: a session for a connection replaces its credentials, same id, audited', async () => {
    expect((await call('POST', '/api/v1/connections', { integration: 'stripe', id: 'reconnect-me', endCustomerId: 'cust-r', credentials: { apiKey: KEY } })).statusCode).toBe(201);
    const other = await call('POST', '/api/v1/connect/sessions', { endCustomerId: 'someone-else', connectionId: 'reconnect-me' });
    expect(other.statusCode).toBe(422);
    const { token } = await session({ endCustomerId: 'cust-r', connectionId: 'reconnect-me', integrations: undefined });
    const view = (await call('GET', '/api/v1/connect/session', undefined, token)).json();
    expect(view).toMatchObject({ connectionId: 'reconnect-me', integrations: [{ key: 'stripe' }] });
    const res = await call('POST', '/api/v1/connect/session/connections', { integration: 'stripe', credentials: { apiKey: NEXT_KEY } }, token);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ connectionId: 'reconnect-me', replaced: true });
    const creds = (await call('GET', '/api/v1/connections/reconnect-me/credentials')).json();
    expect(creds.credentials.apiKey).toBe(NEXT_KEY);
    const audit = await api.database.db.select().from(auditLog).where(and(eq(auditLog.action, 'connection.credentials_replaced'), eq(auditLog.targetId, 'reconnect-me')));
    expect(audit[0]).toMatchObject({ actorType: 'system', actorId: expect.stringMatching(/^connect_session:cs_/) });
  });
});

describe('an integration’s default theme', () => {
  it('is checked token by token, shown with the integration, and lies under the session’s theme', async () => {
    const bad = await api.app.inject({ method: 'PUT', url: '/api/v1/integrations/stripe/connect-theme', headers: bearer(api.keys.admin), payload: { tokens: { 'color-primary': 'url(x)' } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toEqual([{ field: '/tokens/color-primary', message: expect.stringContaining('is not a colour') }]);
    const set = await api.app.inject({ method: 'PUT', url: '/api/v1/integrations/stripe/connect-theme', headers: bearer(api.keys.admin), payload: { tokens: { 'color-primary': '#aa3300' }, productName: 'Stripe at Acme' } });
    expect(set.statusCode, set.body).toBe(200);
    expect((await call('GET', '/api/v1/integrations/stripe/connect-theme')).json()).toMatchObject({ theme: { tokens: { 'color-primary': '#aa3300' } } });
    expect((await call('GET', '/api/v1/integrations/stripe/connect-theme', undefined, api.keys.viewer)).statusCode).toBe(200);
    expect((await api.app.inject({ method: 'PUT', url: '/api/v1/integrations/stripe/connect-theme', headers: bearer(api.keys.viewer), payload: {} })).statusCode).toBe(403);
    const { token } = await session({ theme: { tokens: { 'radius-md': '2px' } } });
    const view = (await call('GET', '/api/v1/connect/session', undefined, token)).json();
    expect(view.theme).toEqual({ tokens: { 'radius-md': '2px' } });
    expect(view.integrations[0].theme).toMatchObject({ tokens: { 'color-primary': '#aa3300' }, productName: 'Stripe at Acme' });
    const removed = await api.app.inject({ method: 'DELETE', url: '/api/v1/integrations/stripe/connect-theme', headers: bearer(api.keys.admin) });
    expect(removed.json()).toEqual({ integrationId: expect.stringMatching(/^int_/), theme: null });
  });
});

describe('embed tokens', () => {
  it('let a read-only widget list one end customer’s connections, and refuse to connect', async () => {
    const res = await call('POST', '/api/v1/embed-tokens', { endCustomerId: 'once', theme: { tokens: { 'color-primary': '#aa3300' } } });
    expect(res.statusCode, res.body).toBe(201);
    const { token, scopes, embedUrls } = res.json();
    expect(scopes).toEqual(['read']);
    expect(embedUrls.connections).toContain('#token=pb_et_');
    const list = await call('GET', '/api/v1/embed/connections', undefined, token);
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json()).toMatchObject({ endCustomerId: 'once', canConnect: false, theme: { tokens: { 'color-primary': '#aa3300' } }, data: [{ integrationName: 'Stripe', status: 'connected', reconnectable: true }] });
    expect(list.body).not.toContain(KEY);
    const refused = await call('POST', '/api/v1/embed/connect-sessions', {}, token);
    expect(refused.statusCode).toBe(403);
  });

  it('with connect, open a reconnect session for one of the end customer’s connections only', async () => {
    const { token } = (await call('POST', '/api/v1/embed-tokens', { endCustomerId: 'cust-r', scopes: ['read', 'connect'] })).json();
    const made = await call('POST', '/api/v1/embed/connect-sessions', { connectionId: 'reconnect-me' }, token);
    expect(made.statusCode, made.body).toBe(201);
    const view = (await call('GET', '/api/v1/connect/session', undefined, made.json().token)).json();
    expect(view).toMatchObject({ endCustomerId: 'cust-r', connectionId: 'reconnect-me' });
    expect((await call('POST', '/api/v1/embed/connect-sessions', { connectionId: 'once-not-mine' }, token)).statusCode).toBe(404);
  });

  it('refuse an expired token', async () => {
    const { token } = (await call('POST', '/api/v1/embed-tokens', { endCustomerId: 'once', expiresInSeconds: 60 })).json();
    clock.advance(61_000);
    const res = await call('GET', '/api/v1/embed/connections', undefined, token);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ type: 'https://patchbay.dev/problems/embed-token-invalid' });
  });

  it('are in the OpenAPI document with the connect routes', async () => {
    const doc = (await api.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    for (const [path, method] of [
      ['/api/v1/connect/sessions', 'post'],
      ['/api/v1/connect/session', 'get'],
      ['/api/v1/connect/session/test', 'post'],
      ['/api/v1/connect/session/connections', 'post'],
      ['/api/v1/embed-tokens', 'post'],
      ['/api/v1/embed/connections', 'get'],
      ['/api/v1/embed/connect-sessions', 'post'],
      ['/api/v1/embed/connections/{id}', 'delete'],
      ['/api/v1/embed/sync-runs/latest', 'get'],
      ['/api/v1/connections/{id}/credentials', 'put'],
    ] as const) {
      expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
    }
  });
});
