import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { ManualClock } from '../../src/core/index.ts';
import { rows } from '../../src/db/index.ts';
import { startSimulator, type SimulatorHandle } from '../../simulators/index.ts';
import { createTestApi, OWNER_PASSWORD, type TestApi } from '../support/api.ts';
import { startAuthorizationServer, type AuthorizationServer } from '../support/authorization-server.ts';
import { TestBrowser } from '../support/browser.ts';
import { CALLBACK, connectUrl, credentials, customOAuthIntegration, eventsOf, request } from './support.ts';

let api: TestApi;
let as: AuthorizationServer;
let integrationId: string;
const clock = new ManualClock(new Date());
const seen = new Set<string>();

beforeAll(async () => {
  api = await createTestApi({ clock });
  as = await startAuthorizationServer({ redirectUri: CALLBACK });
  integrationId = await customOAuthIntegration(api, as);
});
afterAll(async () => {
  await as.close();
  await api.close();
});

describe('connecting an OAuth account in the browser', () => {
  it('runs the authorization code flow with PKCE S256, seals the tokens and marks the connection connected', async () => {
    const url = await connectUrl(api, { endCustomerId: 'cust-1', integrations: [integrationId] });
    const browser = new TestBrowser(api.app);
    const { start, callbackUrl } = await browser.startConnect(url);
    expect(start.statusCode).toBe(302);
    expect(start.headers['referrer-policy']).toBe('no-referrer');
    const authorization = as.authorizations.at(-1)!;
    expect(authorization.get('code_challenge_method')).toBe('S256');
    expect(authorization.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorization.get('redirect_uri')).toBe(CALLBACK);
    expect(authorization.get('scope')).toBe('openid profile offline_access');
    const page = await browser.hub(callbackUrl!);
    expect(page.statusCode, page.body).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toContain('Custom OAuth 2.0 is connected');
    const id = /Connection: (conn_[0-9a-z]+)/.exec(page.body)![1]!;

    const connection = (await request(api, 'GET', `/api/v1/connections/${id}`)).json();
    expect(connection).toMatchObject({ endCustomerId: 'cust-1', integrationId, status: 'connected', credentialType: 'oauth2' });
    expect(connection.tokenExpiresAt).not.toBeNull();
    expect(as.grants.authorization_code).toBe(1);
    expect(await eventsOf(api, id)).toEqual(['connection.created']);

    const tokens = await credentials(api, id);
    expect(tokens.refreshToken).toBeTruthy();
    seen.add(tokens.accessToken).add(tokens.refreshToken!);
    const sealed = await rows<{ ciphertext: Uint8Array }>(api.database.db, sql`select ciphertext from secrets where owner_id = ${id}`);
    expect(Buffer.from(sealed[0]!.ciphertext).toString('latin1')).not.toContain(tokens.accessToken);
    expect(page.body).not.toContain(tokens.accessToken);

    const tested = (await request(api, 'POST', `/api/v1/connections/${id}/test`, {})).json();
    expect(tested).toMatchObject({ ok: true, accountInfo: { id: 'user-1', name: 'Ada Lovelace' } });
  });

  it('uses the connection id the product chose', async () => {
    const url = await connectUrl(api, { endCustomerId: 'cust-2', integrations: [integrationId] });
    const page = await new TestBrowser(api.app).connect(`${url}&connectionId=cust-2-crm`);
    expect(page.statusCode, page.body).toBe(200);
    expect((await request(api, 'GET', '/api/v1/connections/cust-2-crm')).json()).toMatchObject({ status: 'connected', endCustomerId: 'cust-2' });
  });

  it('refuses a callback whose state was changed, and a state used twice', async () => {
    const url = await connectUrl(api, { endCustomerId: 'cust-3', integrations: [integrationId] });
    const browser = new TestBrowser(api.app);
    const { callbackUrl } = await browser.startConnect(url);
    const tampered = new URL(callbackUrl!);
    tampered.searchParams.set('state', 'A'.repeat(52));
    const wrong = await browser.hub(tampered.href);
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('This sign-in is unknown or already finished');
    expect(wrong.body).toContain('Error code: state_unknown');
    const first = await browser.hub(callbackUrl!);
    expect(first.statusCode, first.body).toBe(200);
    const replay = await browser.hub(callbackUrl!);
    expect(replay.statusCode).toBe(400);
    expect(replay.body).toContain('already finished');
  });

  it('refuses to finish in another browser than the one that started', async () => {
    const url = await connectUrl(api, { endCustomerId: 'cust-4', integrations: [integrationId] });
    const { callbackUrl } = await new TestBrowser(api.app).startConnect(url);
    const elsewhere = await new TestBrowser(api.app).hub(callbackUrl!);
    expect(elsewhere.statusCode).toBe(400);
    expect(elsewhere.body).toContain('This sign-in was started in another browser');
    expect((await request(api, 'GET', '/api/v1/connections?endCustomerId=cust-4')).json().data).toEqual([]);
  });

  it('says the link expired when the provider sends the browser back after ten minutes', async () => {
    const url = await connectUrl(api, { endCustomerId: 'cust-5', integrations: [integrationId] });
    const browser = new TestBrowser(api.app);
    const { callbackUrl } = await browser.startConnect(url);
    clock.advance(11 * 60_000);
    const late = await browser.hub(callbackUrl!);
    expect(late.statusCode).toBe(400);
    expect(late.body).toContain('This sign-in link has expired');
    expect(late.body).toContain('within 10 minutes');
  });

  it('explains declined consent and connects nothing', async () => {
    const url = await connectUrl(api, { endCustomerId: 'cust-6', integrations: [integrationId] });
    as.declineNextConsent();
    const page = await new TestBrowser(api.app).connect(url);
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('Access was not granted');
    expect(page.body).toContain('start connecting again, then approve');
    expect(page.body).toContain('access_denied');
    expect((await request(api, 'GET', '/api/v1/connections?endCustomerId=cust-6')).json().data).toEqual([]);
  });

  it('explains scopes the provider refuses', async () => {
    const bad = await customOAuthIntegration(api, as, { key: 'bad-scopes', scopes: ['openid', 'admin:everything'] });
    const url = await connectUrl(api, { endCustomerId: 'cust-7', integrations: [bad] });
    const page = await new TestBrowser(api.app).connect(url);
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('The requested permissions were refused');
    expect(page.body).toContain("change the integration&#39;s scopes");
  });

  it('explains a redirect URI the provider does not know, naming the one to register', async () => {
    const url = await connectUrl(api, { endCustomerId: 'cust-8', integrations: [integrationId] });
    const browser = new TestBrowser(api.app);
    const start = await browser.hub(url);
    const state = new URL(String(start.headers.location)).searchParams.get('state')!;
    const page = await browser.hub(`/oauth/callback?error=redirect_uri_mismatch&error_description=The+redirect_uri+MUST+match&state=${state}`);
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('The redirect URI is not registered');
    expect(page.body).toContain(`register exactly ${CALLBACK}`);
  });

  it('leaves PKCE out for a provider whose manifest says it cannot do it', async () => {
    const slack: SimulatorHandle = await startSimulator('slack');
    try {
      const res = await request(api, 'POST', '/api/v1/integrations', {
        connectorKey: 'slack',
        clientId: slack.oauth!.clientId,
        clientSecret: slack.oauth!.clientSecret,
        baseUrl: slack.baseUrl,
        oauthUrls: { authorizationUrl: slack.oauth!.authorizationUrl, tokenUrl: slack.oauth!.tokenUrl, revocationUrl: slack.oauth!.revocationUrl },
      });
      expect(res.statusCode, res.body).toBe(201);
      const url = await connectUrl(api, { endCustomerId: 'cust-9', integrations: [res.json().id] });
      const browser = new TestBrowser(api.app);
      const { start, callbackUrl } = await browser.startConnect(url);
      const location = new URL(String(start.headers.location));
      expect(location.searchParams.get('code_challenge')).toBeNull();
      expect(location.searchParams.get('scope')).toBe('channels:read,chat:write,team:read');
      const page = await browser.hub(callbackUrl!);
      expect(page.statusCode, page.body).toBe(200);
      const id = /Connection: (conn_[0-9a-z]+)/.exec(page.body)![1]!;
      // Slack answers `token_type: bot` in its { ok } envelope; the kept fields come along.
      expect((await request(api, 'GET', `/api/v1/connections/${id}`)).json().metadata).toMatchObject({ bot_user_id: expect.any(String) });
      expect((await request(api, 'POST', `/api/v1/connections/${id}/test`, {})).json()).toMatchObject({ ok: true });
    } finally {
      await slack.close();
    }
  });
});

