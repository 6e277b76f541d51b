/** Per-endpoint flow control: the concurrency cap, the rate limit, FIFO order; and retention. */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rows } from '../../../src/db/index.ts';
import { updateEnvironment } from '../../../src/auth/index.ts';
import { enqueue } from '../../../src/queue/index.ts';
import { PRUNE_JOB } from '../../../src/webhooks/outbound/index.ts';
import { attemptsOf, delivery, devScope, endpoint, eventType, outboundHarness, publishEvent, startReceiver, waitFor, type OutboundHarness, type Receiver } from './support.ts';

let h: OutboundHarness;
let receiver: Receiver;
beforeAll(async () => {
  h = await outboundHarness({ concurrency: 10, settings: { random: () => 0.5 } });
  receiver = await startReceiver();
  await eventType(h, 'tick');
});
afterAll(async () => {
  await h.close();
  await receiver.close();
});
beforeEach(() => {
  receiver.requests.length = 0;
});

async function publishMany(n: number): Promise<string[]> {
  const res = await h.post('/api/v1/events/batch', { events: Array.from({ length: n }, (_, i) => ({ type: 'tick', data: { i } })) });
  expect(res.status).toBe(201);
  return res.body.data.map((m: { id: string }) => m.id);
}

describe('a run that is delivering', () => {
  it('sends to the endpoint as it is now from its next claim on, whoever changed it', async () => {
    // 40 messages, two at a time, 100 ms each: the run lasts seconds.
    receiver.respond = () => ({ status: 200, delayMs: 100 });
    const ep = await endpoint(h, { url: `${receiver.url}/before`, maxConcurrency: 2 });
    await publishMany(40);
    await waitFor(() => receiver.requests.some((r) => r.url === '/before'));
    // Straight in the database, as another process would: the run learns of it from its claims.
    await rows(h.api.database.db, sql`update outbound_endpoints set url = ${`${receiver.url}/after`} where id = ${ep}`);
    await waitFor(() => receiver.requests.length >= 40, 30_000);
    const before = receiver.requests.filter((r) => r.url === '/before').length;
    expect(receiver.requests.filter((r) => r.url === '/after').length).toBe(40 - before);
    expect(before).toBeLessThan(40);
    await h.del(`/api/v1/endpoints/${ep}`);
  });

  it('takes new work published meanwhile in this process without a dispatch job', async () => {
    // The first message hangs, so the run holds the endpoint while the second is published.
    receiver.respond = (r) => (r.body.includes('"first"') ? { hang: true } : { status: 200 });
    const ep = await endpoint(h, { url: `${receiver.url}/held`, maxConcurrency: 2 });
    await publishEvent(h, { type: 'tick', data: { n: 'first' } });
    await waitFor(() => receiver.requests.some((r) => r.body.includes('"first"')));
    // Every job queued notifies the workers (channel patchbay_jobs): none may come from the second publish.
    const queued: string[] = [];
    const unlisten = await h.api.database.listen('patchbay_jobs', (payload) => queued.push(payload));
    const second = await publishEvent(h, { type: 'tick', data: { n: 'second' } });
    await waitFor(async () => (await delivery(h, second, ep)).state === 'succeeded');
    await unlisten();
    expect(queued).toEqual([]);
    await h.del(`/api/v1/endpoints/${ep}`);
  });
});

describe('the concurrency cap', () => {
  it('never has more requests in flight to an endpoint than its maxConcurrency, across dispatch jobs', async () => {
    let inFlight = 0;
    let peak = 0;
    receiver.respond = () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      setTimeout(() => inFlight--, 50);
      return { status: 200, delayMs: 50 };
    };
    const ep = await endpoint(h, { url: `${receiver.url}/cap`, maxConcurrency: 3 });
    const ids = await publishMany(30);
    // More wake-ups than needed: several dispatch jobs for the endpoint run at once.
    await Promise.all([h.outbound.sweep(), h.outbound.sweep(), h.outbound.sweep()]);
    await waitFor(async () => (await Promise.all(ids.map((id) => delivery(h, id, ep)))).every((d) => d.state === 'succeeded'), 15_000);
    expect(peak).toBe(3);
    await h.del(`/api/v1/endpoints/${ep}`);
  });
});

describe('the rate limit', () => {
  it('sends at most rateLimit messages per second', async () => {
    receiver.respond = () => ({ status: 200 });
    const ep = await endpoint(h, { url: `${receiver.url}/rate`, rateLimit: 5 });
    const ids = await publishMany(12);
    await waitFor(() => receiver.requests.length === 5);
    await new Promise((r) => setTimeout(r, 300));
    // The clock has not moved: the second's budget is spent.
    expect(receiver.requests).toHaveLength(5);
    h.clock.advance(1_000);
    await h.outbound.sweep();
    await waitFor(() => receiver.requests.length === 10);
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.requests).toHaveLength(10);
    h.clock.advance(1_000);
    await h.outbound.sweep();
    await waitFor(async () => (await Promise.all(ids.map((id) => delivery(h, id, ep)))).every((d) => d.state === 'succeeded'));
    expect(receiver.requests).toHaveLength(12);
    await h.del(`/api/v1/endpoints/${ep}`);
  });
});

