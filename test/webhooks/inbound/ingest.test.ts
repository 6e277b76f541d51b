import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../../src/db/index.ts';
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
