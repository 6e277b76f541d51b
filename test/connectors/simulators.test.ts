import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnectorContext, getConnector, loadRegistry, runConnectionTest } from '../../src/connectors/index.ts';
import type { ProviderResponse } from '../../src/proxy/index.ts';
import {
  SIMULATORS,
  GITHUB_DEFAULT_COUNTS,
  HUBSPOT_DEFAULT_COUNTS,
  SALESFORCE_DEFAULT_COUNTS,
  STRIPE_DEFAULT_COUNTS,
  startAllSimulators,
  startCustomWebhookSimulator,
  startSimulator,
  type SimulatorHandle,
} from '../../simulators/index.ts';

beforeAll(async () => {
  await loadRegistry();
});

const REDIRECT = 'https://app.example.com/oauth/callback';

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** Follows the simulator's authorization endpoint and returns the redirect's query. */
async function authorize(sim: SimulatorHandle, extra: Record<string, string> = {}): Promise<URLSearchParams> {
  const url = new URL(sim.oauth!.authorizationUrl);
  const params = { response_type: 'code', client_id: sim.oauth!.clientId, redirect_uri: REDIRECT, state: 'st-123', scope: 'read', ...extra };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const res = await request(url);
  await res.body.dump();
  expect(res.statusCode).toBe(302);
  const location = new URL(String(res.headers.location));
  expect(location.origin + location.pathname).toBe(REDIRECT);
  return location.searchParams;
}

async function token(sim: SimulatorHandle, form: Record<string, string>, accept = 'application/json'): Promise<{ status: number; body: Record<string, string> }> {
  const res = await request(sim.oauth!.tokenUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      accept,
      authorization: 'Basic ' + Buffer.from(`${sim.oauth!.clientId}:${sim.oauth!.clientSecret}`).toString('base64'),
    },
    body: new URLSearchParams(form).toString(),
  });
  const text = await res.body.text();
  const body = (res.headers['content-type'] ?? '').includes('json') ? (JSON.parse(text) as Record<string, string>) : Object.fromEntries(new URLSearchParams(text));
  return { status: res.statusCode, body };
}

async function revoke(sim: SimulatorHandle, value: string): Promise<number> {
  const res = await request(sim.oauth!.revocationUrl!, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: 'Basic ' + Buffer.from(`${sim.oauth!.clientId}:${sim.oauth!.clientSecret}`).toString('base64'),
    },
    body: new URLSearchParams({ token: value, token_type_hint: 'refresh_token' }).toString(),
  });
  await res.body.dump();
  return res.statusCode;
}

