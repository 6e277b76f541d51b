/**
 * SSRF: endpoint URLs are refused when they point inside (checked when set), and the delivery
 * pool checks again on every connection (a name that changes its answer is still refused).
 * `prod` does not allow private networks; the test's `dev` does, except cloud metadata.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedAddress, Resolver } from '../../../src/core/index.ts';
import { outboundHarness, startReceiver, waitFor, type OutboundHarness, type Receiver } from './support.ts';

// A stand-in DNS: `rebind.example` answers a public address once, then loopback.
let rebindCalls = 0;
const DNS: Record<string, () => string[]> = {
  'hooks.example.com': () => ['93.184.216.34'],
  'intranet.example.com': () => ['10.20.30.40'],
  'mixed.example.com': () => ['93.184.216.34', '192.168.0.10'],
  'v6.example.com': () => ['::1'],
  'mapped.example.com': () => ['::ffff:169.254.169.254'],
  'rebind.example': () => (rebindCalls++ === 0 ? ['93.184.216.34'] : ['127.0.0.1']),
};
const resolve: Resolver = async (hostname) => {
  const answer = DNS[hostname];
  if (!answer) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return answer().map((address): ResolvedAddress => ({ address, family: address.includes(':') ? 6 : 4 }));
};

/** Every URL tried in `prod`, with the reason it is refused for. */
const REFUSED: [url: string, why: string][] = [
  ['https://127.0.0.1/hooks', 'loopback'],
  ['https://127.1/hooks', 'loopback'],
  ['https://2130706433/hooks', 'loopback'],
  ['https://0x7f.0.0.1/hooks', 'loopback'],
  ['https://0177.0.0.1/hooks', 'loopback'],
  ['https://[::1]/hooks', 'loopback'],
  ['https://[::ffff:127.0.0.1]/hooks', 'loopback'],
  ['https://[::ffff:7f00:1]/hooks', 'loopback'],
  ['https://[2002:7f00:1::]/hooks', 'loopback'],
  ['https://localhost/hooks', 'internal-hostname'],
  ['https://api.localhost/hooks', 'internal-hostname'],
  ['https://printer.local/hooks', 'internal-hostname'],
  ['https://db.corp.internal/hooks', 'internal-hostname'],
  ['https://intranet/hooks', 'internal-hostname'],
  ['https://0.0.0.0/hooks', 'unspecified'],
  ['https://10.0.0.1/hooks', 'private'],
  ['https://172.16.5.4/hooks', 'private'],
  ['https://192.168.1.1/hooks', 'private'],
  ['https://100.64.0.1/hooks', 'carrier-grade-nat'],
  ['https://169.254.10.10/hooks', 'link-local'],
  ['https://[fe80::1]/hooks', 'link-local'],
  ['https://[fc00::1]/hooks', 'unique-local'],
  ['https://169.254.169.254/latest/meta-data/', 'cloud-metadata'],
  ['https://0xa9fea9fe/latest/meta-data/', 'cloud-metadata'],
  ['https://100.100.100.200/latest/meta-data/', 'cloud-metadata'],
  ['https://metadata.google.internal/computeMetadata/v1/', 'cloud-metadata'],
  ['https://[fd00:ec2::254]/latest/meta-data/', 'cloud-metadata'],
  ['https://[64:ff9b::a9fe:a9fe]/latest/meta-data/', 'cloud-metadata'],
  ['https://224.0.0.1/hooks', 'multicast'],
  ['https://240.0.0.1/hooks', 'reserved'],
  ['https://intranet.example.com/hooks', 'private'],
  ['https://mixed.example.com/hooks', 'private'],
  ['https://v6.example.com/hooks', 'loopback'],
  ['https://mapped.example.com/hooks', 'cloud-metadata'],
  ['https://nowhere.example.com/hooks', 'unresolvable'],
];

let h: OutboundHarness;
let receiver: Receiver;
const prod = () => ({ authorization: `Bearer ${h.api.keys.prod}` });
const inProd = async (method: 'GET' | 'POST', url: string, payload?: unknown) => {
  const res = await h.api.app.inject({ method, url, headers: prod(), ...(payload === undefined ? {} : { payload: payload as object }) });
  return { status: res.statusCode, body: res.json() };
};

