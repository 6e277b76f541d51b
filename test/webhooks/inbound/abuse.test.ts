/**
 * Hostile and broken senders get the right status and never a 5xx: bad signatures, stale
 * timestamps, truncated and garbage bodies, odd content types, oversize bodies, slow senders,
 * unknown sources and methods. Plus the generic source's verification options.
 */
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVault } from '../../../src/credentials/index.ts';
import { createInbound } from '../../../src/webhooks/inbound/index.ts';
import { sourceRoutes } from '../../../src/api/routes/sources.ts';
import { inboundEventRoutes } from '../../../src/api/routes/inbound-events.ts';
import { ingestRoutes } from '../../../src/api/routes/webhooks-in.ts';
import type { InboundRuntime } from '../../../src/api/routes/inbound-runtime.ts';
import { SIGNERS } from '../../../simulators/index.ts';
import { bearer, createTestApi, type TestApi } from '../../support/api.ts';

const PUBLIC = 'http://localhost:4000';
let api: TestApi;
let base: string;
let runtime: InboundRuntime;

beforeAll(async () => {
  api = await createTestApi({
    plugins: [
      { plugin: sourceRoutes(() => runtime) },
      { plugin: inboundEventRoutes },
      { plugin: ingestRoutes(() => runtime, { bodyTimeoutMs: 2_000 }), absolute: true },
    ],
  });
  const vault = createVault({ keys: [{ id: 't', key: randomBytes(32) }] });
  const inbound = createInbound({ database: api.database, vault, clock: api.clock, logger: api.logs.logger, publicUrl: PUBLIC, rejectedPerMinute: 5 });
  runtime = { vault, ingestor: inbound.ingestor };
  await api.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await api?.close();
});

async function createSource(body: Record<string, unknown>): Promise<string> {
  const res = await api.app.inject({ method: 'POST', url: '/api/v1/sources', headers: bearer(api.keys.admin), payload: body });
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as { id: string }).id;
}

const now = () => api.clock.now().getTime();
async function send(sourceId: string, init: { method?: string; headers?: Record<string, string>; body?: string | Buffer; query?: string } = {}) {
  const res = await request(`${base}/webhooks/in/${sourceId}${init.query ?? ''}`, { method: (init.method ?? 'POST') as 'POST', headers: init.headers ?? {}, body: init.body ?? null });
  return { status: res.statusCode, body: await res.body.text(), headers: res.headers };
}
function stripe(sourceId: string, secret: string, body: string, at = now()) {
  return SIGNERS.stripe!(secret, { url: `${PUBLIC}/webhooks/in/${sourceId}`, body, at });
}

/** Writes raw HTTP on a socket and returns what came back (or '' if the server closed). */
function rawHttp(write: (socket: net.Socket) => void, waitMs = 2_000): Promise<string> {
  return new Promise((resolve) => {
    const { port } = api.app.server.address() as AddressInfo;
    const socket = net.connect(port, '127.0.0.1', () => write(socket));
    let data = '';
    socket.on('data', (c) => (data += c.toString()));
    const done = () => resolve(data);
    socket.on('close', done);
    socket.on('error', done);
    setTimeout(() => {
      socket.destroy();
      done();
    }, waitMs).unref();
  });
}

