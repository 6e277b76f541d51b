import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { Redis } from 'ioredis';
import { ManualClock } from '../../src/core/index.ts';
import { createProviderProxy, ProviderRequestError, type ConnectionClientOptions, type ProviderProxy } from '../../src/proxy/index.ts';
import { startSimulator, type SimulatorHandle } from '../../simulators/index.ts';
import { captureLogs } from '../support/logs.ts';

const KEY = 'sk_test_patchbaysimulator0000000001';

/** A sleep that does not wait: it moves the clock and remembers what it was asked. */
function fakeTime() {
  const clock = new ManualClock();
  const sleeps: number[] = [];
  return {
    clock,
    sleeps,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      clock.advance(ms);
    },
  };
}

let stripe: SimulatorHandle;
const proxies: ProviderProxy[] = [];

beforeAll(async () => {
  stripe = await startSimulator('stripe');
});
afterAll(async () => {
  await stripe.close();
});
afterEach(async () => {
  stripe.control.reset();
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});

function proxyWith(options: Parameters<typeof createProviderProxy>[0] = {}): ProviderProxy {
  const proxy = createProviderProxy({ random: () => 0.5, ...options });
  proxies.push(proxy);
  return proxy;
}

function stripeClient(proxy: ProviderProxy, extra: Partial<ConnectionClientOptions> = {}) {
  return proxy.client({
    provider: 'stripe',
    limitKey: `stripe:${Math.random()}`,
    baseUrl: stripe.baseUrl,
    auth: { type: 'header', name: 'authorization', value: `Bearer ${KEY}` },
    allowPrivateNetworks: true,
    ...extra,
  });
}

