/**
 * The REST Hooks API Zapier and Make call: subscribe a target URL to an event type, receive the
 * next matching event there signed, unsubscribe and receive nothing more.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { eventType, outboundHarness, publishEvent, sleep, startReceiver, waitFor, type OutboundHarness, type Receiver } from './support.ts';

let h: OutboundHarness;
let receiver: Receiver;
beforeAll(async () => {
  h = await outboundHarness();
  receiver = await startReceiver();
  await eventType(h, 'invoice.paid');
  await eventType(h, 'invoice.voided');
  const example = await h.patch('/api/v1/event-types/invoice.paid', { example: { invoiceId: 'in_1', amount: 4200 } });
  expect(example.status).toBe(200);
});
afterAll(async () => {
  await h.close();
  await receiver.close();
});
beforeEach(() => {
  receiver.requests.length = 0;
});

describe('REST hooks', () => {
  it('delivers the next matching event to a subscribed target, signed, and nothing once unsubscribed', async () => {
    const subscribed = await h.post('/api/v1/hooks', { targetUrl: `${receiver.url}/zap/1`, event: 'invoice.paid' });
    expect(subscribed.status).toBe(201);
    expect(subscribed.body).toMatchObject({ id: expect.stringMatching(/^ep_/), targetUrl: `${receiver.url}/zap/1`, event: 'invoice.paid', enabled: true });
    expect(subscribed.body.secret).toMatch(/^whsec_/);

    await publishEvent(h, { type: 'invoice.voided', data: { invoiceId: 'in_0' } });
    await publishEvent(h, { type: 'invoice.paid', data: { invoiceId: 'in_2', amount: 990 } });
    const delivered = await waitFor(() => receiver.requests.find((r) => r.url === '/zap/1'));
    const body = JSON.parse(delivered.body) as { type: string; data: unknown };
    expect(body).toMatchObject({ type: 'invoice.paid', data: { invoiceId: 'in_2', amount: 990 } });
    // Signed with the secret the subscription returned (the Standard Webhooks verifier accepts it).
    expect(() => new Webhook(subscribed.body.secret).verify(delivered.body, delivered.headers as Record<string, string>)).not.toThrow();

    // Listed as a hook, and shown among the endpoints as one.
    expect((await h.get('/api/v1/hooks')).body.data.map((hook: { id: string }) => hook.id)).toContain(subscribed.body.id);
    expect((await h.get(`/api/v1/endpoints/${subscribed.body.id}`)).body.restHook).toBe(true);

    const removed = await h.del(`/api/v1/hooks/${subscribed.body.id}`);
    expect(removed.status).toBe(200);
    const before = receiver.requests.length;
    await publishEvent(h, { type: 'invoice.paid', data: { invoiceId: 'in_3', amount: 10 } });
    await sleep(1_500);
    expect(receiver.requests.slice(before).filter((r) => r.url === '/zap/1')).toEqual([]);
    expect((await h.get('/api/v1/hooks')).body.data).toEqual([]);
  });

  it('refuses an event type that does not exist, and never unsubscribes an endpoint made by hand', async () => {
    const typo = await h.post('/api/v1/hooks', { targetUrl: `${receiver.url}/zap/2`, event: 'invoice.payed' });
    expect(typo.status).toBe(404);
    expect(typo.body.detail).toContain('invoice.payed');
    const byHand = await h.post('/api/v1/endpoints', { url: `${receiver.url}/manual`, eventTypes: ['invoice.paid'] });
    const refused = await h.del(`/api/v1/hooks/${byHand.body.id}`);
    expect(refused.status).toBe(404);
    expect((await h.get(`/api/v1/endpoints/${byHand.body.id}`)).status).toBe(200);
  });

  it('gives a sample for a field picker from the event type’s example', async () => {
    const sample = await h.get('/api/v1/hooks/samples/invoice.paid');
    expect(sample.status).toBe(200);
    expect(sample.body).toEqual([expect.objectContaining({ type: 'invoice.paid', data: { invoiceId: 'in_1', amount: 4200 } })]);
    expect((await h.get('/api/v1/hooks/samples/invoice.voided')).body).toEqual([]);
  });
});
