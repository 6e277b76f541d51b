/** `patchbay listen`: the hub streams messages over SSE; the client forwards them, signed, to a local URL. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { listen, ListenError, type ForwardResult } from '../../../src/webhooks/outbound/index.ts';
import { eventType, outboundHarness, publishEvent, startReceiver, waitFor, type OutboundHarness, type Receiver } from './support.ts';

let h: OutboundHarness;
let local: Receiver;
let hubUrl: string;
beforeAll(async () => {
  h = await outboundHarness();
  local = await startReceiver();
  await eventType(h, 'order.created');
  await eventType(h, 'user.signed_up');
  hubUrl = await h.api.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await h.close();
  await local.close();
});

it('streams matching messages to the listener, which forwards them signed to a local URL', async () => {
  const forwarded: ForwardResult[] = [];
  const session = await listen({ url: hubUrl, apiKey: h.api.keys.admin, forwardTo: `${local.url}/hooks`, eventTypes: ['order.*'], label: 'laptop', onForward: (r) => forwarded.push(r) });
  expect(session.secret).toMatch(/^whsec_/);

  const first = await publishEvent(h, { type: 'order.created', data: { n: 1 } });
  await publishEvent(h, { type: 'user.signed_up', data: {} });
  const second = await publishEvent(h, { type: 'order.created', data: { n: 2 } });
  await waitFor(() => forwarded.length === 2);
  expect(forwarded.map((f) => [f.id, f.type, f.status])).toEqual([
    [first, 'order.created', 200],
    [second, 'order.created', 200],
  ]);
  for (const request of local.requests) {
    expect(request.url).toBe('/hooks');
    new Webhook(session.secret).verify(request.body, request.headers as Record<string, string>);
  }
  expect(JSON.parse(local.requests[0]!.body)).toMatchObject({ id: first, type: 'order.created', data: { n: 1 } });
  // The hub logged the delivery like any other.
  const message = (await h.get(`/api/v1/messages/${first}`)).body;
  expect(message.deliveries).toEqual([expect.objectContaining({ endpointId: session.endpointId, state: 'succeeded' })]);

  // Closing the stream removes the temporary endpoint.
  session.close();
  await session.done;
  await waitFor(async () => (await h.get(`/api/v1/endpoints/${session.endpointId}`)).status === 404);
  const after = await publishEvent(h, { type: 'order.created', data: { n: 3 } });
  expect((await h.get(`/api/v1/messages/${after}`)).body.deliveries).toEqual([]);
});

it('refuses a key without endpoints:write', async () => {
  await expect(listen({ url: hubUrl, apiKey: h.api.keys.viewer, forwardTo: `${local.url}/hooks` })).rejects.toThrow(ListenError);
});

it('reports a local server that is down without stopping the stream', async () => {
  const forwarded: ForwardResult[] = [];
  const down = await startReceiver();
  await down.close();
  const session = await listen({ url: hubUrl, apiKey: h.api.keys.admin, forwardTo: `${down.url}/hooks`, eventTypes: ['user.signed_up'], onForward: (r) => forwarded.push(r) });
  await publishEvent(h, { type: 'user.signed_up', data: { a: 1 } });
  await publishEvent(h, { type: 'user.signed_up', data: { a: 2 } });
  await waitFor(() => forwarded.length === 2);
  expect(forwarded.every((f) => f.status === null && /ECONNREFUSED/.test(f.error ?? ''))).toBe(true);
  session.close();
  await session.done;
});
