/**
 * The edges of inbound webhooks a newcomer trips over: a generic source that accepts anything
 * must be asked for (and acknowledged in production) and is shown as unverified; a preset shows
 * its real verification; headers carrying secrets are stored redacted; and a webhook loop (an
 * endpoint pointed back at this hub's own source) is stopped where the endpoint is registered,
 * on a second pass through processing, and by the event-type name limit.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../../src/db/index.ts';
import { createApiKey } from '../../../src/auth/index.ts';
import { listConnectors, loadRegistry } from '../../../src/connectors/index.ts';
import { presetVerification } from '../../../src/webhooks/inbound/index.ts';
import { childEnv, cli } from '../../support/process.ts';
import { eventually, PUBLIC_URL, startInboundHub, type InboundHub } from './support.ts';

let t: InboundHub;
let prodKey: string;

beforeAll(async () => {
  t = await startInboundHub();
  const [prod] = await rows<{ id: string; organization_id: string }>(t.database.db, sql`select id, organization_id from environments where name = 'prod'`);
  prodKey = (await createApiKey(t.database.db, { organizationId: prod!.organization_id, environmentId: prod!.id, name: 'prod admin', role: 'admin' })).key;
});
afterAll(async () => {
  await t?.close();
});

interface SourceView {
  id: string;
  url: string;
  unverified: boolean;
  verification: Record<string, unknown>;
}

const post = (path: string, body: unknown, key?: string) => t.api<Record<string, any>>('POST', path, body, key);
const fields = (body: Record<string, any>) => (body.errors as { field: string }[] | undefined)?.map((e) => e.field);

async function storedHeaders(inboundEventId: string): Promise<Record<string, string>> {
  const { body } = await t.api<{ headers: Record<string, string> }>('GET', `/inbound-events/${inboundEventId}`);
  return body.headers;
}

async function send(sourceId: string, headers: Record<string, string>, body: string) {
  const res = await request(`${t.url}/webhooks/in/${sourceId}`, { method: 'POST', headers, body });
  const text = await res.body.text();
  return { status: res.statusCode, id: res.headers['x-inbound-event-id'] as string | undefined, text };
}

describe('unverified sources', () => {
  it('refuses a generic source that names no verification, naming the field', async () => {
    const res = await post('/sources', { name: 'anything goes' });
    expect(res.status).toBe(400);
    expect(fields(res.body)).toEqual(['/verification']);
    expect(res.body.errors[0].message).toContain('{"type": "none"}');
  });

  it('creates one when verification none is asked for, and shows it as unverified in the answer and the list', async () => {
    const res = await post('/sources', { name: 'open door', verification: { type: 'none' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ unverified: true, verification: { type: 'none' } });
    const list = await t.api<{ data: SourceView[] }>('GET', '/sources?limit=100');
    expect(list.body.data.find((s) => s.id === res.body.id)).toMatchObject({ unverified: true });
    const one = await t.api<SourceView>('GET', `/sources/${res.body.id}`);
    expect(one.body.unverified).toBe(true);
  });

  it('refuses verification none in prod unless allowUnverified is true', async () => {
    const refused = await post('/sources', { name: 'prod open door', verification: { type: 'none' } }, prodKey);
    expect(refused.status).toBe(400);
    expect(fields(refused.body)).toEqual(['/allowUnverified']);
    const acknowledged = await post('/sources', { name: 'prod open door', verification: { type: 'none' }, allowUnverified: true }, prodKey);
    expect(acknowledged.status).toBe(201);
    expect(acknowledged.body.unverified).toBe(true);
  });

  it('refuses turning a prod source’s verification off unless allowUnverified is true', async () => {
    const hmac = await post('/sources', { name: 'prod hmac', secret: 's3cret', verification: { type: 'hmac', header: 'X-Sig', algorithm: 'sha256', encoding: 'hex' } }, prodKey);
    expect(hmac.status).toBe(201);
    expect(hmac.body.unverified).toBe(false);
    const off = await t.api<Record<string, any>>('PATCH', `/sources/${hmac.body.id}`, { verification: { type: 'none' } }, prodKey);
    expect(off.status).toBe(400);
    expect(fields(off.body)).toEqual(['/allowUnverified']);
    const renamed = await t.api<SourceView>('PATCH', `/sources/${hmac.body.id}`, { name: 'prod hmac, renamed' }, prodKey);
    expect(renamed.status).toBe(200);
    const acknowledged = await t.api<SourceView>('PATCH', `/sources/${hmac.body.id}`, { verification: { type: 'none' }, allowUnverified: true }, prodKey);
    expect(acknowledged.body.unverified).toBe(true);
  });

  it('marks an unverified source in `patchbay sources list`, and shows the field in --json', async () => {
    const open = await post('/sources', { name: 'cli open door', verification: { type: 'none' } });
    const env = childEnv({ PATCHBAY_URL: t.url, PATCHBAY_API_KEY: t.keys.admin });
    const listed = await cli(['sources', 'list', '--limit', '250'], env);
    expect(listed.code, listed.stderr).toBe(0);
    const line = listed.stdout.split('\n').find((l) => l.includes(open.body.id));
    expect(line).toContain('UNVERIFIED');
    const json = await cli(['sources', 'show', open.body.id, '--json'], env);
    expect(JSON.parse(json.stdout)).toMatchObject({ id: open.body.id, unverified: true });
  }, 180_000);

  it('shows a Stripe source with the verification its provider signs with, not none', async () => {
    const res = await post('/sources', { name: 'Stripe', connector: 'stripe', secret: 'whsec_edges' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ unverified: false, verification: { type: 'preset', connector: 'stripe', headers: ['stripe-signature'] } });
  });

  it('describes every preset by the headers its verifier reads', async () => {
    await loadRegistry();
    const presets = listConnectors({ capability: 'webhooks' }).filter((c) => c.webhooks);
    expect(presets.length).toBeGreaterThan(5);
    // Docker Hub signs nothing: its webhooks carry a token in the source URL, which no header shows.
    const byUrl = new Set(['docker-hub']);
    for (const connector of presets) {
      const described = presetVerification(connector);
      if (byUrl.has(connector.key)) expect(described.headers, `${connector.key} reads a header`).toEqual([]);
      else expect(described.headers.length, `${connector.key} reads no header`).toBeGreaterThan(0);
      expect(described).toMatchObject({ type: 'preset', connector: connector.key });
    }
    expect(presetVerification(listConnectors().find((c) => c.key === 'github')!).headers).toEqual(['x-hub-signature-256']);
  });
});

describe('headers that carry secrets', () => {
  it('stores credential headers and the headers the verification read redacted, and keeps the rest', async () => {
    const secret = 'generic-secret';
    const source = await post('/sources', { name: 'hmac', secret, verification: { type: 'hmac', header: 'X-Signature', algorithm: 'sha256', encoding: 'hex' } });
    const body = '{"type":"thing.done"}';
    const signature = createHmac('sha256', secret).update(body).digest('hex');
    const headers = {
      'content-type': 'application/json',
      'x-signature': signature,
      'x-api-key': 'key-123',
      authorization: 'Bearer tok-123',
      cookie: 'session=cookie-123',
      'x-partner-token': 'partner-123',
      'x-request-id': 'req-1',
    };
    const ok = await send(source.body.id, headers, body);
    expect(ok.status).toBe(200);
    const stored = await storedHeaders(ok.id!);
    expect(stored).toMatchObject({
      'content-type': 'application/json',
      'x-request-id': 'req-1',
      'x-signature': '[redacted]',
      'x-api-key': '[redacted]',
      authorization: '[redacted]',
      cookie: '[redacted]',
      'x-partner-token': '[redacted]',
    });
    const rejected = await send(source.body.id, { ...headers, 'x-signature': 'bad' }, body);
    expect(rejected.status).toBe(401);
    const { body: list } = await t.api<{ data: { id: string }[] }>('GET', `/inbound-events?status=rejected&sourceId=${source.body.id}`);
    const text = JSON.stringify(await storedHeaders(list.data[0]!.id));
    for (const secretValue of ['key-123', 'tok-123', 'cookie-123', 'partner-123']) expect(text).not.toContain(secretValue);
  });

  it('stores a query parameter that carries the source’s secret (Docker Hub’s ?token=) or is named like a credential redacted', async () => {
    const secret = 'dh-url-token-4821';
    const source = await t.createSource({ name: 'Docker Hub redacted', connector: 'docker-hub', secret });
    const body = JSON.stringify({ callback_url: 'https://registry.hub.docker.com/u/acme/app/hook/1/', push_data: { tag: 'latest' }, repository: { repo_name: 'acme/app' } });
    const res = await request(`${t.url}/webhooks/in/${source.id}?token=${secret}&api_key=k-999&team=acme`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    const { body: event } = await t.api<{ query: string }>('GET', `/inbound-events/${res.headers['x-inbound-event-id'] as string}`);
    expect(event.query).toBe('?token=[redacted]&api_key=[redacted]&team=acme');
    const wrong = await request(`${t.url}/webhooks/in/${source.id}?token=nope`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(wrong.statusCode).toBe(401);
    await wrong.body.dump();
  });

  it('stores a preset’s signature header redacted', async () => {
    const source = await t.createSource({ name: 'Stripe redacted', connector: 'stripe', secret: 'whsec_redact' });
    const res = await t.deliver(source.id, 'stripe', 'whsec_redact', JSON.stringify({ id: 'evt_redact_1', object: 'event', type: 'charge.succeeded', data: {} }));
    expect(res.status).toBe(200);
    const stored = await storedHeaders(res.headers['x-inbound-event-id'] as string);
    expect(stored['stripe-signature']).toBe('[redacted]');
  });
});

describe('webhook loops', () => {
  let loopSource: SourceView;
  beforeAll(async () => {
    loopSource = (await post('/sources', { name: 'loop', verification: { type: 'none' } })).body as SourceView;
  });

  it('refuses an endpoint at one of this hub’s inbound URLs: by its public URL, its own address, or any host naming one of its sources', async () => {
    const hubPort = new URL(t.url).port;
    for (const url of [loopSource.url, `${t.url}/webhooks/in/${loopSource.id}`, `http://localhost:${hubPort}/webhooks/in/${loopSource.id}`, `https://tunnel.example.net/webhooks/in/${loopSource.id}`]) {
      const res = await post('/endpoints', { url });
      expect(res.status, url).toBe(422);
      expect(res.body.detail, url).toContain('in a loop');
      expect(fields(res.body)).toEqual(['/url']);
    }
    expect((await post('/endpoints', { url: `${PUBLIC_URL}/webhooks/in/src_0000000000000000000000000000000000000` })).status).toBe(422);
  });

  it('refuses changing an endpoint’s URL to one of this hub’s inbound URLs', async () => {
    const created = await post('/endpoints', { url: 'http://127.0.0.1:9/hooks' });
    expect(created.status).toBe(201);
    const changed = await t.api<Record<string, any>>('PATCH', `/endpoints/${created.body.id}`, { url: loopSource.url });
    expect(changed.status).toBe(422);
    await t.api('DELETE', `/endpoints/${created.body.id}`);
  });

  it('drops the second pass of an event this hub forwarded, when it comes back in', async () => {
    const received: string[] = [];
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(body);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = await post('/endpoints', { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`, eventTypes: ['webhook.loop.started'] });
      expect(endpoint.status).toBe(201);
      const first = await send(loopSource.id, { 'content-type': 'application/json' }, '{"type":"loop.started"}');
      expect(first.status).toBe(200);
      const delivered = await eventually(async () => received[0], 20_000);
      // The receiver hands the delivery back to the same source, as a proxy or a misconfigured
      // forwarder would: the hub recognizes its own forward and stops.
      const second = await send(loopSource.id, { 'content-type': 'application/json' }, delivered);
      expect(second.status).toBe(200);
      const processed = await eventually(async () => {
        const { body } = await t.api<{ status: string; outcome: Record<string, unknown> }>('GET', `/inbound-events/${second.id}`);
        return body.status === 'processed' ? body : undefined;
      });
      expect(processed.outcome).toEqual({ action: 'dropped', reason: 'loop', forwardedFrom: first.id });
      const [{ count }] = (await rows<{ count: number }>(t.database.db, sql`select count(*)::int as count from events where origin = ${`inbound:${loopSource.id}`}`)) as [{ count: number }];
      expect(count).toBe(1);
    } finally {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });

  it('fails an event whose derived event type would pass the 200-character limit, saying so', async () => {
    const longType = `a${'.b'.repeat(97)}`; // 195 characters; `webhook.` makes 203
    const res = await send(loopSource.id, { 'content-type': 'application/json' }, JSON.stringify({ type: longType }));
    expect(res.status).toBe(200);
    const failed = await eventually(async () => {
      const { body } = await t.api<{ status: string; lastError: string }>('GET', `/inbound-events/${res.id}`);
      return body.status === 'failed' ? body : undefined;
    });
    expect(failed.lastError).toContain('203 characters long; event types are at most 200');
  });
});