describe('connect sessions', () => {
  it('are created by an API key with connect-sessions:write, and show their token once', async () => {
    const res = await request(api, 'POST', '/api/v1/connect/sessions', { endCustomerId: 'cust-s', integrations: [integrationId] });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body.token).toMatch(/^pb_cs_/);
    expect(body.integrations[0].connectUrl).toBe(`http://localhost:4000/oauth/connect/${integrationId}?connectSession=${body.token}`);
    expect((await request(api, 'POST', '/api/v1/connect/sessions', { endCustomerId: 'x' }, api.keys.viewer)).statusCode).toBe(403);
    expect(api.logs.text()).not.toContain(body.token);
  });

  it('refuse integrations they do not allow, and expire', async () => {
    const other = await customOAuthIntegration(api, as, { key: 'other-oauth' });
    const url = await connectUrl(api, { endCustomerId: 'cust-s2', integrations: [integrationId], expiresInSeconds: 60 });
    const wrongIntegration = await new TestBrowser(api.app).hub(url.replace(integrationId, other));
    expect(wrongIntegration.statusCode).toBe(401);
    expect(wrongIntegration.body).toContain('This connect link is no longer valid');
    clock.advance(61_000);
    const expired = await new TestBrowser(api.app).hub(url);
    expect(expired.statusCode).toBe(401);
    expect(expired.body).toContain('This connect link is no longer valid');
  });

  it('send an API-key integration to the Connect UI form, and refuse another end customer’s connection', async () => {
    const stripe = await request(api, 'POST', '/api/v1/integrations', { connectorKey: 'stripe' });
    const apiKey = await request(api, 'POST', '/api/v1/connect/sessions', { endCustomerId: 'c', integrations: [stripe.json().id] });
    expect(apiKey.statusCode, apiKey.body).toBe(201);
    expect(apiKey.json().integrations[0]).toMatchObject({ connectionMode: 'apiKey', connectUrl: expect.stringMatching(/^http:\/\/localhost:4000\/connect\?session=cs_[^&]+&integration=int_[^#]+#token=pb_cs_/) });
    const theirs = await request(api, 'POST', '/api/v1/connect/sessions', { endCustomerId: 'someone-else', connectionId: 'cust-2-crm' });
    expect(theirs.statusCode).toBe(422);
  });

  it('re-authorize an existing connection and emit connection.recovered', async () => {
    const url = await connectUrl(api, { endCustomerId: 'cust-2', connectionId: 'cust-2-crm', integrations: [integrationId] });
    expect(url).toContain('&connectionId=cust-2-crm');
    const before = await credentials(api, 'cust-2-crm');
    const page = await new TestBrowser(api.app).connect(url);
    expect(page.statusCode, page.body).toBe(200);
    expect(page.body).toContain('connected again');
    const after = await credentials(api, 'cust-2-crm');
    expect(after.accessToken).not.toBe(before.accessToken);
    seen.add(after.accessToken).add(before.accessToken);
    expect(await eventsOf(api, 'cust-2-crm')).toEqual(['connection.created', 'connection.recovered']);
  });
});

describe("the dashboard's connect button", () => {
  it('starts the same flow with the signed-in session, its CSRF token and the environment in the link', async () => {
    const login = await api.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'owner@acme.test', password: OWNER_PASSWORD } });
    expect(login.statusCode, login.body).toBe(200);
    const cookie = login.cookies.find((c) => c.name === 'pb_session')!;
    const csrf = login.json().csrfToken as string;
    const browser = new TestBrowser(api.app);
    browser.hubCookies.set('pb_session', cookie.value);
    const noCsrf = await browser.hub(`/oauth/connect/${integrationId}?environment=dev&endCustomerId=dash-1`);
    expect(noCsrf.statusCode).toBe(401);
    const page = await browser.connect(`/oauth/connect/${integrationId}?environment=dev&endCustomerId=dash-1&csrfToken=${csrf}`);
    expect(page.statusCode, page.body).toBe(200);
    expect((await request(api, 'GET', '/api/v1/connections?endCustomerId=dash-1')).json().data).toHaveLength(1);
  });

  it('refuses a browser with neither a connect session nor a signed-in session', async () => {
    const page = await new TestBrowser(api.app).hub(`/oauth/connect/${integrationId}`);
    expect(page.statusCode).toBe(401);
    expect(page.body).toContain('Go back to the app');
  });
});

