/** Receivers that misbehave: errors, rate limits, gone, hanging, resetting, slow, redirecting. */
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { attemptsOf, delivery, endpoint, eventType, outboundHarness, publishEvent, startReceiver, waitFor, type OutboundHarness, type Receiver, type Reply } from './support.ts';

let h: OutboundHarness;
let receiver: Receiver;
beforeAll(async () => {
  h = await outboundHarness({ settings: { random: () => 0.5 } });
  receiver = await startReceiver();
  await eventType(h, 'job.done');
});
afterAll(async () => {
  await h.close();
  await receiver.close();
});
beforeEach(() => {
  receiver.requests.length = 0;
});

async function firstAttempt(path: string, reply: Reply, endpointBody: Record<string, unknown> = {}) {
  receiver.respond = (r) => (r.url === path ? reply : { status: 200 });
  const ep = await endpoint(h, { url: `${receiver.url}${path}`, eventTypes: ['job.done'], ...endpointBody });
  const id = await publishEvent(h, { type: 'job.done', data: { path } });
  await waitFor(async () => (await attemptsOf(h, id)).length === 1, 10_000);
  const [attempt] = await attemptsOf(h, id);
  const state = await delivery(h, id, ep);
  await h.del(`/api/v1/endpoints/${ep}`);
  return { attempt: attempt!, state };
}

it('retries a 500, keeping the status and the first 4 KiB of the body', async () => {
  const { attempt, state } = await firstAttempt('/500', { status: 500, body: 'x'.repeat(10_000) });
  expect(attempt).toMatchObject({ statusCode: 500, errorClass: 'http_status', succeeded: false });
  expect(attempt.responseBody).toHaveLength(4096);
  expect(attempt.responseHeaders).toMatchObject({ 'content-type': 'text/plain' });
  expect(state.state).toBe('pending');
  expect(Date.parse(state.nextAttemptAt!) - Date.parse(attempt.startedAt)).toBe(5_000);
});

it('retries a 429 after its Retry-After', async () => {
  const { attempt, state } = await firstAttempt('/429', { status: 429, headers: { 'retry-after': '30' } });
  expect(attempt).toMatchObject({ statusCode: 429, errorClass: 'http_status' });
  expect(attempt.responseHeaders?.['retry-after']).toBe('30');
  expect(Date.parse(state.nextAttemptAt!) - Date.parse(attempt.startedAt)).toBe(30_000);
});

it('stops at 410 Gone', async () => {
  const { attempt, state } = await firstAttempt('/410', { status: 410 });
  expect(attempt).toMatchObject({ statusCode: 410, errorClass: 'gone', nextAttemptAt: null });
  expect(state.state).toBe('failed');
});

it('gives up on a receiver that hangs past the timeout, and retries', async () => {
  const started = Date.now();
  const { attempt, state } = await firstAttempt('/hang', { hang: true }, { timeoutMs: 300 });
  expect(attempt).toMatchObject({ statusCode: null, errorClass: 'timeout', error: 'no complete answer within 300 ms' });
  expect(attempt.durationMs).toBeGreaterThanOrEqual(290);
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(state.state).toBe('pending');
});

it('retries after the connection is reset', async () => {
  const { attempt, state } = await firstAttempt('/reset', { reset: true });
  expect(attempt).toMatchObject({ statusCode: null, errorClass: 'connection' });
  expect(attempt.error).toMatch(/ECONNRESET|socket|closed/i);
  expect(state.state).toBe('pending');
});

it('retries a connection refused', async () => {
  const closed = await startReceiver();
  const url = closed.url;
  await closed.close();
  const ep = await endpoint(h, { url: `${url}/nobody`, eventTypes: ['job.done'] });
  const id = await publishEvent(h, { type: 'job.done', data: {} });
  await waitFor(async () => (await attemptsOf(h, id)).length === 1);
  expect((await attemptsOf(h, id))[0]).toMatchObject({ errorClass: 'connection', error: expect.stringContaining('ECONNREFUSED') });
  await h.del(`/api/v1/endpoints/${ep}`);
});

it('does not follow redirects: a 3xx is a failure', async () => {
  const { attempt, state } = await firstAttempt('/moved', { status: 301, headers: { location: `${receiver.url}/elsewhere` } });
  expect(attempt).toMatchObject({ statusCode: 301, errorClass: 'redirect', error: 'HTTP 301: redirects are not followed' });
  expect(receiver.requests.map((r) => r.url)).toEqual(['/moved']);
  expect(state.state).toBe('pending');
});

it('waits for a slow receiver within the timeout, and a slow endpoint does not hold back the others', async () => {
  const slow = await endpoint(h, { url: `${receiver.url}/slow`, eventTypes: ['job.done'], maxConcurrency: 2 });
  const fast = await endpoint(h, { url: `${receiver.url}/fast`, eventTypes: ['job.done'] });
  receiver.respond = (r) => (r.url === '/slow' ? { status: 200, delayMs: 800 } : { status: 200 });
  const ids: string[] = [];
  for (let i = 0; i < 6; i++) ids.push(await publishEvent(h, { type: 'job.done', data: { i } }));
  const started = Date.now();
  await waitFor(async () => (await Promise.all(ids.map((id) => delivery(h, id, fast)))).every((d) => d.state === 'succeeded'), 5_000);
  const fastDone = Date.now() - started;
  // Six slow deliveries two at a time take at least 2.4 s; the fast endpoint is done well before.
  expect((await Promise.all(ids.map((id) => delivery(h, id, slow)))).some((d) => d.state !== 'succeeded')).toBe(true);
  expect(fastDone).toBeLessThan(2_000);
  await waitFor(async () => (await Promise.all(ids.map((id) => delivery(h, id, slow)))).every((d) => d.state === 'succeeded'), 10_000);
  const slowAttempts = (await Promise.all(ids.map((id) => attemptsOf(h, id)))).flat().filter((a) => a.endpointId === slow);
  expect(slowAttempts).toHaveLength(6);
  expect(slowAttempts.every((a) => a.durationMs >= 790 && a.succeeded)).toBe(true);
  await h.del(`/api/v1/endpoints/${slow}`);
  await h.del(`/api/v1/endpoints/${fast}`);
});
