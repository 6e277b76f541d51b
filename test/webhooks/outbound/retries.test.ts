/**
 * Retry schedules, Retry-After, 410 Gone, the circuit breaker and auto-disable, each on a
 * controllable loopback receiver with a ManualClock: hours pass in milliseconds.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nextDelay, DEFAULT_SCHEDULE_MS } from '../../../src/webhooks/outbound/index.ts';
import { attemptsOf, delivery, endpoint, eventType, outboundHarness, publishEvent, startReceiver, waitFor, type OutboundHarness, type Receiver } from './support.ts';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

let h: OutboundHarness;
let receiver: Receiver;
let watcher: Receiver;

async function setUp(settings: Parameters<typeof outboundHarness>[0] = {}) {
  h = await outboundHarness({ settings: { random: () => 0.5, ...settings.settings } });
  receiver = await startReceiver(() => ({ status: 500, body: 'boom' }));
  watcher = await startReceiver();
  await eventType(h, 'order.created');
  // Receives what Patchbay says about delivery itself.
  await endpoint(h, { url: `${watcher.url}/ops`, eventTypes: ['message.attempt.exhausted', 'endpoint.disabled'] });
}
afterEach(async () => {
  await h.close();
  await receiver.close();
  await watcher.close();
});

/** Moves the clock to the delivery's next attempt, wakes the workers, waits for that attempt. */
async function nextAttempt(messageId: string, endpointId: string, count: number): Promise<void> {
  const d = await delivery(h, messageId, endpointId);
  h.clock.set(new Date(d.nextAttemptAt!));
  await h.outbound.sweep();
  await waitFor(async () => (await attemptsOf(h, messageId)).filter((a) => a.endpointId === endpointId).length >= count, 5_000, `attempt ${count}`);
}

const watched = (type: string) => watcher.requests.map((r) => JSON.parse(r.body)).filter((b) => b.type === type);

