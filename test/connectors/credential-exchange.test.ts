/**
 * A connector that exchanges its stored credential for a short-lived one (`auth.exchange` and
 * `exchangeCredential`): exchanged once and cached per credential version, renewed when the
 * provider refuses the cached value, and a refused exchange reported as the credential's refusal.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connected, createConnectorContext, defineConnector, expectOk, ManifestError, monogramIcon, runConnectionTest } from '../../src/connectors/index.ts';

/** A provider whose `/token` trades `key` for a token and whose `/me` takes only the newest token. */
let server: http.Server;
let baseUrl = '';
const state = { issued: 0, exchanges: 0 };
beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.url === '/token') {
        state.exchanges += 1;
        const { key } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { key?: string };
        if (key !== 'good-key') return send(401, { error: 'invalid_client' });
        state.issued += 1;
        return send(200, { token: `tok-${state.issued}`, expires_in: 3600 });
      }
      if (req.url === '/me') return req.headers.authorization === `Bearer tok-${state.issued}` ? send(200, { id: 'acct_1' }) : send(401, { error: 'expired' });
      send(404, {});
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const definition = {
  key: 'exchanger',
  name: 'Exchanger',
  description: 'A provider that trades a key for a token.',
  category: 'dev' as const,
  icon: monogramIcon('Ex', '#333'),
  capabilities: ['proxy' as const],
  connectionMode: 'apiKey' as const,
  auth: {
    fields: { key: { label: 'Key', secret: true } },
    inject: { in: 'header' as const, name: 'Authorization', format: 'Bearer {accessToken}' },
    exchange: { values: ['accessToken'] },
  },
  baseUrls: { production: 'https://exchanger.example' },
  docsUrl: 'https://exchanger.example/docs',
};
const connector = defineConnector({
  ...definition,
  async exchangeCredential(ctx) {
    const { body } = expectOk(await ctx.http.request<{ token: string; expires_in: number }>({ method: 'POST', path: '/token', body: { key: ctx.credentials.key } }));
    return { values: { accessToken: body.token }, expiresInSeconds: body.expires_in };
  },
  async testConnection(ctx) {
    return connected(expectOk(await ctx.http.request<{ id: string }>({ path: '/me' })).body);
  },
});
const contextFor = (key: string) => createConnectorContext(connector, { baseUrl, credentials: { key } });

describe('credential exchange', () => {
  it('exchanges once, then every request of every context with the same credential uses the cached token', async () => {
    const before = state.exchanges;
    for (let i = 0; i < 3; i++) expect((await contextFor('good-key').http.request({ path: '/me' })).status).toBe(200);
    expect(state.exchanges - before).toBe(1);
  });

  it('exchanges again when the provider refuses the cached token, and sends the request once more', async () => {
    state.issued += 1; // The provider has moved on: the cached token is no longer good.
    const before = state.exchanges;
    expect((await contextFor('good-key').http.request({ path: '/me' })).status).toBe(200);
    expect(state.exchanges - before).toBe(1);
  });

  it('reports a refused exchange as the credential being refused, naming the provider', async () => {
    const result = await runConnectionTest(connector, { baseUrl, credentials: { key: 'wrong-key' } });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toMatchObject({ code: 'invalid_credentials', status: 401 });
      expect(result.error.message).toContain('Exchanger');
    }
    // The refusal is the provider's answer to a proxied request too.
    expect((await contextFor('wrong-key').http.request({ path: '/me' })).status).toBe(401);
  });

  it('refuses a manifest that declares an exchange without exchangeCredential, and the reverse', () => {
    expect(() => defineConnector({ ...definition, testConnection: async () => connected() })).toThrow(ManifestError);
    const { exchange: _exchange, ...auth } = definition.auth;
    expect(() => defineConnector({ ...definition, auth, exchangeCredential: async () => ({ values: {} }), testConnection: async () => connected() })).toThrow(ManifestError);
  });
});
