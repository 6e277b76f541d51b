import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimulatorHandle } from '../../simulators/index.ts';
import { bearer } from '../support/api.ts';
import { createSyncApi, type SyncApi } from '../syncs/api-support.ts';

let t: SyncApi;
let stripe: SimulatorHandle;
let github: SimulatorHandle;

beforeAll(async () => {
  t = await createSyncApi();
  stripe = await startSimulator('stripe');
  github = await startSimulator('github');
  t.connect('conn_stripe', 'stripe', stripe);
  t.connect('conn_github', 'github', github);
});
afterAll(async () => {
  await Promise.all([stripe.close(), github.close()]);
  await t.close();
});
afterEach(() => {
  stripe.control.reset();
  github.control.reset();
});

describe('ALL /api/v1/proxy/{connectionId}/*', () => {
  it('forwards to the provider with the connection’s credential, and never Patchbay’s', async () => {
    const res = await t.api.app.inject({ method: 'GET', url: '/api/v1/proxy/conn_stripe/v1/customers?limit=3', headers: { ...t.auth, cookie: 'pb_session=abc', accept: 'application/json' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ object: 'list', data: expect.any(Array) });
    expect(res.json().data).toHaveLength(3);
    expect(res.headers['request-id']).toMatch(/^req_/);
    const [seen] = stripe.control.requests;
    expect(seen!.path).toBe('/v1/customers');
    expect(seen!.query).toBe('?limit=3');
    expect(seen!.headers.authorization).toBe(`Bearer ${stripe.sample.credentials.apiKey}`);
    expect(seen!.headers.cookie).toBeUndefined();
    expect(JSON.stringify(seen!.headers)).not.toContain(t.api.keys.developer);
  });

  it('adds the manifest’s headers (GitHub needs a User-Agent) and pages by absolute Link URLs', async () => {
    const res = await t.api.app.inject({ method: 'GET', url: '/api/v1/proxy/conn_github/user/repos?per_page=5', headers: t.auth });
    expect(res.statusCode).toBe(200);
    expect(github.control.requests[0]!.headers['user-agent']).toBe('Patchbay');
    expect(res.headers.link).toContain('rel="next"');
  });

  it('passes the provider’s errors through as they came', async () => {
    const res = await t.api.app.inject({ method: 'GET', url: '/api/v1/proxy/conn_stripe/v1/nowhere', headers: t.auth });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.message).toMatch(/Unrecognized request URL/);
  });

  it('does not send a POST that got a 503 twice', async () => {
    stripe.control.forceStatus(503, { times: 1 });
    const res = await t.api.app.inject({
      method: 'POST',
      url: '/api/v1/proxy/conn_stripe/v1/customers',
      headers: { ...t.auth, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'name=Only+once',
    });
    expect(res.statusCode).toBe(503);
    expect(stripe.control.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('sends a POST again after a 503 when the caller gave an Idempotency-Key, and forwards the key', async () => {
    stripe.control.forceStatus(503, { times: 1 });
    const res = await t.api.app.inject({
      method: 'POST',
      url: '/api/v1/proxy/conn_stripe/v1/customers',
      headers: { ...t.auth, 'content-type': 'application/x-www-form-urlencoded', 'idempotency-key': 'create-ada' },
      payload: 'name=Ada',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ name: 'Ada' });
    const posts = stripe.control.requests.filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(2);
    expect(posts.map((p) => p.headers['idempotency-key'])).toEqual(['create-ada', 'create-ada']);
    expect(posts[1]!.body).toBe('name=Ada');
  });

  it('answers 404 for a connection that is not in the key’s environment', async () => {
    const res = await t.api.app.inject({ method: 'GET', url: '/api/v1/proxy/conn_stripe/v1/customers', headers: bearer(t.api.keys.prod) });
    expect(res.statusCode).toBe(404);
    expect(stripe.control.requests).toHaveLength(0);
  });

  it('needs the proxy:use scope', async () => {
    const res = await t.api.app.inject({ method: 'GET', url: '/api/v1/proxy/conn_stripe/v1/customers', headers: bearer(t.api.keys.viewer) });
    expect(res.statusCode).toBe(403);
  });

  it('refuses paths that would leave the provider’s base URL', async () => {
    for (const url of ['/api/v1/proxy/conn_stripe//evil.example/steal', '/api/v1/proxy/conn_stripe/v1/%252e%252e/secret']) {
      const res = await t.api.app.inject({ method: 'GET', url, headers: t.auth });
      expect(res.statusCode).toBe(400);
    }
    expect(stripe.control.requests).toHaveLength(0);
  });

  it('says which provider could not be reached, with a hint', async () => {
    stripe.control.injectFault({ kind: 'hang' });
    t.connect('conn_stripe_slow', 'stripe', stripe, { timeoutMs: 100, retryAttempts: 0 });
    const res = await t.api.app.inject({ method: 'GET', url: '/api/v1/proxy/conn_stripe_slow/v1/account', headers: t.auth });
    expect(res.statusCode).toBe(504);
    expect(res.json()).toMatchObject({ type: 'https://patchbay.dev/problems/provider-unreachable', code: 'timeout', detail: expect.stringMatching(/Stripe did not answer/) });
  });
});