describe('a Stripe source under abuse', () => {
  const secret = 'whsec_abuse';
  let id: string;
  beforeAll(async () => {
    id = await createSource({ name: 'Stripe', connector: 'stripe', secret });
  });

  it('answers 401 to bad, missing and malformed signatures', async () => {
    const good = stripe(id, secret, '{"id":"evt_a1","type":"x"}');
    expect((await send(id, { headers: { ...good.headers, 'stripe-signature': 't=1,v1=00' }, body: good.body })).status).toBe(401);
    expect((await send(id, { headers: { 'content-type': 'application/json' }, body: good.body })).status).toBe(401);
    expect((await send(id, { headers: { ...good.headers, 'stripe-signature': '=;;,,t=,v1=,==' }, body: good.body })).status).toBe(401);
    expect((await send(id, { headers: { ...good.headers, 'stripe-signature': `t=${'9'.repeat(400)},v1=${'a'.repeat(5000)}` }, body: good.body })).status).toBe(401);
  });

  it('answers 401 to stale and future timestamps', async () => {
    expect((await send(id, { ...stripe(id, secret, '{"id":"evt_old"}', now() - 301_000) })).status).toBe(401);
    expect((await send(id, { ...stripe(id, secret, '{"id":"evt_future"}', now() + 301_000) })).status).toBe(401);
  });

  it('stores a signed body whatever its content type or content', async () => {
    for (const [contentType, body] of [
      ['text/xml', '<not-json/>'],
      ['application/x-www-form-urlencoded', 'a=1&b=2'],
      ['multipart/form-data; boundary=x', '--x--'],
      ['application/json', '{"truncated": '],
      ['application/octet-stream', randomBytes(64).toString('latin1')],
    ] as const) {
      const signed = stripe(id, secret, body);
      const res = await send(id, { headers: { ...signed.headers, 'content-type': contentType }, body: signed.body });
      expect(res.status, `${contentType}: ${res.body}`).toBe(200);
    }
    const signed = stripe(id, secret, '{"id":"evt_no_type"}');
    const { 'content-type': _, ...withoutType } = signed.headers;
    expect((await send(id, { headers: withoutType, body: signed.body })).status).toBe(200);
  });

  it('answers 413 beyond the body limit, by declared length and by stream', async () => {
    expect((await send(id, { headers: { 'content-type': 'application/json' }, body: Buffer.alloc(10 * 1024 * 1024 + 1, 0x61) })).status).toBe(413);
    const reply = await rawHttp((s) => {
      s.write(`POST /webhooks/in/${id} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`);
      const chunk = Buffer.alloc(1024 * 1024, 0x61);
      for (let i = 0; i < 11; i++) s.write(`${chunk.length.toString(16)}\r\n${chunk.toString()}\r\n`);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 413/);
  });

  it('answers 413 past a source’s own smaller limit', async () => {
    const small = await createSource({ name: 'small', connector: 'stripe', secret, maxBodyBytes: 100 });
    expect((await send(small, { ...stripe(small, secret, JSON.stringify({ id: 'evt_big', pad: 'x'.repeat(200) })) })).status).toBe(413);
  });

  it('answers 408 to a sender too slow to finish its body, and stays up', async () => {
    const reply = await rawHttp((s) => s.write(`POST /webhooks/in/${id} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"id":`), 5_000);
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
    expect((await send(id, { ...stripe(id, secret, '{"id":"evt_after_slow"}') })).status).toBe(200);
  });

  it('survives a sender that hangs up mid-body', async () => {
    const reply = await rawHttp((s) => {
      s.write(`POST /webhooks/in/${id} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"id":"evt_cut"`);
      setTimeout(() => s.end(), 50);
    }, 500);
    expect(reply).not.toMatch(/HTTP\/1\.1 5/);
    expect((await send(id, { ...stripe(id, secret, '{"id":"evt_after_cut"}') })).status).toBe(200);
  });

  it('answers 404 to unknown and malformed source ids, 405 to other methods', async () => {
    expect((await send('src_0000000000000000000000000000000000000')).status).toBe(404);
    expect((await send('src_%2e%2e%2fapi')).status).toBe(404);
    expect((await send('not-a-source')).status).toBe(404);
    expect((await send('x'.repeat(300))).status).toBe(400);
    expect((await send('x'.repeat(600))).status).toBe(414);
    const get = await send(id, { method: 'GET' });
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
  });

  it('keeps only so many rejected requests per source and minute', async () => {
    const flood = await createSource({ name: 'flood', connector: 'stripe', secret });
    for (let i = 0; i < 12; i++) expect((await send(flood, { ...stripe(flood, 'whsec_wrong', `{"id":"evt_f${i}"}`) })).status).toBe(401);
    const res = await api.app.inject({ method: 'GET', url: `/api/v1/inbound-events?sourceId=${flood}&status=rejected`, headers: bearer(api.keys.admin) });
    expect((res.json() as { data: unknown[] }).data).toHaveLength(5);
  });

  it('never answered a 5xx and never logged a payload', () => {
    const lines = api.logs.lines();
    expect(lines.filter((l) => typeof l.res === 'object' && (l.res as { statusCode: number }).statusCode >= 500)).toEqual([]);
    expect(lines.filter((l) => l.level === 50)).toEqual([]);
    expect(api.logs.text()).not.toContain('evt_after_slow');
  });
});

describe('a generic source', () => {
  it('verifies an HMAC with a template, a timestamp, a prefix and hex', async () => {
    const secret = 'generic-secret';
    const id = await createSource({
      name: 'generic',
      secret,
      verification: { type: 'hmac', header: 'X-Sig', algorithm: 'sha512', encoding: 'hex', prefix: 'sha512=', template: '{timestamp}:{method}:{body}', timestampHeader: 'X-Ts' },
      eventIdPointer: '/meta/id',
    });
    const { createHmac } = await import('node:crypto');
    const ts = String(Math.floor(now() / 1000));
    const body = '{"meta":{"id":"g-1"},"type":"thing.done"}';
    const sig = `sha512=${createHmac('sha512', secret).update(`${ts}:POST:${body}`).digest('hex')}`;
    const ok = await send(id, { headers: { 'x-sig': sig, 'x-ts': ts, 'content-type': 'application/json' }, body });
    expect(ok.status).toBe(200);
    expect((await send(id, { headers: { 'x-sig': sig, 'x-ts': ts }, body })).body).toContain('"duplicate"');
    expect((await send(id, { headers: { 'x-sig': sig, 'x-ts': String(Number(ts) - 400) }, body })).status).toBe(401);
    expect((await send(id, { headers: { 'x-sig': sig.toUpperCase().replace('SHA512=', 'sha512='), 'x-ts': ts }, body: body.replace('g-1', 'g-2') })).status).toBe(401);
  });

  it('verifies base64 sha1 and sha256 HMACs of the body', async () => {
    const { createHmac } = await import('node:crypto');
    for (const algorithm of ['sha1', 'sha256'] as const) {
      const id = await createSource({ name: algorithm, secret: 's', verification: { type: 'hmac', header: 'X-Signature', algorithm, encoding: 'base64' }, eventIdHeader: 'X-Id' });
      const sig = createHmac(algorithm, 's').update('hello').digest('base64');
      expect((await send(id, { headers: { 'x-signature': sig, 'x-id': 'one' }, body: 'hello' })).status).toBe(200);
      expect((await send(id, { headers: { 'x-signature': sig, 'x-id': 'two' }, body: 'hellO' })).status).toBe(401);
    }
  });

  it('checks basic auth and a static header, and redacts them from what it stores', async () => {
    const basic = await createSource({ name: 'basic', secret: 'pa55', verification: { type: 'basic', username: 'hooks' } });
    const auth = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
    const ok = await send(basic, { headers: { authorization: auth('hooks', 'pa55') }, body: '{}' });
    expect(ok.status).toBe(200);
    expect((await send(basic, { headers: { authorization: auth('hooks', 'nope') }, body: '{}' })).status).toBe(401);
    const key = await createSource({ name: 'key', secret: 'k-123', verification: { type: 'header', header: 'X-Api-Key' } });
    const stored = await send(key, { headers: { 'x-api-key': 'k-123' }, body: '{}' });
    expect(stored.status).toBe(200);
    expect((await send(key, { headers: { 'x-api-key': 'k-124' }, body: '{}' })).status).toBe(401);
    const bearerSource = await createSource({ name: 'bearer', secret: 'tok', verification: { type: 'header', header: 'Authorization', scheme: 'Bearer' } });
    expect((await send(bearerSource, { headers: { authorization: 'Bearer tok' }, body: '{}' })).status).toBe(200);
    for (const res of [ok, stored]) {
      const eventId = res.headers['x-inbound-event-id'] as string;
      const got = await api.app.inject({ method: 'GET', url: `/api/v1/inbound-events/${eventId}`, headers: bearer(api.keys.admin) });
      expect(got.body).not.toContain('pa55');
      expect(got.body).not.toContain('k-123');
    }
  });

  it('allows only listed addresses', async () => {
    const listed = await createSource({ name: 'ips', verification: { type: 'none' }, allowedIps: ['10.0.0.0/8', '127.0.0.1'] });
    expect((await send(listed, { body: '{}' })).status).toBe(200);
    const other = await createSource({ name: 'ips2', verification: { type: 'none' }, allowedIps: ['10.0.0.0/8', '2001:db8::/32'] });
    expect((await send(other, { body: '{}' })).status).toBe(401);
    const bad = await api.app.inject({ method: 'POST', url: '/api/v1/sources', headers: bearer(api.keys.admin), payload: { name: 'x', verification: { type: 'none' }, allowedIps: ['10.0.0.0/99', 'example.com'] } });
    expect(bad.statusCode).toBe(400);
    expect((bad.json() as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual(['/allowedIps/0', '/allowedIps/1']);
  });

  it('keeps one unstorable event id from failing the requests it shares a transaction with', async () => {
    const id = await createSource({ name: 'poison', verification: { type: 'none' }, eventIdPointer: '/id' });
    const bodies = ['{"id":"ok-1"}', '{"id":"bad\\u0000id"}', '{"id":"\\ud800"}', '{"id":"ok-2"}', '{"id":"ok-3"}'];
    const answers = await Promise.all(bodies.map((body) => send(id, { headers: { 'content-type': 'application/json' }, body })));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
  });

  it('answers what the source is set to answer, and accepts other methods when enabled', async () => {
    const id = await createSource({ name: 'custom reply', verification: { type: 'none' }, response: { status: 202, body: 'ok', contentType: 'text/plain' }, allowedMethods: ['POST', 'PUT'] });
    const res = await send(id, { method: 'PUT', body: 'x' });
    expect(res).toMatchObject({ status: 202, body: 'ok' });
    expect(res.headers['content-type']).toBe('text/plain');
  });

  it('refuses a connector without webhooks, a filter using code, and a missing secret', async () => {
    const post = (payload: Record<string, unknown>) => api.app.inject({ method: 'POST', url: '/api/v1/sources', headers: bearer(api.keys.admin), payload });
    expect((await post({ name: 'x', connector: 'salesforce', secret: 's' })).statusCode).toBe(422);
    const code = await post({ name: 'x', verification: { type: 'none' }, filters: [{ match: { type: 'a' }, then: 'drop' }, { match: { $where: 'sleep(1)' }, then: 'drop' }] });
    expect(code.statusCode).toBe(400);
    expect(code.json().errors.map((e: { field: string }) => e.field)).toEqual(['/filters/1/match/$where']);
    expect((await post({ name: 'x', connector: 'github' })).statusCode).toBe(400);
  });
});
