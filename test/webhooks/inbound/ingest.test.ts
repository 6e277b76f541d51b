import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Validator } from '@seriousme/openapi-schema-validator';
import { request } from 'undici';
import { rows } from '../../../src/db/index.ts';
import { connections } from '../../../src/connections/index.ts';
import { integrations } from '../../../src/integrations/index.ts';
import { configureSync } from '../../../src/syncs/index.ts';
import { systemClock } from '../../../src/core/index.ts';
import { startSimulator } from '../../../simulators/index.ts';
import { eventually, startInboundHub, type InboundHub } from './support.ts';

let t: InboundHub;
beforeAll(async () => {
  t = await startInboundHub();
});
afterAll(async () => {
  await t?.close();
});

const STRIPE_SECRET = 'whsec_stripe_test_secret';
const stripeEvent = (id: string, type = 'charge.succeeded') => JSON.stringify({ id, object: 'event', type, account: 'acct_1', data: { object: { id: 'ch_1', amount: 1200 } } });

describe('a Stripe source', () => {
  let source: { id: string; url: string };
  beforeAll(async () => {
    source = await t.createSource({ name: 'Stripe', connector: 'stripe', secret: STRIPE_SECRET });
  });

  it('gives a URL with an unguessable id and never shows the secret', async () => {
    expect(source.url).toBe(`https://hooks.patchbay.test/webhooks/in/${source.id}`);
    expect(source.id).toMatch(/^src_[0-9a-z]{39}$/);
    const { body } = await t.api('GET', `/sources/${source.id}`);
    expect(JSON.stringify(body)).not.toContain(STRIPE_SECRET);
    expect(body).toMatchObject({ secretCount: 1, connector: 'stripe', toleranceSeconds: 300 });
  });

  it('stores a verified delivery before answering 200, then forwards it as an event', async () => {
    const res = await t.deliver(source.id, 'stripe', STRIPE_SECRET, stripeEvent('evt_forward_1'));
    expect(res.status).toBe(200);
    const { id, status } = JSON.parse(res.body) as { id: string; status: string };
    expect(status).toBe('received');
    expect(res.headers['x-inbound-event-id']).toBe(id);
    const processed = await eventually(async () => {
      const { body } = await t.api<{ status: string; outcome: { eventId: string; type: string } }>('GET', `/inbound-events/${id}`);
      return body.status === 'processed' ? body : undefined;
    });
    expect(processed).toMatchObject({ status: 'processed', eventType: 'charge.succeeded', attempts: 1, providerEventId: 'evt_forward_1', outcome: { action: 'forwarded', type: 'stripe.charge.succeeded' } });
    const [event] = await rows<{ type: string; origin: string; data: { payload: { id: string } } }>(t.database.db, sql`select type, origin, data from events where id = ${processed.outcome.eventId}`);
    expect(event).toMatchObject({ type: 'stripe.charge.succeeded', origin: `inbound:${source.id}`, data: { payload: { id: 'evt_forward_1' } } });
  });

  it('answers 401 to a bad signature and keeps it as rejected, with the reason', async () => {
    const res = await t.deliver(source.id, 'stripe', 'whsec_wrong', stripeEvent('evt_bad_1'));
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const { body } = await t.api<{ data: { status: string; rejectionReason: string }[] }>('GET', `/inbound-events?status=rejected&sourceId=${source.id}`);
    expect(body.data[0]).toMatchObject({ status: 'rejected', rejectionReason: 'no v1 signature matches' });
  });

  it('refuses a stale timestamp, and accepts it once the source tolerates it', async () => {
    const at = Date.now() - 10 * 60_000;
    expect((await t.deliver(source.id, 'stripe', STRIPE_SECRET, stripeEvent('evt_stale_1'), { at })).status).toBe(401);
    expect((await t.api('PATCH', `/sources/${source.id}`, { toleranceSeconds: 900 })).status).toBe(200);
    expect((await t.deliver(source.id, 'stripe', STRIPE_SECRET, stripeEvent('evt_stale_1'), { at })).status).toBe(200);
    await t.api('PATCH', `/sources/${source.id}`, { toleranceSeconds: 300 });
  });

  it('acknowledges a repeated event id 200 as a duplicate, and processes it once', async () => {
    const first = await t.deliver(source.id, 'stripe', STRIPE_SECRET, stripeEvent('evt_dup_1'));
    const second = await t.deliver(source.id, 'stripe', STRIPE_SECRET, stripeEvent('evt_dup_1'));
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    const firstId = (JSON.parse(first.body) as { id: string }).id;
    expect(JSON.parse(second.body)).toMatchObject({ status: 'duplicate' });
    const { body } = await t.api<{ duplicateOf: string; status: string }>('GET', `/inbound-events/${(JSON.parse(second.body) as { id: string }).id}`);
    expect(body).toMatchObject({ status: 'duplicate', duplicateOf: firstId });
  });

  it('rotates its secret, accepting the previous one for a while', async () => {
    const next = 'whsec_stripe_next_secret';
    const res = await t.api('PATCH', `/sources/${source.id}`, { secret: next, keepPreviousSecretsForSeconds: 3600 });
    expect(res.body).toMatchObject({ secretCount: 2 });
    expect((await t.deliver(source.id, 'stripe', next, stripeEvent('evt_rot_1'))).status).toBe(200);
    expect((await t.deliver(source.id, 'stripe', STRIPE_SECRET, stripeEvent('evt_rot_2'))).status).toBe(200);
    await t.api('PATCH', `/sources/${source.id}`, { secret: next, keepPreviousSecretsForSeconds: 0 });
    expect((await t.deliver(source.id, 'stripe', STRIPE_SECRET, stripeEvent('evt_rot_3'))).status).toBe(401);
  });
});

