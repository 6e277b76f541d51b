import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../support/api.ts';
import { startAuthorizationServer, type AuthorizationServer } from '../support/authorization-server.ts';
import { TestBrowser } from '../support/browser.ts';
import { CALLBACK, connectUrl, request } from './support.ts';

let api: TestApi;
let as: AuthorizationServer;

/** An Okta integration whose endpoints (and issuer) are overridden; returns its id. */
async function oktaIntegration(key: string, urls: { authorizationUrl: string; tokenUrl: string; issuer: string; revocationUrl?: string }): Promise<string> {
  const res = await request(api, 'POST', '/api/v1/integrations', {
    connectorKey: 'okta',
    key,
    clientId: as.clientId,
    clientSecret: as.clientSecret,
    scopes: ['openid', 'profile', 'offline_access'],
    oauthUrls: urls,
    baseUrl: as.issuer,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}

beforeAll(async () => {
  api = await createTestApi();
  as = await startAuthorizationServer({ redirectUri: CALLBACK });
});
afterAll(async () => {
  await as.close();
  await api.close();
});

describe('OpenID Connect ID tokens of identity connectors', () => {
  it('validates the ID token against the issuer’s keys and keeps its subject', async () => {
    const id = await oktaIntegration('okta', as.urls);
    const url = await connectUrl(api, { endCustomerId: 'idp-1', integrations: [id], connectionConfig: { domain: 'acme.okta.com' } });
    const browser = new TestBrowser(api.app);
    const { callbackUrl } = await browser.startConnect(url);
    expect(as.authorizations.at(-1)!.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const page = await browser.hub(callbackUrl!);
    expect(page.statusCode, page.body).toBe(200);
    expect(page.body).toContain('Okta is connected');
    expect(as.hits['/.well-known/openid-configuration']).toBeGreaterThanOrEqual(1);
    expect(as.hits['/jwks']).toBeGreaterThanOrEqual(1);
    const connectionId = /Connection: (conn_[0-9a-z]+)/.exec(page.body)![1]!;
    const connection = (await request(api, 'GET', `/api/v1/connections/${connectionId}`)).json();
    expect(connection).toMatchObject({ status: 'connected', config: { domain: 'acme.okta.com' }, accountInfo: { id: 'user-1' } });
    const creds = (await request(api, 'GET', `/api/v1/connections/${connectionId}/credentials`)).json().credentials;
    expect(creds.idToken).toMatch(/^ey/);
  });

  it('asks for the Okta domain before connecting when the session does not give it', async () => {
    const id = await oktaIntegration('okta-no-domain', as.urls);
    const url = await connectUrl(api, { endCustomerId: 'idp-2', integrations: [id] });
    const page = await new TestBrowser(api.app).hub(url);
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('Some details are missing');
    expect(page.body).toContain('Okta domain is required');
    const given = await new TestBrowser(api.app).connect(`${url}&config.domain=acme.okta.com`);
    expect(given.statusCode, given.body).toBe(200);
  });

  describe('refuses an ID token that does not validate', () => {
    // A provider that answers the code exchange with an ID token made to fail one check.
    type Flaw = 'issuer' | 'audience' | 'expired' | 'signature';
    let flaw: Flaw = 'issuer';
    let fake: http.Server;
    let origin = '';
    let asKid = '';
    const nonces = new Map<string, string>();
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

    beforeAll(async () => {
      const jwks = (await (await fetch(`${as.issuer}/jwks`)).json()) as { keys: { kid: string }[] };
      asKid = jwks.keys[0]!.kid;
      fake = http.createServer((req, res) => {
        const url = new URL(req.url ?? '/', origin);
        if (url.pathname === '/auth') {
          const code = `code-${nonces.size}`;
          nonces.set(code, url.searchParams.get('nonce') ?? '');
          const back = new URL(url.searchParams.get('redirect_uri')!);
          back.searchParams.set('code', code);
          back.searchParams.set('state', url.searchParams.get('state')!);
          res.writeHead(302, { location: back.href }).end();
          return;
        }
        let body = '';
        req.on('data', (c) => (body += String(c)));
        req.on('end', () => {
          const code = new URLSearchParams(body).get('code') ?? '';
          const now = Math.floor(Date.now() / 1000);
          const claims = {
            iss: flaw === 'issuer' ? origin : as.issuer,
            aud: flaw === 'audience' ? 'someone-else' : as.clientId,
            sub: 'intruder',
            iat: now - (flaw === 'expired' ? 7200 : 0),
            exp: flaw === 'expired' ? now - 3600 : now + 3600,
            nonce: nonces.get(code),
          };
          const encode = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
          // Signed with a key that is not the issuer's, under the issuer's key id.
          const input = `${encode({ alg: 'RS256', typ: 'JWT', kid: asKid })}.${encode(claims)}`;
          const idToken = `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: 'fake-access', token_type: 'Bearer', expires_in: 3600, id_token: idToken }));
        });
      });
      await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
      origin = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await new Promise((resolve) => fake.close(resolve));
    });

    it.each<Flaw>(['issuer', 'audience', 'expired', 'signature'])('with a wrong %s', async (which) => {
      flaw = which;
      const id = await oktaIntegration(`okta-${which}`, { authorizationUrl: `${origin}/auth`, tokenUrl: `${origin}/token`, issuer: as.issuer });
      const url = await connectUrl(api, { endCustomerId: `idp-${which}`, integrations: [id], connectionConfig: { domain: 'acme.okta.com' } });
      const page = await new TestBrowser(api.app).connect(url);
      expect(page.statusCode).toBe(400);
      expect(page.body).toContain('The sign-in could not be verified');
      expect(page.body).toContain('invalid_id_token');
      expect((await request(api, 'GET', `/api/v1/connections?endCustomerId=idp-${which}`)).json().data).toEqual([]);
    });
  });
});