describe('a connect session makes one connection', () => {
  it('refuses a second OAuth connection with the same session, at the start and at the callback', async () => {
    const url = await connectUrl(api, { endCustomerId: 'cust-once', integrations: [integrationId] });
    const first = new TestBrowser(api.app);
    const second = new TestBrowser(api.app);
    const a = await first.startConnect(url);
    const b = await second.startConnect(url);
    expect((await first.hub(a.callbackUrl!)).statusCode).toBe(200);
    const late = await second.hub(b.callbackUrl!);
    expect(late.statusCode).toBe(409);
    expect(late.body).toContain('This connect link was already used');
    expect(late.body).toContain('Error code: session_used');
    const again = await new TestBrowser(api.app).hub(url);
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('Error code: session_used');
    const made = (await request(api, 'GET', '/api/v1/connections?endCustomerId=cust-once')).json().data;
    expect(made).toHaveLength(1);
  });
});

describe('a connect link opened on another host than PUBLIC_URL’s', () => {
  it('moves the start to the public host before setting the cookie, so the flow finishes', async () => {
    const url = await connectUrl(api, { endCustomerId: 'cust-host', integrations: [integrationId] });
    const opened = await api.app.inject({ method: 'GET', url, headers: { host: '127.0.0.1:4000' } });
    expect(opened.statusCode).toBe(302);
    expect(opened.cookies).toEqual([]);
    const moved = String(opened.headers.location);
    expect(moved.startsWith('http://localhost:4000/oauth/connect/')).toBe(true);
    expect(new URL(moved).searchParams.get('connectSession')).toBe(new URL(url, 'http://x').searchParams.get('connectSession'));
    const page = await new TestBrowser(api.app).connect(moved);
    expect(page.statusCode, page.body).toBe(200);
    expect(page.body).toContain('is connected');
  });

  it('says exactly which hosts differ when it arrives on the wrong host again', async () => {
    const url = await connectUrl(api, { endCustomerId: 'cust-host-2', integrations: [integrationId] });
    const res = await api.app.inject({ method: 'GET', url: `${url}&publicHost=1`, headers: { host: '127.0.0.1:4000' } });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('opened on another address than the hub’s');
    expect(res.body).toContain('It was opened on 127.0.0.1:4000, but the hub’s public URL (PUBLIC_URL) is on localhost:4000');
    expect(res.body).toContain('Error code: wrong_host');
  });
});

describe('secrets', () => {
  it('never writes a token to the logs', () => {
    expect(seen.size).toBeGreaterThan(3);
    const logs = api.logs.text();
    for (const token of seen) expect(logs).not.toContain(token);
    expect(logs).not.toContain(as.clientSecret);
  });
});