describe('a flood of duplicates', () => {
  it('stores them all, acknowledges them all, and processes the event once', async () => {
    const source = await t.createSource({ name: 'Stripe flood', connector: 'stripe', secret: STRIPE_SECRET });
    const body = stripeEvent('evt_flood_1');
    const answers = await Promise.all(Array.from({ length: 60 }, () => t.deliver(source.id, 'stripe', STRIPE_SECRET, body)));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    const statuses = answers.map((a) => (JSON.parse(a.body) as { status: string }).status);
    expect(statuses.filter((s) => s === 'received')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'duplicate')).toHaveLength(59);
    await eventually(async () => {
      const { body: list } = await t.api<{ data: { status: string }[] }>('GET', `/inbound-events?sourceId=${source.id}&status=processed`);
      return list.data.length === 1 ? true : undefined;
    });
    const [forwarded] = await rows<{ n: number }>(t.database.db, sql`select count(*)::int as n from events where origin = ${`inbound:${source.id}`}`);
    expect(forwarded!.n).toBe(1);
  });
});

describe('reprocessing', () => {
  let source: { id: string };
  let eventId: string;
  beforeAll(async () => {
    source = await t.createSource({ name: 'Stripe reprocess', connector: 'stripe', secret: STRIPE_SECRET });
    eventId = (JSON.parse((await t.deliver(source.id, 'stripe', STRIPE_SECRET, stripeEvent('evt_re_1'))).body) as { id: string }).id;
    await eventually(async () => ((await t.api<{ status: string }>('GET', `/inbound-events/${eventId}`)).body.status === 'processed' ? true : undefined));
  });

  it('is refused (403) below admin', async () => {
    for (const role of ['developer', 'viewer'] as const) {
      expect((await t.api('POST', `/inbound-events/${eventId}/reprocess`, undefined, t.keys[role])).status).toBe(403);
      expect((await t.api('POST', '/inbound-events/reprocess', { status: 'processed' }, t.keys[role])).status).toBe(403);
    }
    expect((await t.api('GET', `/inbound-events/${eventId}`, undefined, t.keys.viewer)).status).toBe(200);
  });

  it('runs one event again for an admin, and in bulk for an owner', async () => {
    const one = await t.api<{ status: string }>('POST', `/inbound-events/${eventId}/reprocess`, undefined, t.keys.admin);
    expect(one).toMatchObject({ status: 200, body: { status: 'received' } });
    const processedAgain = await eventually(async () => {
      const { body } = await t.api<{ status: string; attempts: number }>('GET', `/inbound-events/${eventId}`);
      return body.status === 'processed' && body.attempts === 2 ? body : undefined;
    });
    expect(processedAgain.attempts).toBe(2);
    const bulk = await t.api<{ count: number; ids: string[] }>('POST', '/inbound-events/reprocess', { sourceId: source.id, status: 'processed' }, t.keys.owner);
    expect(bulk).toMatchObject({ status: 200, body: { count: 1, ids: [eventId] } });
  });

  it('refuses a rejected event (422) and one still in flight (409)', async () => {
    const rejected = await t.deliver(source.id, 'stripe', 'whsec_wrong', stripeEvent('evt_re_bad'));
    expect(rejected.status).toBe(401);
    const { body } = await t.api<{ data: { id: string }[] }>('GET', `/inbound-events?sourceId=${source.id}&status=rejected`);
    expect((await t.api('POST', `/inbound-events/${body.data[0]!.id}/reprocess`)).status).toBe(422);
    expect((await t.api('POST', '/inbound-events/inb_0000000000000000000000000/reprocess')).status).toBe(404);
  });
});

