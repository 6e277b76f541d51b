/**
 * What the dashboard reads beyond the basic lists: statistics per time bucket for the endpoint
 * charts, and the signed request an attempt sent (rebuilt, and verifiable with the secret).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { attemptsOf, delivery, endpoint, eventType, outboundHarness, publishEvent, startReceiver, waitFor, type OutboundHarness, type Receiver } from './support.ts';

let h: OutboundHarness;
let receiver: Receiver;
beforeAll(async () => {
  h = await outboundHarness({ settings: { random: () => 0.5 } });
  receiver = await startReceiver();
  await eventType(h, 'order.created');
});
afterAll(async () => {
  await h.close();
  await receiver.close();
});

describe('endpoint statistics over time', () => {
  it('splits the window into about 48 buckets with attempts, successes and latency in each', async () => {
    const ep = await endpoint(h, { url: `${receiver.url}/series`, eventTypes: ['order.created'], retryConfig: { backoffStrategy: 'explicit', schedule: [1], maxRetries: 0 } });
    let n = 0;
    receiver.respond = () => (++n % 3 === 0 ? { status: 500 } : { status: 200 });
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await publishEvent(h, { type: 'order.created', data: { i } }));
    await waitFor(async () => (await Promise.all(ids.map((id) => delivery(h, id, ep)))).every((d) => d.state === 'succeeded' || d.state === 'failed'));
    const stats = (await h.get(`/api/v1/endpoints/${ep}/stats`)).body;
    // 24 h in 48 buckets: half an hour each.
    expect(stats.series.bucketSeconds).toBe(1800);
    const points = stats.series.points as { at: string; attempts: number; succeeded: number; p50: number | null }[];
    expect(points.reduce((sum, p) => sum + p.attempts, 0)).toBe(6);
    expect(points.reduce((sum, p) => sum + p.succeeded, 0)).toBe(4);
    for (const p of points) expect(Date.parse(p.at) % 1_800_000).toBe(0);
    expect(points.every((p) => p.p50 !== null)).toBe(true);
    const hour = (await h.get(`/api/v1/endpoints/${ep}/stats?since=${new Date(Date.now() - 3_600_000).toISOString()}`)).body;
    expect(hour.series.bucketSeconds).toBe(60);
  });
});

describe('the request of an attempt', () => {
  it('shows the URL, headers and body an attempt sent, with a signature the secret verifies', async () => {
    const ep = await endpoint(h, { url: `${receiver.url}/signed`, eventTypes: ['order.created'], headers: { 'x-tenant': 'acme', authorization: 'Bearer s3cret-token' } });
    receiver.respond = () => ({ status: 204 });
    const id = await publishEvent(h, { type: 'order.created', data: { order: 42 } });
    await waitFor(async () => (await delivery(h, id, ep)).state === 'succeeded');
    const [attempt] = (await attemptsOf(h, id)).filter((a) => a.endpointId === ep);
    const res = await h.get(`/api/v1/messages/${id}/attempts/${attempt!.id}/request`);
    expect(res.status).toBe(200);
    const sent = receiver.requests.find((r) => r.url === '/signed')!;
    expect(res.body).toMatchObject({ method: 'POST', url: `${receiver.url}/signed`, body: sent.body });
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature', 'x-tenant']) expect(res.body.headers[name]).toBe(sent.headers[name]);
    expect(res.body.headers.authorization).not.toContain('s3cret-token');
    const { secret } = (await h.get(`/api/v1/endpoints/${ep}/secret`)).body;
    const verified = new Webhook(secret).verify(res.body.body, res.body.headers);
    expect(verified).toMatchObject({ data: { order: 42 } });
  });

  it('answers 404 with a problem for an unknown message or attempt', async () => {
    const res = await h.get(`/api/v1/messages/msg_nope/attempts/att_nope/request`);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ status: 404, title: expect.any(String) });
    const id = await publishEvent(h, { type: 'order.created', data: {} });
    expect((await h.get(`/api/v1/messages/${id}/attempts/att_nope/request`)).body).toMatchObject({ status: 404, detail: expect.stringContaining('att_nope') });
  });
});
