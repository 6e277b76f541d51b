/** Operations through the API: resend, recover, bulk retry of dead letters, test events, statistics. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { attemptsOf, delivery, endpoint, eventType, outboundHarness, publishEvent, startReceiver, waitFor, type OutboundHarness, type Receiver } from './support.ts';

const fail = { backoffStrategy: 'explicit', schedule: [1], maxRetries: 0 };

let h: OutboundHarness;
let receiver: Receiver;
beforeAll(async () => {
  h = await outboundHarness({ settings: { random: () => 0.5 } });
  receiver = await startReceiver();
  await eventType(h, 'order.created');
  await eventType(h, 'order.shipped');
});
afterAll(async () => {
  await h.close();
  await receiver.close();
});
beforeEach(() => {
  receiver.requests.length = 0;
});

/** Publishes to a failing endpoint with no retries: each message becomes a dead letter at once. */
async function deadLetters(ep: string, path: string, count: number, type = 'order.created'): Promise<string[]> {
  receiver.respond = (r) => (r.url === path ? { status: 500 } : { status: 200 });
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(await publishEvent(h, { type, data: { i } }));
  await waitFor(async () => (await Promise.all(ids.map((id) => delivery(h, id, ep)))).every((d) => d.state === 'failed'));
  return ids;
}

describe('resend', () => {
  it('sends a message again to one endpoint, with the same webhook-id and a fresh schedule', async () => {
    const ep = await endpoint(h, { url: `${receiver.url}/resend`, eventTypes: ['order.created'], retryConfig: fail });
    const [id] = await deadLetters(ep, '/resend', 1);
    receiver.respond = () => ({ status: 200 });
    const res = await h.post(`/api/v1/messages/${id}/endpoints/${ep}/resend`);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ state: 'pending', trigger: 'resend' });
    await waitFor(async () => (await delivery(h, id!, ep)).state === 'succeeded');
    const attempts = await attemptsOf(h, id!);
    expect(attempts.map((a) => [a.attempt, a.trigger, a.succeeded])).toEqual([
      [1, 'event', false],
      [2, 'resend', true],
    ]);
    expect(new Set(receiver.requests.map((r) => r.headers['webhook-id']))).toEqual(new Set([id]));
  });

  it('sends an old message to an endpoint created after it', async () => {
    const id = await publishEvent(h, { type: 'order.shipped', data: { late: true } });
    const ep = await endpoint(h, { url: `${receiver.url}/late`, eventTypes: ['order.created'] });
    expect((await h.post(`/api/v1/messages/${id}/endpoints/${ep}/resend`)).status).toBe(202);
    await waitFor(() => receiver.requests.some((r) => r.url === '/late'));
    expect(JSON.parse(receiver.requests.find((r) => r.url === '/late')!.body).data).toEqual({ late: true });
  });

  it('refuses unknown messages and endpoints, and disabled endpoints', async () => {
    const ep = await endpoint(h, { url: `${receiver.url}/off`, enabled: false });
    const id = await publishEvent(h, { type: 'order.created', data: {} });
    expect((await h.post(`/api/v1/messages/msg_00000000000000000000000000/endpoints/${ep}/resend`)).status).toBe(404);
    expect((await h.post(`/api/v1/messages/${id}/endpoints/ep_00000000000000000000000000/resend`)).status).toBe(404);
    expect((await h.post(`/api/v1/messages/${id}/endpoints/${ep}/resend`)).status).toBe(409);
  });
});

describe('recover', () => {
  it('resends everything that failed for an endpoint since a time, and nothing older', async () => {
    const ep = await endpoint(h, { url: `${receiver.url}/recover`, eventTypes: ['order.created'], retryConfig: fail });
    const old = await deadLetters(ep, '/recover', 2);
    h.clock.advance(3_600_000);
    const since = h.clock.now().toISOString();
    const recent = await deadLetters(ep, '/recover', 3);
    receiver.respond = () => ({ status: 200 });
    const res = await h.post(`/api/v1/endpoints/${ep}/recover`, { since });
    expect(res).toEqual({ status: 202, body: { recovered: 3 } });
    await waitFor(async () => (await Promise.all(recent.map((id) => delivery(h, id, ep)))).every((d) => d.state === 'succeeded'));
    expect((await Promise.all(old.map((id) => delivery(h, id, ep)))).map((d) => d.state)).toEqual(['failed', 'failed']);
    expect((await attemptsOf(h, recent[0]!)).at(-1)!.trigger).toBe('recover');
    // Later tests verify signatures against the real time.
    h.clock.set(new Date());
  });
});

describe('dead letters', () => {
  it('lists dead letters and retries them in bulk by filter', async () => {
    const a = await endpoint(h, { url: `${receiver.url}/dl-a`, eventTypes: ['order.created', 'order.shipped'], retryConfig: fail });
    receiver.respond = (r) => (r.url.startsWith('/dl-') ? { status: 500 } : { status: 200 });
    const created = await deadLetters(a, '/dl-a', 2, 'order.created');
    const shipped = await deadLetters(a, '/dl-a', 2, 'order.shipped');
    const listed = await h.get(`/api/v1/dead-letters?endpointId=${a}`);
    expect(listed.body.data.map((d: { messageId: string }) => d.messageId).sort()).toEqual([...created, ...shipped].sort());
    expect(listed.body.data[0]).toMatchObject({ state: 'failed', endpointId: a, eventType: expect.any(String), lastStatusCode: 500 });

    receiver.respond = () => ({ status: 200 });
    const res = await h.post('/api/v1/dead-letters/retry', { endpointId: a, eventType: 'order.shipped' });
    expect(res).toEqual({ status: 202, body: { retried: 2 } });
    await waitFor(async () => (await Promise.all(shipped.map((id) => delivery(h, id, a)))).every((d) => d.state === 'succeeded'));
    expect((await Promise.all(created.map((id) => delivery(h, id, a)))).map((d) => d.state)).toEqual(['failed', 'failed']);
    expect((await h.get(`/api/v1/dead-letters?endpointId=${a}`)).body.data).toHaveLength(2);
  });
});