describe('FIFO endpoints', () => {
  it('deliver in publishing order, one at a time, a failing message holding back the ones after it', async () => {
    let failFirst = true;
    receiver.respond = (r) => {
      const { i } = JSON.parse(r.body).data as { i: number };
      if (i === 2 && failFirst) {
        failFirst = false;
        return { status: 503 };
      }
      return { status: 200, delayMs: 5 };
    };
    const ep = await endpoint(h, { url: `${receiver.url}/fifo`, fifo: true, maxConcurrency: 10 });
    const ids = await publishMany(6);
    await waitFor(async () => (await delivery(h, ids[2]!, ep)).state === 'pending' && (await attemptsOf(h, ids[2]!)).length === 1);
    await new Promise((r) => setTimeout(r, 300));
    // 0 and 1 went out; 2 failed and waits for its retry; 3–5 wait behind it.
    expect(receiver.requests.map((r) => JSON.parse(r.body).data.i)).toEqual([0, 1, 2]);
    expect((await delivery(h, ids[5]!, ep)).state).toBe('pending');

    h.clock.advance(5_000);
    await h.outbound.sweep();
    await waitFor(async () => (await Promise.all(ids.map((id) => delivery(h, id, ep)))).every((d) => d.state === 'succeeded'));
    expect(receiver.requests.map((r) => JSON.parse(r.body).data.i)).toEqual([0, 1, 2, 2, 3, 4, 5]);
    await h.del(`/api/v1/endpoints/${ep}`);
  });
});

describe('retention', () => {
  it('prunes message payloads and attempt bodies older than the retention, keeping the log rows', async () => {
    receiver.respond = () => ({ status: 200, body: 'received' });
    const ep = await endpoint(h, { url: `${receiver.url}/old` });
    const old = await publishEvent(h, { type: 'tick', data: { old: true } });
    await waitFor(async () => (await delivery(h, old, ep)).state === 'succeeded');
    h.clock.advance(31 * 86_400_000);
    const fresh = await publishEvent(h, { type: 'tick', data: { fresh: true } });
    await waitFor(async () => (await delivery(h, fresh, ep)).state === 'succeeded');

    const report = await h.outbound.prune();
    expect(report.payloads).toBeGreaterThanOrEqual(1);
    expect(report.attemptBodies).toBeGreaterThanOrEqual(1);
    const oldMessage = (await h.get(`/api/v1/messages/${old}`)).body;
    expect(oldMessage).toMatchObject({ id: old, type: 'tick', data: null, deliveries: [expect.objectContaining({ state: 'succeeded' })] });
    expect((await attemptsOf(h, old))[0]).toMatchObject({ statusCode: 200, responseBody: null, responseHeaders: null, succeeded: true });
    expect((await h.get(`/api/v1/messages/${fresh}`)).body.data).toEqual({ fresh: true });
    expect((await attemptsOf(h, fresh))[0]!.responseBody).toBe('received');
    // A pruned message cannot be sent again.
    expect((await h.post(`/api/v1/messages/${old}/endpoints/${ep}/resend`)).status).toBe(409);
    const [left] = await rows<{ n: number }>(h.api.database.db, sql`select count(*)::int as n from outbound_messages where payload is null and created_at >= ${new Date(h.clock.now().getTime() - 86_400_000).toISOString()}::timestamptz`);
    expect(left!.n).toBe(0);
  });

  it('keeps an environment’s own retention (settings.webhookRetentionDays)', async () => {
    const scope = devScope(h);
    await updateEnvironment(h.api.database.db, scope.organizationId, scope.environmentId, { settings: { webhookRetentionDays: 7 } });
    receiver.respond = () => ({ status: 200, body: 'week' });
    const ep = await endpoint(h, { url: `${receiver.url}/week` });
    const id = await publishEvent(h, { type: 'tick', data: { week: true } });
    await waitFor(async () => (await delivery(h, id, ep)).state === 'succeeded');
    h.clock.advance(6 * 86_400_000);
    await h.outbound.prune();
    expect((await h.get(`/api/v1/messages/${id}`)).body.data).toEqual({ week: true });
    h.clock.advance(2 * 86_400_000);
    await h.outbound.prune();
    expect((await h.get(`/api/v1/messages/${id}`)).body.data).toBeNull();
    expect((await attemptsOf(h, id))[0]!.responseBody).toBeNull();
    await updateEnvironment(h.api.database.db, scope.organizationId, scope.environmentId, { settings: {} });
  });

  it('runs as a job of the queue (scheduled daily)', async () => {
    receiver.respond = () => ({ status: 200, body: 'again' });
    const ep = await endpoint(h, { url: `${receiver.url}/job` });
    const id = await publishEvent(h, { type: 'tick', data: {} });
    await waitFor(async () => (await delivery(h, id, ep)).state === 'succeeded');
    h.clock.advance(31 * 86_400_000);
    const job = await enqueue(h.api.database.db, { type: PRUNE_JOB, payload: {} }, { clock: h.clock });
    await waitFor(async () => (await rows(h.api.database.db, sql`select 1 from jobs where id = ${job.id}`)).length === 0);
    expect((await attemptsOf(h, id))[0]!.responseBody).toBeNull();
  });
});