describe('retries', () => {
  it('rides out a 429 storm without sending anything before Retry-After', async () => {
    stripe.control.forceStatus(429, { times: 6, retryAfterSeconds: 1 });
    const http = stripeClient(proxyWith(), { retryAttempts: 5 });
    // Three callers share the provider and credential; each 429 holds them all.
    const limitKey = 'stripe:shared';
    const shared = stripeClient(proxyWith(), { retryAttempts: 5, limitKey });
    const results = await Promise.all([http.request({ path: '/v1/account' }), shared.request({ path: '/v1/account' }), shared.request({ path: '/v1/account' })]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);

    const requests = stripe.control.requests;
    expect(requests).toHaveLength(9);
    // Every request after the first wave came at least a second after a 429 was answered.
    const firstWave = requests.slice(0, 3).map((r) => r.at);
    for (const later of requests.slice(3)) expect(later.at - Math.min(...firstWave)).toBeGreaterThanOrEqual(990);
    const secondWave = requests.slice(3, 6).map((r) => r.at);
    for (const later of requests.slice(6)) expect(later.at - Math.min(...secondWave)).toBeGreaterThanOrEqual(990);
  }, 20_000);

  it('waits 1, 2, 4 s (with jitter) between retries of a GET that keeps failing, and no longer than retryAttempts', async () => {
    const time = fakeTime();
    stripe.control.forceStatus(503);
    const http = stripeClient(proxyWith({ sleep: time.sleep, clock: time.clock, random: () => 1 }), { retryAttempts: 3 });
    const res = await http.request({ path: '/v1/account' });
    expect(res.status).toBe(503);
    expect(stripe.control.requests).toHaveLength(4);
    expect(time.sleeps).toEqual([1200, 2400, 4800]);
  });

  it('waits for Retry-After when it is longer than the backoff', async () => {
    const time = fakeTime();
    stripe.control.forceStatus(429, { times: 1, retryAfterSeconds: 30 });
    const http = stripeClient(proxyWith({ sleep: time.sleep, clock: time.clock }));
    expect((await http.request({ path: '/v1/account' })).status).toBe(200);
    expect(time.sleeps).toEqual([30_000]);
  });

  it('gives a 429 back at once when Retry-After is beyond what a request may wait', async () => {
    const time = fakeTime();
    stripe.control.forceStatus(429, { times: 1, retryAfterSeconds: 3600 });
    const http = stripeClient(proxyWith({ sleep: time.sleep, clock: time.clock }));
    expect((await http.request({ path: '/v1/account' })).status).toBe(429);
    expect(stripe.control.requests).toHaveLength(1);
  });

  it('does not send a POST twice after a 503', async () => {
    const time = fakeTime();
    stripe.control.forceStatus(503, { times: 1 });
    const http = stripeClient(proxyWith({ sleep: time.sleep, clock: time.clock }));
    const res = await http.request({ method: 'POST', path: '/v1/customers', body: { name: 'Once' } });
    expect(res.status).toBe(503);
    expect(stripe.control.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(time.sleeps).toEqual([]);
  });

  it('sends a POST again after a 503 when it carries an Idempotency-Key', async () => {
    const time = fakeTime();
    stripe.control.forceStatus(503, { times: 1 });
    const http = stripeClient(proxyWith({ sleep: time.sleep, clock: time.clock }));
    const res = await http.request({ method: 'POST', path: '/v1/customers', headers: { 'Idempotency-Key': 'k-1' }, body: { name: 'Twice' } });
    expect(res.status).toBe(200);
    expect(stripe.control.requests.filter((r) => r.method === 'POST')).toHaveLength(2);
  });

  it('sends a POST again after a 429: the provider refused it', async () => {
    const time = fakeTime();
    stripe.control.forceStatus(429, { times: 1, retryAfterSeconds: 2 });
    const http = stripeClient(proxyWith({ sleep: time.sleep, clock: time.clock }));
    expect((await http.request({ method: 'POST', path: '/v1/customers', body: { name: 'Later' } })).status).toBe(200);
    expect(stripe.control.requests).toHaveLength(2);
  });

  it('does not send a POST again after a timeout, but does a GET', async () => {
    const time = fakeTime();
    stripe.control.setDelay(300);
    const proxy = proxyWith({ sleep: time.sleep, clock: time.clock });
    const http = stripeClient(proxy, { timeoutMs: 50, retryAttempts: 2 });
    await expect(http.request({ method: 'POST', path: '/v1/customers', body: {} })).rejects.toMatchObject({ kind: 'timeout' });
    expect(time.sleeps).toEqual([]);
    await expect(http.request({ path: '/v1/account' })).rejects.toMatchObject({ kind: 'timeout' });
    expect(time.sleeps).toHaveLength(2);
  });

  it('sends a POST again when the connection never reached the provider', async () => {
    const time = fakeTime();
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const attempts: string[] = [];
    const client = stripeClient(proxyWith({ sleep: time.sleep, clock: time.clock }), {
      baseUrl: `http://127.0.0.1:${port}`,
      onAttempt: (a) => attempts.push(a.failure ?? String(a.status)),
    });
    const error = await client.request({ method: 'POST', path: '/v1/customers', body: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderRequestError);
    expect((error as ProviderRequestError).reachedProvider).toBe(false);
    expect(attempts).toEqual(['refused', 'refused', 'refused', 'refused']);
  });
});

describe('rate limits', () => {
  it('spreads requests over the provider limit instead of waiting for a 429', async () => {
    const http = stripeClient(proxyWith(), { rateLimit: { limit: 5, windowMs: 1000 } });
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 11 }, () => http.request({ path: '/v1/account' })));
    expect(results.every((r) => r.status === 200)).toBe(true);
    // 11 requests at 5 per second need a third window.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    const times = stripe.control.requests.map((r) => r.at).sort((a, b) => a - b);
    for (let i = 5; i < times.length; i++) expect(times[i]! - times[i - 5]!).toBeGreaterThan(0);
  }, 15_000);

  it('holds every caller when a provider says its window is spent (X-HubSpot-RateLimit-Remaining: 0)', async () => {
    const time = fakeTime();
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-hubspot-ratelimit-remaining': '0', 'x-hubspot-ratelimit-interval-milliseconds': '10000' });
      res.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const client = stripeClient(proxyWith({ sleep: time.sleep, clock: time.clock }), { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, limitKey: 'hs' });
      await client.request({ path: '/a' });
      await client.request({ path: '/b' });
      expect(time.sleeps).toEqual([10_000]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  describe.runIf(process.env.REDIS_URL)('in Redis', () => {
    it('shares the limit between two proxies (two processes)', async () => {
      const redis = new Redis(process.env.REDIS_URL!);
      try {
        const limitKey = `stripe:redis:${Date.now()}`;
        const one = stripeClient(proxyWith({ redis }), { limitKey, rateLimit: { limit: 4, windowMs: 1000 } });
        const two = stripeClient(proxyWith({ redis }), { limitKey, rateLimit: { limit: 4, windowMs: 1000 } });
        const started = Date.now();
        await Promise.all(Array.from({ length: 5 }, (_, i) => (i % 2 ? one : two).request({ path: '/v1/account' })));
        expect(Date.now() - started).toBeGreaterThanOrEqual(500);
      } finally {
        redis.disconnect();
      }
    });
  });
});

describe('circuit breaker', () => {
  it('stops calling a host that keeps failing, then tries it again', async () => {
    stripe.control.forceStatus(500);
    const http = stripeClient(proxyWith({ breaker: { volumeThreshold: 4, resetMs: 200 } }), { retryAttempts: 0 });
    for (let i = 0; i < 4; i++) expect((await http.request({ path: '/v1/account' })).status).toBe(500);
    await expect(http.request({ path: '/v1/account' })).rejects.toMatchObject({ kind: 'circuit-open' });
    expect(stripe.control.requests).toHaveLength(4);
    stripe.control.clearForcedStatus();
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect((await http.request({ path: '/v1/account' })).status).toBe(200);
  });
});

describe('guards, logs and metrics', () => {
  it('refuses private addresses unless the environment allows them, without retrying', async () => {
    const attempts: unknown[] = [];
    const http = stripeClient(proxyWith(), { allowPrivateNetworks: false, onAttempt: (a) => attempts.push(a) });
    const error = (await http.request({ path: '/v1/account' }).catch((e: unknown) => e)) as ProviderRequestError;
    expect(error).toBeInstanceOf(ProviderRequestError);
    expect(error.message).toMatch(/loopback/);
    expect(attempts).toHaveLength(1);
    expect(stripe.control.requests).toHaveLength(0);
  });

  it('never sends the credential to another host', async () => {
    const http = stripeClient(proxyWith());
    await expect(http.request({ path: 'https://evil.example/v1/account' })).rejects.toThrow(/outside the connection's base URL/);
    expect((await http.request({ path: `${stripe.baseUrl}/v1/account` })).status).toBe(200);
  });

  it('hands the answer it returns to the caller’s report instead of a line of its own, and still logs a retried one', async () => {
    const logs = captureLogs();
    const http = stripeClient(proxyWith(), { logger: logs.logger });
    stripe.control.forceStatus(502, { times: 1 });
    const reports: unknown[] = [];
    const response = await http.request({ path: '/v1/account', query: { expand: 'x' }, report: (call) => reports.push(call) });
    expect(response.status).toBe(200);
    expect(reports).toEqual([{ provider: 'stripe', url: `${stripe.baseUrl}/v1/account`, status: 200, attempts: 2, durationMs: expect.any(Number) }]);
    expect(logs.lines().filter((l) => l.msg === 'provider call').map((l) => [l.status, l.attempt, l.willRetry])).toEqual([[502, 1, true]]);
  });

  it('logs every call with its correlation id and no credential, and counts it', async () => {
    const logs = captureLogs();
    const registry = new Registry();
    const http = stripeClient(proxyWith({ registry }), { logger: logs.logger, correlationId: 'req_corr1' });
    stripe.control.forceStatus(502, { times: 1 });
    await http.request({ path: '/v1/account', query: { expand: 'x' } });
    const lines = logs.lines().filter((l) => l.msg === 'provider call');
    expect(lines).toHaveLength(2);
    expect(lines.map((l) => [l.correlationId, l.status, l.attempt])).toEqual([
      ['req_corr1', 502, 1],
      ['req_corr1', 200, 2],
    ]);
    expect(logs.text()).not.toContain(KEY);
    expect(logs.text()).not.toContain('expand');
    const text = await registry.metrics();
    expect(text).toMatch(/patchbay_provider_requests_total\{provider="stripe",method="GET",outcome="5xx"\} 1/);
    expect(text).toMatch(/patchbay_provider_requests_total\{provider="stripe",method="GET",outcome="2xx"\} 1/);
    expect(text).toMatch(/patchbay_provider_retries_total\{provider="stripe",reason="server_error"\} 1/);
  });
});