describe('simulated OAuth authorization servers', () => {
  let okta: SimulatorHandle;
  beforeAll(async () => {
    okta = await startSimulator('okta');
  });
  afterAll(() => okta.close());

  const testWith = (accessToken: string) =>
    runConnectionTest(getConnector('okta')!, { baseUrl: okta.baseUrl, credentials: { accessToken }, connectionConfig: okta.sample.connectionConfig });

  it('runs the authorization code flow with PKCE, then the token works on the API', async () => {
    const { verifier, challenge } = pkce();
    const query = await authorize(okta, { code_challenge: challenge, code_challenge_method: 'S256', scope: 'openid okta.users.read.self' });
    expect(query.get('state')).toBe('st-123');
    const { status, body } = await token(okta, { grant_type: 'authorization_code', code: query.get('code')!, redirect_uri: REDIRECT, code_verifier: verifier });
    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    expect((await testWith(body.access_token!)).ok).toBe(true);
  });

  it('refuses a wrong PKCE verifier and a reused code', async () => {
    const { challenge } = pkce();
    const code = (await authorize(okta, { code_challenge: challenge, code_challenge_method: 'S256' })).get('code')!;
    const wrong = await token(okta, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: 'not-the-verifier' });
    expect(wrong).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const again = await token(okta, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: 'not-the-verifier' });
    expect(again.body.error).toBe('invalid_grant');
  });

  it('sends a denied consent back as access_denied with the state', async () => {
    okta.oauth!.control.denyConsent();
    try {
      const query = await authorize(okta);
      expect(query.get('error')).toBe('access_denied');
      expect(query.get('state')).toBe('st-123');
    } finally {
      okta.oauth!.control.denyConsent(false);
    }
  });

  it('rotates refresh tokens, and revocation (RFC 7009) ends the grant', async () => {
    const code = (await authorize(okta)).get('code')!;
    const first = (await token(okta, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT })).body;
    const second = await token(okta, { grant_type: 'refresh_token', refresh_token: first.refresh_token! });
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.refresh_token);
    expect((await token(okta, { grant_type: 'refresh_token', refresh_token: first.refresh_token! })).body.error).toBe('invalid_grant');

    expect(await revoke(okta, second.body.refresh_token!)).toBe(200);
    expect((await token(okta, { grant_type: 'refresh_token', refresh_token: second.body.refresh_token! })).body.error).toBe('invalid_grant');
    const after = await testWith(second.body.access_token!);
    expect(after).toMatchObject({ ok: false, error: { code: 'invalid_credentials' } });
    // Unknown tokens are fine to revoke (RFC 7009 §2.2).
    expect(await revoke(okta, 'never-issued')).toBe(200);
  });

  it('issues ID tokens verifiable with the published JWKS', async () => {
    const discovery = (await (await request(`${okta.url}/.well-known/openid-configuration`)).body.json()) as Record<string, string>;
    expect(discovery.issuer).toBe(okta.oauth!.issuer);
    expect(discovery.token_endpoint).toBe(okta.oauth!.tokenUrl);
    const code = (await authorize(okta, { scope: 'openid email', nonce: 'n-1' })).get('code')!;
    const { body } = await token(okta, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT });
    const [header, payload, signature] = body.id_token!.split('.');
    const { keys } = (await (await request(discovery.jwks_uri!)).body.json()) as { keys: Record<string, string>[] };
    const key = createPublicKey({ key: keys[0]!, format: 'jwk' });
    expect(verify('sha256', Buffer.from(`${header}.${payload}`), key, Buffer.from(signature!, 'base64url'))).toBe(true);
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ iss: okta.oauth!.issuer, aud: okta.oauth!.clientId, nonce: 'n-1' });
  });

  it('counts token requests by grant type and can fail them on demand', async () => {
    okta.oauth!.control.failTokenRequests('invalid_grant');
    try {
      const before = okta.oauth!.control.tokenRequests.refresh_token ?? 0;
      expect((await token(okta, { grant_type: 'refresh_token', refresh_token: 'x' })).body.error).toBe('invalid_grant');
      expect(okta.oauth!.control.tokenRequests.refresh_token).toBe(before + 1);
    } finally {
      okta.oauth!.control.failTokenRequests(null);
    }
  });

  it('restores its sample credentials on reset', async () => {
    okta.control.credentials.clear();
    expect((await testWith(okta.sample.credentials.accessToken!)).ok).toBe(false);
    okta.control.reset();
    expect((await testWith(okta.sample.credentials.accessToken!)).ok).toBe(true);
  });

  it('answers in the provider style: GitHub form-encoded, Slack inside { ok }', async () => {
    const github = await startSimulator('github');
    const slack = await startSimulator('slack');
    try {
      const ghCode = (await authorize(github)).get('code')!;
      const gh = await token(github, { code: ghCode, redirect_uri: REDIRECT }, '*/*');
      expect(gh.body.access_token).toMatch(/^gho_sim/);
      const slCode = (await authorize(slack)).get('code')!;
      const sl = await token(slack, { code: slCode, redirect_uri: REDIRECT });
      expect(sl.body).toMatchObject({ ok: true, token_type: 'bot', team: { id: 'T0SIM00001' } });
    } finally {
      await Promise.all([github.close(), slack.close()]);
    }
  });
});