describe('the retry schedule', () => {
  beforeEach(() => setUp());

  it('follows the default schedule — immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h — then dead-letters and emits message.attempt.exhausted', async () => {
    const ep = await endpoint(h, { url: `${receiver.url}/fail`, eventTypes: ['order.created'] });
    const id = await publishEvent(h, { type: 'order.created', data: { orderId: 'o_1' } });
    await waitFor(async () => (await attemptsOf(h, id)).length === 1);
    for (let n = 2; n <= 8; n++) await nextAttempt(id, ep, n);
    await waitFor(async () => (await delivery(h, id, ep)).state === 'failed');

    const attempts = await attemptsOf(h, id);
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const gaps = attempts.slice(1).map((a, i) => Date.parse(a.startedAt) - Date.parse(attempts[i]!.startedAt));
    expect(gaps).toEqual([5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR]);
    expect(attempts.every((a) => a.statusCode === 500 && a.errorClass === 'http_status' && a.responseBody === 'boom')).toBe(true);
    expect(attempts.at(-1)!.nextAttemptAt).toBeNull();
    expect(receiver.requests).toHaveLength(8);

    await waitFor(() => watched('message.attempt.exhausted').length === 1);
    expect(watched('message.attempt.exhausted')[0].data).toEqual({ messageId: id, endpointId: ep, eventType: 'order.created', attempts: 8, lastStatusCode: 500, lastError: 'HTTP 500' });
    const dead = (await h.get(`/api/v1/dead-letters?endpointId=${ep}`)).body.data;
    expect(dead.map((d: { messageId: string }) => d.messageId)).toEqual([id]);
  });

  it('spreads every delay by ±20 % jitter', () => {
    const config = { backoffStrategy: 'default' as const };
    DEFAULT_SCHEDULE_MS.forEach((base, i) => {
      expect(nextDelay({ config, attemptsInSchedule: i + 1, random: () => 0 })).toBe(Math.round(base * 0.8));
      expect(nextDelay({ config, attemptsInSchedule: i + 1, random: () => 1 })).toBe(Math.round(base * 1.2));
    });
    for (let i = 0; i < 200; i++) {
      const delay = nextDelay({ config, attemptsInSchedule: 3 })!;
      expect(delay).toBeGreaterThanOrEqual(0.8 * 30 * MINUTE);
      expect(delay).toBeLessThanOrEqual(1.2 * 30 * MINUTE);
    }
    expect(nextDelay({ config, attemptsInSchedule: 8 })).toBeNull();
  });

  it('computes linear, exponential and explicit schedules from retryConfig (retryDelay in seconds)', () => {
    const at = (config: Parameters<typeof nextDelay>[0]['config'], n: number) => nextDelay({ config: { jitter: 0, ...config }, attemptsInSchedule: n });
    const linear = { backoffStrategy: 'linear' as const, maxRetries: 3, retryDelay: 10 };
    expect([1, 2, 3, 4].map((n) => at(linear, n))).toEqual([10 * SECOND, 20 * SECOND, 30 * SECOND, null]);
    const exponential = { backoffStrategy: 'exponential' as const, maxRetries: 4, retryDelay: 2 };
    expect([1, 2, 3, 4, 5].map((n) => at(exponential, n))).toEqual([2 * SECOND, 4 * SECOND, 8 * SECOND, 16 * SECOND, null]);
    const explicit = { backoffStrategy: 'explicit' as const, schedule: [1, 60, 3600] };
    expect([1, 2, 3, 4].map((n) => at(explicit, n))).toEqual([SECOND, MINUTE, HOUR, null]);
    expect(at({ backoffStrategy: 'exponential', retryDelay: 3600, maxRetries: 20 }, 20)).toBe(DAY);
  });

  it('runs an exponential retryConfig end to end and succeeds when the endpoint recovers', async () => {
    const ep = await endpoint(h, { url: `${receiver.url}/exp`, eventTypes: ['order.created'], retryConfig: { maxRetries: 5, retryDelay: 30, backoffStrategy: 'exponential' } });
    const id = await publishEvent(h, { type: 'order.created', data: {} });
    await waitFor(async () => (await attemptsOf(h, id)).length === 1);
    await nextAttempt(id, ep, 2);
    await nextAttempt(id, ep, 3);
    receiver.respond = () => ({ status: 204 });
    await nextAttempt(id, ep, 4);
    await waitFor(async () => (await delivery(h, id, ep)).state === 'succeeded');
    const attempts = await attemptsOf(h, id);
    const gaps = attempts.slice(1).map((a, i) => Date.parse(a.startedAt) - Date.parse(attempts[i]!.startedAt));
    expect(gaps).toEqual([30 * SECOND, 60 * SECOND, 120 * SECOND]);
    expect(attempts.map((a) => a.succeeded)).toEqual([false, false, false, true]);
  });

  it('rejects a retryConfig that cannot work', async () => {
    expect((await h.post('/api/v1/endpoints', { url: `${receiver.url}/x`, retryConfig: { backoffStrategy: 'linear' } })).body.errors).toEqual([
      { field: '/retryConfig/retryDelay', message: 'is required for the linear strategy' },
    ]);
    expect((await h.post('/api/v1/endpoints', { url: `${receiver.url}/x`, retryConfig: { backoffStrategy: 'explicit' } })).status).toBe(400);
    expect((await h.post('/api/v1/endpoints', { url: `${receiver.url}/x`, retryConfig: { backoffStrategy: 'sometimes' } })).status).toBe(400);
  });
});