describe('provider handshakes', () => {
  it('answers Slack url_verification with the challenge, unstored', async () => {
    const source = await t.createSource({ name: 'Slack', connector: 'slack', secret: 'slack-signing-secret' });
    const res = await t.deliver(source.id, 'slack', 'slack-signing-secret', JSON.stringify({ token: 't', challenge: 'ch4ll3nge', type: 'url_verification' }));
    expect(res).toMatchObject({ status: 200, body: 'ch4ll3nge' });
    const { body } = await t.api<{ data: unknown[] }>('GET', `/inbound-events?sourceId=${source.id}`);
    expect(body.data).toEqual([]);
  });

  it('answers Okta’s one-time verification GET, and stores its events with the secret redacted', async () => {
    const source = await t.createSource({ name: 'Okta', connector: 'okta', secret: 'Bearer okta-hook-secret' });
    const get = await request(`${t.url}/webhooks/in/${source.id}`, { method: 'GET', headers: { 'x-okta-verification-challenge': 'v-123', authorization: 'Bearer okta-hook-secret' } });
    expect(get.statusCode).toBe(200);
    expect(await get.body.json()).toEqual({ verification: 'v-123' });
    const res = await t.deliver(source.id, 'okta', 'Bearer okta-hook-secret', JSON.stringify({ eventId: 'okta-1', eventType: 'com.okta.event_hook', data: { events: [{ eventType: 'user.session.start' }] } }));
    expect(res.status).toBe(200);
    const { body } = await t.api('GET', `/inbound-events/${(JSON.parse(res.body) as { id: string }).id}`);
    expect(JSON.stringify(body)).not.toContain('okta-hook-secret');
    const denied = await request(`${t.url}/webhooks/in/${source.id}`, { method: 'GET', headers: { 'x-okta-verification-challenge': 'v-123', authorization: 'Bearer nope' } });
    expect(denied.statusCode).toBe(401);
    await denied.body.dump();
  });
});