describe('simulated pagination', () => {
  let all: Awaited<ReturnType<typeof startAllSimulators>>;
  beforeAll(async () => {
    all = await startAllSimulators();
  });
  afterAll(() => all.close());

  const http = (key: string) => {
    const sim = all.simulators[key]!;
    return createConnectorContext(getConnector(key)!, {
      baseUrl: sim.baseUrl,
      credentials: sim.sample.credentials,
      connectionConfig: sim.sample.connectionConfig,
      integrationConfig: sim.sample.integrationConfig,
      metadata: sim.sample.metadata,
    }).http;
  };

  it('starts every simulator', () => {
    expect(Object.keys(all.simulators).sort()).toEqual(Object.keys(SIMULATORS).sort());
  });

  it('pages HubSpot contacts with paging.next.after', async () => {
    let after: string | undefined;
    let count = 0;
    do {
      const { body } = await http('hubspot').request<{ results: unknown[]; paging?: { next: { after: string } } }>({
        path: '/crm/v3/objects/contacts',
        query: { limit: 100, after },
      });
      count += body.results.length;
      after = body.paging?.next.after;
    } while (after);
    expect(count).toBe(HUBSPOT_DEFAULT_COUNTS.contacts);
  });

  it('pages Stripe customers with starting_after and has_more', async () => {
    const ids: string[] = [];
    let more = true;
    while (more) {
      const { body } = await http('stripe').request<{ data: { id: string }[]; has_more: boolean }>({
        path: '/v1/customers',
        query: { limit: 100, starting_after: ids.at(-1) },
      });
      ids.push(...body.data.map((c) => c.id));
      more = body.has_more;
    }
    expect(new Set(ids).size).toBe(STRIPE_DEFAULT_COUNTS.customers);
  });

  it('pages GitHub repositories by the Link header', async () => {
    let path: string | undefined = '/user/repos?per_page=20';
    let count = 0;
    while (path) {
      const res: ProviderResponse<unknown[]> = await http('github').request<unknown[]>({ path });
      count += res.body.length;
      const next: string | undefined = /<([^>]+)>; rel="next"/.exec(res.headers.link ?? '')?.[1];
      path = next ? new URL(next).pathname + new URL(next).search : undefined;
    }
    expect(count).toBe(GITHUB_DEFAULT_COUNTS.repos);
  });

  it('pages Salesforce query results by nextRecordsUrl', async () => {
    const client = http('salesforce');
    let res = await client.request<{ records: unknown[]; done: boolean; nextRecordsUrl?: string; totalSize: number }>({
      path: '/services/data/v62.0/query',
      query: { q: 'SELECT Id, Name FROM Account' },
      headers: { 'Sforce-Query-Options': 'batchSize=200' },
    });
    let count = res.body.records.length;
    while (!res.body.done) {
      res = await client.request({ path: res.body.nextRecordsUrl! });
      count += res.body.records.length;
    }
    expect(count).toBe(res.body.totalSize);
    expect(count).toBe(SALESFORCE_DEFAULT_COUNTS.Account);
  });

  it('pages Slack, Segment, PagerDuty and Okta lists their own way', async () => {
    let cursor = '';
    let channels = 0;
    do {
      const { body } = await http('slack').request<{ channels: unknown[]; response_metadata: { next_cursor: string } }>({
        method: 'POST',
        path: '/conversations.list',
        body: new URLSearchParams({ limit: '5', ...(cursor ? { cursor } : {}) }),
      });
      channels += body.channels.length;
      cursor = body.response_metadata.next_cursor;
    } while (cursor);
    expect(channels).toBe(12);

    let segmentCursor: string | undefined;
    let sources = 0;
    do {
      const { body } = await http('segment').request<{ data: { sources: unknown[]; pagination: { next?: string } } }>({
        path: '/sources',
        query: { 'pagination.count': 5, 'pagination.cursor': segmentCursor },
      });
      sources += body.data.sources.length;
      segmentCursor = body.data.pagination.next;
    } while (segmentCursor);
    expect(sources).toBe(17);

    let offset = 0;
    let more = true;
    let services = 0;
    while (more) {
      const { body } = await http('pagerduty').request<{ services: unknown[]; more: boolean }>({ path: '/services', query: { limit: 10, offset } });
      services += body.services.length;
      offset += 10;
      more = body.more;
    }
    expect(services).toBe(37);

    let path: string | undefined = '/api/v1/users?limit=7';
    let users = 0;
    while (path) {
      const res: ProviderResponse<unknown[]> = await http('okta').request<unknown[]>({ path });
      users += res.body.length;
      const next: string | undefined = /<([^>]+)>; rel="next"/.exec(res.headers.link ?? '')?.[1];
      path = next ? new URL(next).pathname + new URL(next).search : undefined;
    }
    expect(users).toBe(30);
  });
});

describe('the webhook sender simulator', () => {
  it('signs deliveries the Standard Webhooks way, which the Custom webhook connector verifies', async () => {
    const received: { headers: Record<string, string>; body: Buffer }[] = [];
    const receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers as Record<string, string>, body: Buffer.concat(chunks) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const sim = await startCustomWebhookSimulator();
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      const sent = await sim.send(url, { type: 'order.paid', data: { id: 'o_1' } });
      expect(sent.status).toBe(204);

      // The HTTP trigger does the same, behind its token.
      const trigger = await request(`${sim.url}/events`, {
        method: 'POST',
        headers: { authorization: 'Bearer sim-trigger-token', 'content-type': 'application/json' },
        body: JSON.stringify({ url, type: 'order.refunded', data: {} }),
      });
      expect(trigger.statusCode).toBe(202);
      await trigger.body.dump();

      const webhooks = getConnector('custom-webhook')!.webhooks!;
      const secret = sim.sample.credentials.signingSecret!;
      const [first, second] = received;
      const asRequest = (r: { headers: Record<string, string>; body: Buffer }) => ({ method: 'POST', url: `${url}`, headers: r.headers, rawBody: r.body, receivedAt: new Date() });
      const options = { toleranceSeconds: 300, settings: {} };
      expect(await webhooks.verify(asRequest(first!), [secret], options)).toEqual({ ok: true });
      expect(await webhooks.verify(asRequest(first!), ['whsec_' + Buffer.from('another-secret-entirely').toString('base64'), secret], options)).toEqual({ ok: true });
      expect(await webhooks.verify({ ...asRequest(first!), rawBody: Buffer.from('{"tampered":true}') }, [secret], options)).toMatchObject({ ok: false });
      expect(webhooks.eventId(asRequest(first!))).toBe(sent.id);
      expect(await webhooks.route(asRequest(first!))).toMatchObject({ eventType: 'order.paid' });
      expect(await webhooks.route(asRequest(second!))).toMatchObject({ eventType: 'order.refunded' });
    } finally {
      await sim.close();
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });
});