describe('test events', () => {
  it('sends webhook.test to that endpoint only, signed like any message', async () => {
    const target = await endpoint(h, { url: `${receiver.url}/test-target` });
    const other = await endpoint(h, { url: `${receiver.url}/test-other` });
    const res = await h.post(`/api/v1/endpoints/${target}/test`);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ type: 'webhook.test', data: { message: 'Hello from Patchbay' } });
    await waitFor(() => receiver.requests.some((r) => r.url === '/test-target'));
    const request = receiver.requests.find((r) => r.url === '/test-target')!;
    const { secret } = (await h.get(`/api/v1/endpoints/${target}/secret`)).body;
    expect(new Webhook(secret).verify(request.body, request.headers as Record<string, string>)).toMatchObject({ type: 'webhook.test' });
    expect(receiver.requests.some((r) => r.url === '/test-other')).toBe(false);
    // The attempt is logged once the answer is in, a moment after the receiver saw the request.
    expect(await waitFor(async () => (await attemptsOf(h, res.body.id))[0])).toMatchObject({ trigger: 'test', succeeded: true });
    await h.del(`/api/v1/endpoints/${other}`);
  });

  it('sends a chosen type with data checked against its schema', async () => {
    await eventType(h, 'invoice.paid', { type: 'object', required: ['invoiceId'] });
    const ep = await endpoint(h, { url: `${receiver.url}/test-typed`, eventTypes: ['nothing.else'] });
    expect((await h.post(`/api/v1/endpoints/${ep}/test`, { eventType: 'invoice.paid', data: {} })).status).toBe(422);
    const res = await h.post(`/api/v1/endpoints/${ep}/test`, { eventType: 'invoice.paid', data: { invoiceId: 'in_1' } });
    expect(res.status).toBe(202);
    await waitFor(() => receiver.requests.some((r) => r.url === '/test-typed'));
  });
});

describe('statistics', () => {
  it('reports success rate, latency p50/p95 and recent errors', async () => {
    const ep = await endpoint(h, { url: `${receiver.url}/stats`, eventTypes: ['order.created'], retryConfig: fail });
    let n = 0;
    receiver.respond = (r) => (r.url !== '/stats' ? { status: 200 } : ++n % 4 === 0 ? { status: 502, body: 'bad gateway' } : { status: 200, delayMs: 20 });
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push(await publishEvent(h, { type: 'order.created', data: { i } }));
    await waitFor(async () => (await Promise.all(ids.map((id) => delivery(h, id, ep)))).every((d) => d.state === 'succeeded' || d.state === 'failed'));
    const stats = (await h.get(`/api/v1/endpoints/${ep}/stats`)).body;
    expect(stats).toMatchObject({ attempts: 8, succeeded: 6, failed: 2, successRate: 0.75, deliveries: { succeeded: 6, failed: 2, pending: 0, delivering: 0 } });
    expect(stats.latencyMs.p50).toBeGreaterThanOrEqual(15);
    expect(stats.latencyMs.p95).toBeGreaterThanOrEqual(stats.latencyMs.p50);
    expect(stats.recentErrors).toHaveLength(2);
    expect(stats.recentErrors[0]).toMatchObject({ statusCode: 502, errorClass: 'http_status', error: 'HTTP 502' });
  });
});

describe('endpoint management', () => {
  it('masks credential-like header values, audits secret reveals, and refuses reserved headers', async () => {
    const ep = await endpoint(h, { url: `${receiver.url}/hdr`, headers: { 'x-tenant': 'acme', authorization: 'Bearer s3cret-token' } });
    const shown = (await h.get(`/api/v1/endpoints/${ep}`)).body;
    expect(shown.headers).toEqual({ 'x-tenant': 'acme', authorization: '[redacted]' });
    expect(JSON.stringify(shown)).not.toContain('whsec_');
    expect((await h.post('/api/v1/endpoints', { url: `${receiver.url}/x`, headers: { 'webhook-id': 'forged' } })).status).toBe(400);
    await h.get(`/api/v1/endpoints/${ep}/secret`);
    const audit = (await h.api.app.inject({ method: 'GET', url: '/api/v1/audit-log', headers: { authorization: `Bearer ${h.api.keys.owner}` } })).json();
    expect(audit.data.map((e: { action: string }) => e.action)).toContain('endpoint.secret_revealed');
    // A viewer may read the endpoint but not its secret.
    const viewer = await h.api.app.inject({ method: 'GET', url: `/api/v1/endpoints/${ep}/secret`, headers: { authorization: `Bearer ${h.api.keys.viewer}` } });
    expect(viewer.statusCode).toBe(403);
    // Custom headers go out with every attempt.
    await publishEvent(h, { type: 'order.created', data: {} });
    await waitFor(() => receiver.requests.some((r) => r.url === '/hdr'));
    expect(receiver.requests.find((r) => r.url === '/hdr')!.headers).toMatchObject({ 'x-tenant': 'acme', authorization: 'Bearer s3cret-token' });
    expect(h.api.logs.text()).not.toContain('s3cret-token');
    expect(h.api.logs.text()).not.toContain('whsec_');
  });
});
