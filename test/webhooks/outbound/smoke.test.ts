import { afterAll, beforeAll, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { endpoint, eventType, outboundHarness, publishEvent, startReceiver, waitFor, type OutboundHarness, type Receiver } from './support.ts';

let h: OutboundHarness;
let receiver: Receiver;
beforeAll(async () => {
  h = await outboundHarness();
  receiver = await startReceiver();
});
afterAll(async () => {
  await h.close();
  await receiver.close();
});

it('delivers a published event', async () => {
  await eventType(h, 'order.created');
  const ep = await endpoint(h, { url: `${receiver.url}/hooks` });
  const id = await publishEvent(h, { type: 'order.created', data: { orderId: 'o_1' } });
  await waitFor(() => receiver.requests.length > 0, 5000);
  const secret = (await h.get(`/api/v1/endpoints/${ep}/secret`)).body.secret;
  const req = receiver.requests[0]!;
  expect(req.headers['webhook-id']).toBe(id);
  new Webhook(secret).verify(req.body, req.headers as Record<string, string>);
  await waitFor(async () => (await h.get(`/api/v1/messages/${id}`)).body.deliveries[0].state === 'succeeded', 5000);
  console.log((await h.get(`/api/v1/messages/${id}/attempts`)).body);
});