describe('the OpenAPI document', () => {
  it('stays valid and documents every inbound route, the absolute one included', async () => {
    const res = await request(`${t.url}/api/v1/openapi.json`);
    const doc = (await res.body.json()) as { paths: Record<string, Record<string, unknown>> };
    const result = await new Validator().validate(doc as never);
    expect(result.errors ?? []).toEqual([]);
    const documented = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`));
    for (const op of [
      'POST /webhooks/in/{sourceId}',
      'GET /api/v1/sources',
      'POST /api/v1/sources',
      'GET /api/v1/sources/{id}',
      'PATCH /api/v1/sources/{id}',
      'DELETE /api/v1/sources/{id}',
      'GET /api/v1/inbound-events',
      'GET /api/v1/inbound-events/{id}',
      'POST /api/v1/inbound-events/{id}/reprocess',
      'POST /api/v1/inbound-events/reprocess',
    ]) {
      expect(documented).toContain(op);
    }
  });
});

describe('provider simulators', () => {
  // HubSpot and Twilio sign the URL they call: HubSpot's is checked in the preset tests; Twilio's
  // source pins the URL the simulator calls.
  it.each(['stripe', 'github', 'slack', 'shopify', 'twilio', 'paddle', 'zendesk', 'intercom', 'pagerduty', 'segment', 'svix'])('%s delivers signed webhooks its preset accepts', async (key) => {
    const secret = key === 'svix' ? `whsec_${Buffer.from('sim-secret').toString('base64')}` : `${key}-sim-secret`;
    const probe = await t.createSource({ name: key, connector: key, secret });
    const url = `${t.url}/webhooks/in/${probe.id}`;
    if (key === 'twilio') await t.api('PATCH', `/sources/${probe.id}`, { settings: { url } });
    const sim = await startSimulator(key);
    try {
      const body = key === 'twilio' ? 'AccountSid=AC1&MessageSid=SM1&MessageStatus=sent' : JSON.stringify({ id: `sim-${key}`, type: 'sim.test', event_id: `sim-${key}` });
      expect(await sim.sendWebhook!({ url, body, secret })).toEqual({ status: 200 });
      const wrong = key === 'svix' ? `whsec_${Buffer.from('another-secret').toString('base64')}` : `${secret}-wrong`;
      expect(await sim.sendWebhook!({ url, body, secret: wrong })).toEqual({ status: 401 });
    } finally {
      await sim.close();
    }
  });
});

describe('routing to connections', () => {
  it('finds the connection whose account the event names, through the connections module', async () => {
    const [env] = await rows<{ id: string; organization_id: string }>(t.database.db, sql`select id, organization_id from environments where name = 'dev'`);
    const now = new Date();
    await t.database.db.insert(integrations).values({ id: 'int_stripe_routing', organizationId: env!.organization_id, environmentId: env!.id, key: 'stripe-main', connectorKey: 'stripe', name: 'Stripe' });
    await t.database.db.insert(connections).values({
      environmentId: env!.id,
      id: 'conn_shop_42',
      organizationId: env!.organization_id,
      integrationId: 'int_stripe_routing',
      connectorKey: 'stripe',
      endCustomerId: 'shop-42',
      credentialType: 'apiKey',
      status: 'connected',
      statusChangedAt: now,
      accountInfo: { id: 'acct_shop_42', name: 'Shop 42' },
    });
    const source = await t.createSource({ name: 'Stripe routed', connector: 'stripe', secret: STRIPE_SECRET });
    const body = JSON.stringify({ id: 'evt_routed_1', object: 'event', type: 'charge.succeeded', account: 'acct_shop_42', data: {} });
    const id = (JSON.parse((await t.deliver(source.id, 'stripe', STRIPE_SECRET, body)).body) as { id: string }).id;
    const processed = await eventually(async () => {
      const { body: event } = await t.api<{ status: string; connectionId: string }>('GET', `/inbound-events/${id}`);
      return event.status === 'processed' ? event : undefined;
    });
    expect(processed.connectionId).toBe('conn_shop_42');
  });

  it('triggers a run of the connection’s hybrid sync through the syncs module', async () => {
    const [env] = await rows<{ id: string; organization_id: string }>(t.database.db, sql`select id, organization_id from environments where name = 'dev'`);
    await configureSync(t.database.db, { organizationId: env!.organization_id, environmentId: env!.id }, { connectionId: 'conn_shop_42', model: 'charges', dataStrategy: 'hybrid', enabled: true }, systemClock);
    const source = await t.createSource({ name: 'Stripe hybrid', connector: 'stripe', secret: STRIPE_SECRET, action: { type: 'sync', model: 'charges' } });
    const body = JSON.stringify({ id: 'evt_sync_1', object: 'event', type: 'charge.refunded', account: 'acct_shop_42', data: {} });
    const id = (JSON.parse((await t.deliver(source.id, 'stripe', STRIPE_SECRET, body)).body) as { id: string }).id;
    const processed = await eventually(async () => {
      const { body: event } = await t.api<{ status: string; outcome: { action: string; runIds: string[] } }>('GET', `/inbound-events/${id}`);
      return event.status === 'processed' ? event : undefined;
    });
    expect(processed.outcome).toMatchObject({ action: 'sync', connectionId: 'conn_shop_42', runIds: [expect.stringMatching(/^run_/)] });
    const [run] = await rows<{ trigger: string; model: string }>(t.database.db, sql`select trigger, model from sync_runs where id = ${processed.outcome.runIds[0]}`);
    expect(run).toEqual({ trigger: 'webhook', model: 'charges' });
  });
});

describe('forwarding to customer endpoints', () => {
  it('delivers a verified Stripe event to an endpoint through the outbound module, signed', async () => {
    const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = await t.api('POST', '/endpoints', { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`, eventTypes: ['stripe.invoice.paid'] });
      expect(endpoint.status, JSON.stringify(endpoint.body)).toBe(201);
      const source = await t.createSource({ name: 'Stripe to endpoint', connector: 'stripe', secret: STRIPE_SECRET });
      expect((await t.deliver(source.id, 'stripe', STRIPE_SECRET, stripeEvent('evt_e2e_1', 'invoice.paid'))).status).toBe(200);
      const delivery = await eventually(async () => received[0], 20_000);
      expect(delivery.headers['webhook-signature']).toMatch(/^v1,/);
      expect(JSON.parse(delivery.body)).toMatchObject({ type: 'stripe.invoice.paid', data: { providerEventId: 'evt_e2e_1', sourceId: source.id } });
    } finally {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });
});