describe('Retry-After and 410 Gone', () => {
  beforeEach(() => setUp());

  it('retries a 429 after its Retry-After (and pauses the endpoint meanwhile)', async () => {
    const ep = await endpoint(h, { url: `${receiver.url}/busy`, eventTypes: ['order.created'] });
    receiver.respond = () => ({ status: 429, headers: { 'retry-after': '120' } });
    const first = await publishEvent(h, { type: 'order.created', data: { n: 1 } });
    await waitFor(async () => (await delivery(h, first, ep)).state === 'pending' && (await attemptsOf(h, first)).length === 1);
    const t0 = h.clock.now().getTime();
    expect(Date.parse((await delivery(h, first, ep)).nextAttemptAt!)).toBe(t0 + 120 * SECOND);

    // A message published during the pause waits for it too.
    receiver.respond = () => ({ status: 200 });
    const second = await publishEvent(h, { type: 'order.created', data: { n: 2 } });
    h.clock.advance(60 * SECOND);
    await h.outbound.sweep();
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.requests).toHaveLength(1);
    expect((await delivery(h, second, ep)).state).toBe('pending');

    h.clock.set(new Date(t0 + 120 * SECOND));
    await h.outbound.sweep();
    await waitFor(async () => (await delivery(h, first, ep)).state === 'succeeded' && (await delivery(h, second, ep)).state === 'succeeded');
    expect(receiver.requests).toHaveLength(3);
  });

  it('reads Retry-After as an HTTP date, bounded to a day, and never shortens the schedule', async () => {
    const ep = await endpoint(h, { url: `${receiver.url}/date`, eventTypes: ['order.created'] });
    const when = new Date(h.clock.now().getTime() + 10 * MINUTE);
    receiver.respond = () => ({ status: 503, headers: { 'retry-after': when.toUTCString() } });
    const id = await publishEvent(h, { type: 'order.created', data: {} });
    await waitFor(async () => (await attemptsOf(h, id)).length === 1);
    expect(Date.parse((await delivery(h, id, ep)).nextAttemptAt!)).toBe(Math.floor(when.getTime() / 1000) * 1000);

    receiver.respond = () => ({ status: 429, headers: { 'retry-after': '1' } });
    await nextAttempt(id, ep, 2);
    // Second retry is due after 5 min by the schedule; Retry-After: 1 does not make it sooner.
    const after = await attemptsOf(h, id);
    expect(Date.parse(after[1]!.nextAttemptAt!) - Date.parse(after[1]!.startedAt)).toBe(5 * MINUTE);

    receiver.respond = () => ({ status: 429, headers: { 'retry-after': String(7 * 24 * 3600) } });
    await nextAttempt(id, ep, 3);
    const third = (await attemptsOf(h, id))[2]!;
    expect(Date.parse(third.nextAttemptAt!) - Date.parse(third.startedAt)).toBe(DAY);
  });

  it('disables the endpoint on 410 Gone, dead-letters the message and emits endpoint.disabled', async () => {
    const ep = await endpoint(h, { url: `${receiver.url}/gone`, eventTypes: ['order.created'] });
    receiver.respond = () => ({ status: 410 });
    const id = await publishEvent(h, { type: 'order.created', data: {} });
    await waitFor(async () => !(await h.get(`/api/v1/endpoints/${ep}`)).body.enabled);
    const shown = (await h.get(`/api/v1/endpoints/${ep}`)).body;
    expect(shown.disabledReason).toBe('the endpoint answered 410 Gone');
    expect((await delivery(h, id, ep)).state).toBe('failed');
    expect((await attemptsOf(h, id))[0]).toMatchObject({ statusCode: 410, errorClass: 'gone', nextAttemptAt: null });
    await waitFor(() => watched('endpoint.disabled').length === 1);
    expect(watched('endpoint.disabled')[0].data).toMatchObject({ endpointId: ep, reason: 'the endpoint answered 410 Gone' });
    expect(watched('message.attempt.exhausted')).toHaveLength(0);

    // Nothing more goes to it until someone enables it again.
    const later = await publishEvent(h, { type: 'order.created', data: {} });
    expect((await h.get(`/api/v1/messages/${later}`)).body.deliveries.map((d: { endpointId: string }) => d.endpointId)).not.toContain(ep);
    expect(receiver.requests).toHaveLength(1);
  });
});