beforeAll(async () => {
  h = await outboundHarness({ settings: { resolve } });
  receiver = await startReceiver();
});
afterAll(async () => {
  await h.close();
  await receiver.close();
});

describe('when an endpoint is set', () => {
  it.each(REFUSED)('refuses %s (%s)', async (url, why) => {
    const res = await inProd('POST', '/api/v1/endpoints', { url });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([{ field: '/url', message: `refused: ${why}` }]);
  });

  it('refuses other schemes, credentials in the URL, and plain http outside dev', async () => {
    expect((await inProd('POST', '/api/v1/endpoints', { url: 'ftp://hooks.example.com/' })).status).toBe(422);
    expect((await inProd('POST', '/api/v1/endpoints', { url: 'file:///etc/passwd' })).status).toBe(422);
    expect((await inProd('POST', '/api/v1/endpoints', { url: 'https://user:pw@hooks.example.com/' })).status).toBe(400);
    expect((await inProd('POST', '/api/v1/endpoints', { url: 'http://hooks.example.com/' })).body.detail).toBe('Endpoints in prod must use https.');
    const ok = await inProd('POST', '/api/v1/endpoints', { url: 'https://hooks.example.com/' });
    expect(ok.status).toBe(201);
    // Nothing in these tests may leave the machine: no endpoint with a public address stays.
    await h.api.app.inject({ method: 'DELETE', url: `/api/v1/endpoints/${ok.body.id}`, headers: prod() });
  });

  it('refuses a private URL on update too', async () => {
    const created = await inProd('POST', '/api/v1/endpoints', { url: 'https://hooks.example.com/2' });
    const res = await h.api.app.inject({ method: 'PATCH', url: `/api/v1/endpoints/${created.body.id}`, headers: prod(), payload: { url: 'https://10.0.0.1/' } });
    expect(res.statusCode).toBe(422);
    await h.api.app.inject({ method: 'DELETE', url: `/api/v1/endpoints/${created.body.id}`, headers: prod() });
  });

  it('lets loopback through where the environment allows private networks (dev), but never cloud metadata', async () => {
    expect((await h.post('/api/v1/endpoints', { url: `${receiver.url}/ok` })).status).toBe(201);
    expect((await h.post('/api/v1/endpoints', { url: 'http://169.254.169.254/latest/meta-data/' })).body.errors).toEqual([{ field: '/url', message: 'refused: cloud-metadata' }]);
    expect((await h.post('/api/v1/endpoints', { url: 'http://[fd00:ec2::254]/' })).status).toBe(422);
  });
});

describe('when a delivery connects', () => {
  it('refuses a name that resolved to a public address when set and to loopback when dialled (DNS rebinding)', async () => {
    const port = new URL(receiver.url).port;
    expect((await inProd('POST', '/api/v1/event-types', { name: 'order.created' })).status).toBe(201);
    const ep = await inProd('POST', '/api/v1/endpoints', { url: `https://rebind.example:${port}/steal` });
    expect(ep.status).toBe(201);
    const published = await inProd('POST', '/api/v1/events', { type: 'order.created', data: {} });
    await waitFor(async () => (await prodAttempts(published.body.id)).length > 0);
    const attempts = await prodAttempts(published.body.id);
    expect(attempts.map((a) => a.endpointId)).toEqual([ep.body.id]);
    const [attempt] = attempts;
    expect(attempt, JSON.stringify(attempt)).toMatchObject({ errorClass: 'ssrf', statusCode: null });
    expect(attempt!.error).toContain('loopback');
    expect(receiver.requests.filter((r) => r.url === '/steal')).toHaveLength(0);
  });
});

async function prodAttempts(messageId: string) {
  return (await inProd('GET', `/api/v1/messages/${messageId}/attempts`)).body.data as { endpointId: string; errorClass: string; statusCode: number | null; error: string }[];
}