describe('the circuit breaker', () => {
  beforeEach(() => setUp({ settings: { breaker: { windowMs: 60 * SECOND, buckets: 6, volumeThreshold: 5, errorThresholdPercentage: 50, resetMs: 30 * SECOND } } }));

  it('opens on a high failure rate, fails fast without connecting, probes once half-open, and closes on success', async () => {
    const ep = await endpoint(h, { url: `${receiver.url}/cb`, eventTypes: ['order.created'], maxConcurrency: 1 });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await publishEvent(h, { type: 'order.created', data: { i } }));
    await waitFor(async () => (await Promise.all(ids.map((id) => attemptsOf(h, id)))).every((a) => a.length === 1));
    expect(receiver.requests).toHaveLength(5);
    expect(h.outbound.breakerState(ep)).toBe('open');

    // Open: attempts are logged but never reach the endpoint.
    const more: string[] = [];
    for (let i = 0; i < 5; i++) more.push(await publishEvent(h, { type: 'order.created', data: { i: i + 5 } }));
    await waitFor(async () => (await Promise.all(more.map((id) => attemptsOf(h, id)))).every((a) => a.length === 1));
    expect(receiver.requests).toHaveLength(5);
    const fast = (await attemptsOf(h, more[0]!))[0]!;
    expect(fast).toMatchObject({ errorClass: 'circuit_open', statusCode: null, durationMs: 0 });
    expect(fast.nextAttemptAt).not.toBeNull();

    // After resetMs the circuit is half-open: one probe goes out; its success closes the circuit
    // and everything due follows it.
    receiver.respond = () => ({ status: 200 });
    h.clock.advance(30 * SECOND);
    expect(h.outbound.breakerState(ep)).toBe('half-open');
    await h.outbound.sweep();
    await waitFor(async () => (await Promise.all([...ids, ...more].map((id) => delivery(h, id, ep)))).every((d) => d.state === 'succeeded'), 10_000);
    expect(h.outbound.breakerState(ep)).toBe('closed');
    expect(receiver.requests).toHaveLength(15);
  });

  it('opens again when the half-open probe fails', async () => {
    const ep = await endpoint(h, { url: `${receiver.url}/cb2`, eventTypes: ['order.created'], maxConcurrency: 1 });
    for (let i = 0; i < 5; i++) await publishEvent(h, { type: 'order.created', data: { i } });
    await waitFor(() => h.outbound.breakerState(ep) === 'open');
    await waitFor(async () => (await attemptsOf(h, (await h.get('/api/v1/messages?limit=1')).body.data[0].id)).length === 1);
    h.clock.advance(30 * SECOND);
    await h.outbound.sweep();
    await waitFor(() => receiver.requests.length === 6);
    await waitFor(() => h.outbound.breakerState(ep) === 'open');
  });
});

describe('auto-disable', () => {
  beforeEach(() => setUp());

  it('disables an endpoint that only failed for 5 days and emits endpoint.disabled', async () => {
    const ep = await endpoint(h, { url: `${receiver.url}/dead`, eventTypes: ['order.created'], retryConfig: { backoffStrategy: 'explicit', schedule: [86_400, 86_400, 86_400, 86_400, 86_400, 86_400] } });
    const t0 = h.clock.now().getTime();
    const id = await publishEvent(h, { type: 'order.created', data: {} });
    await waitFor(async () => (await attemptsOf(h, id)).length === 1);
    for (let n = 2; n <= 5; n++) await nextAttempt(id, ep, n);
    // Four days of failures: still enabled.
    expect(h.clock.now().getTime() - t0).toBe(4 * DAY);
    expect((await h.get(`/api/v1/endpoints/${ep}`)).body.enabled).toBe(true);

    await nextAttempt(id, ep, 6);
    await waitFor(async () => !(await h.get(`/api/v1/endpoints/${ep}`)).body.enabled);
    const shown = (await h.get(`/api/v1/endpoints/${ep}`)).body;
    expect(shown.disabledReason).toBe(`only failures since ${new Date(t0).toISOString()}`);
    expect((await delivery(h, id, ep)).state).toBe('failed');
    await waitFor(() => watched('endpoint.disabled').length === 1);
    expect(watched('endpoint.disabled')[0].data).toMatchObject({ endpointId: ep, failingSince: new Date(t0).toISOString() });

    // Enabling it again starts a clean slate.
    expect((await h.patch(`/api/v1/endpoints/${ep}`, { enabled: true })).body).toMatchObject({ enabled: true, disabledReason: null });
  });

  it('restarts the streak after a success', async () => {
    const ep = await endpoint(h, { url: `${receiver.url}/flaky`, eventTypes: ['order.created'], retryConfig: { backoffStrategy: 'explicit', schedule: [86_400, 86_400, 86_400, 86_400, 86_400, 86_400] } });
    const id = await publishEvent(h, { type: 'order.created', data: {} });
    await waitFor(async () => (await attemptsOf(h, id)).length === 1);
    for (let n = 2; n <= 3; n++) await nextAttempt(id, ep, n);
    // Day 2: another message gets through.
    receiver.respond = (r) => (JSON.parse(r.body).data.ok ? { status: 200 } : { status: 500 });
    const ok = await publishEvent(h, { type: 'order.created', data: { ok: true } });
    await waitFor(async () => (await delivery(h, ok, ep)).state === 'succeeded');
    for (let n = 4; n <= 7; n++) await nextAttempt(id, ep, n);
    // Six days after the first failure, but only four since the success.
    expect((await h.get(`/api/v1/endpoints/${ep}`)).body.enabled).toBe(true);
  });
});
