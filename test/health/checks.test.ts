/**
 * Health checks: where each connection's checks fall in the interval, one job per check, what
 * counts as a failure (5xx, timeout, refused connection) and what does not (429, which waits for
 * Retry-After), per-integration settings, retention, and the health API with its statistics.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { rows } from '../../src/db/index.ts';
import { healthChecks, healthStates, planHealthChecks, pruneHealthChecks, runHealthCheck, HEALTH_DEFAULTS } from '../../src/alerts/index.ts';
import { newId, silentLogger } from '../../src/core/index.ts';
import { connectionResolver } from '../../src/hub/connection-resolver.ts';
import { providerContext } from '../../src/syncs/index.ts';
import { startSimulator, type SimulatorHandle } from '../../simulators/index.ts';
import { opsHarness, type OpsHarness } from '../alerts/support.ts';

const STRIPE_KEY = 'sk_test_patchbaysimulator0000000001';
let h: OpsHarness;
let stripe: SimulatorHandle;
let integrationId: string;
let closedPort: number;

async function connect(id: string, integration = 'stripe') {
  const res = await h.call('POST', '/api/v1/connections', { integration, id, endCustomerId: `cust-${id}`, credentials: { apiKey: STRIPE_KEY } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}
const stateOf = async (id: string) => (await h.api.database.db.select().from(healthStates).where(eq(healthStates.connectionId, id)))[0]!;
const statusOf = async (id: string) => (await h.call('GET', `/api/v1/connections/${id}`)).body.status as string;

beforeAll(async () => {
  h = await opsHarness();
  stripe = await startSimulator('stripe');
  const res = await h.call('POST', '/api/v1/integrations', { connectorKey: 'stripe', baseUrl: stripe.baseUrl });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  integrationId = res.body.id;
  closedPort = await new Promise<number>((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
});
afterAll(async () => {
  await h.close();
  await stripe.close();
});

describe('planning', () => {
  it('spreads first checks over the interval by connection instead of running them all at once', async () => {
    for (let i = 0; i < 8; i++) await connect(`spread-${i}`);
    const start = h.clock.now().getTime();
    await h.ops.planChecks();
    const offsets = await Promise.all(Array.from({ length: 8 }, async (_, i) => (await stateOf(`spread-${i}`)).nextCheckAt.getTime() - start));
    for (const offset of offsets) {
      expect(offset).toBeGreaterThanOrEqual(0);
      expect(offset).toBeLessThan(60_000);
    }
    expect(new Set(offsets.map((o) => Math.floor(o / 1000))).size).toBeGreaterThanOrEqual(5);
    for (let i = 0; i < 8; i++) expect((await h.call('DELETE', `/api/v1/connections/spread-${i}`)).status).toBeLessThan(300);
  });

  it('keeps one pending check job per connection however often and by however many planners it is planned', async () => {
    const other = await opsHarness({ startQueue: false });
    try {
      const res = await other.call('POST', '/api/v1/integrations', { connectorKey: 'stripe', baseUrl: stripe.baseUrl });
      expect(res.status).toBe(201);
      for (const id of ['dup-1', 'dup-2', 'dup-3']) {
        const made = await other.call('POST', '/api/v1/connections', { integration: 'stripe', id, endCustomerId: 'c', credentials: { apiKey: STRIPE_KEY } });
        expect(made.status).toBe(201);
      }
      const db = other.api.database.db;
      await planHealthChecks(db, other.clock, HEALTH_DEFAULTS);
      other.clock.advance(60_000);
      const planned = await Promise.all([1, 2, 3, 4].map(() => planHealthChecks(db, other.clock, HEALTH_DEFAULTS)));
      expect(planned).toEqual([3, 3, 3, 3]);
      const jobs = await rows<{ key: string; n: number }>(db, sql`select key, count(*)::int as n from jobs where type = 'health.check' group by key order by key`);
      expect(jobs.map((j) => j.n)).toEqual([1, 1, 1]);
      expect(jobs.map((j) => j.key)).toEqual([`health:${other.devId}:dup-1`, `health:${other.devId}:dup-2`, `health:${other.devId}:dup-3`]);
    } finally {
      await other.close();
    }
  }, 120_000);
});

describe('running a check', () => {
  it('runs one check for a slot however many jobs for it run at once', async () => {
    await connect('race');
    await h.nextCheck('race');
    const state = await stateOf('race');
    h.clock.set(new Date(state.nextCheckAt.getTime() + 1));
    const payload = { connectionId: 'race', dueAt: state.nextCheckAt.toISOString() };
    const before = (await h.checks('race')).length;
    const results = await Promise.all([1, 2, 3].map(() => runHealthCheck(h.ops.health, { organizationId: h.api.seed.organization.id, environmentId: h.devId }, payload)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await h.checks('race')).length).toBe(before + 1);
  });
});

describe('what a check finds', () => {
  it('counts a 5xx, a timeout and a refused connection as failures, each with its class', async () => {
    await connect('fails');
    expect((await h.nextCheck('fails')).outcome).toBe('ok');
    // Other connections' checks may fall due meanwhile: the fault holds until cleared.
    stripe.control.forceStatus(502);
    expect(await h.nextCheck('fails')).toMatchObject({ outcome: 'failure', errorClass: 'provider_error', statusCode: 502 });
    stripe.control.clearForcedStatus();
    const patched = await h.call('PATCH', `/api/v1/integrations/${integrationId}/health`, { timeoutMs: 200 });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    stripe.control.setDelay(1_500);
    try {
      expect(await h.nextCheck('fails')).toMatchObject({ outcome: 'failure', errorClass: 'timeout' });
    } finally {
      stripe.control.setDelay(0);
      await h.call('PATCH', `/api/v1/integrations/${integrationId}/health`, { timeoutMs: null });
    }
    expect((await stateOf('fails')).consecutiveFailures).toBe(2);
    expect(await statusOf('fails')).toBe('connected');
    expect((await h.nextCheck('fails')).outcome).toBe('ok');
    expect((await stateOf('fails')).consecutiveFailures).toBe(0);

    const closed = await h.call('POST', '/api/v1/integrations', { connectorKey: 'stripe', key: 'stripe-closed', baseUrl: stripe.baseUrl });
    expect(closed.status).toBe(201);
    await connect('refused', 'stripe-closed');
    // The provider moves away: nothing listens at the integration's address any more.
    const moved = await h.call('PATCH', `/api/v1/integrations/${closed.body.id}`, { baseUrl: `http://127.0.0.1:${closedPort}` });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    const check = await h.nextCheck('refused');
    expect(check).toMatchObject({ outcome: 'failure', errorClass: 'connection_refused', statusCode: null });
  });

  it('waits out a 429 for its Retry-After without counting it as a failure', async () => {
    await connect('limited');
    await h.nextCheck('limited');
    stripe.control.forceStatus(429, { retryAfterSeconds: 300 });
    const check = await h.nextCheck('limited');
    stripe.control.clearForcedStatus();
    expect(check).toMatchObject({ outcome: 'rate_limited', errorClass: 'rate_limited', statusCode: 429 });
    const state = await stateOf('limited');
    expect(state.consecutiveFailures).toBe(0);
    expect(state.nextCheckAt.getTime() - check.checkedAt.getTime()).toBeGreaterThanOrEqual(300_000);
    expect(await statusOf('limited')).toBe('connected');
  });

  it("is not sent when the connection's rate limit has no room left, and is neither a failure nor past the limit", async () => {
    const limited = await h.call('POST', '/api/v1/integrations', { connectorKey: 'stripe', key: 'stripe-limited', baseUrl: stripe.baseUrl, settings: { rateLimit: '2/minute' } });
    expect(limited.status, JSON.stringify(limited.body)).toBe(201);
    await connect('budget', 'stripe-limited');
    // The connection's own traffic uses the limit up: two calls in the window through the proxy the
    // checks use (in a hub, the one proxy the proxy route and syncs use too).
    const scope = { organizationId: h.api.seed.organization.id, environmentId: h.devId };
    const resolved = await connectionResolver({ db: h.api.database.db, vault: h.api.vault, clock: h.clock, logger: silentLogger }).resolve(scope, 'budget');
    const own = providerContext(h.ops.health.proxy, resolved!, { logger: silentLogger });
    for (let i = 0; i < 2; i++) expect((await own.http.request({ path: '/v1/account' })).status).toBe(200);
    const sent = () => stripe.control.requests.filter((r) => r.path === '/v1/account').length;
    const before = sent();
    const check = await h.nextCheck('budget');
    expect(check).toMatchObject({ outcome: 'rate_limited', errorClass: 'rate_limited', statusCode: null });
    expect(check.message).toMatch(/rate limit \(2 requests per 60 s\) leaves no room/);
    expect(sent(), 'the check sent nothing to the provider').toBe(before);
    const state = await stateOf('budget');
    expect(state.consecutiveFailures).toBe(0);
    expect(state.nextCheckAt.getTime(), 'the next check waits for room').toBeGreaterThan(check.checkedAt.getTime());
    expect(await statusOf('budget')).toBe('connected');
  });

  it('checks at the interval an integration sets for itself', async () => {
    await connect('slow');
    await h.nextCheck('slow');
    const res = await h.call('PATCH', `/api/v1/integrations/${integrationId}/health`, { intervalSeconds: 300 });
    expect(res.body.settings).toMatchObject({ intervalSeconds: 300, timeoutMs: 5_000, failureThreshold: 3 });
    const before = (await stateOf('slow')).nextCheckAt.getTime();
    const check = await h.nextCheck('slow');
    expect((await stateOf('slow')).nextCheckAt.getTime() - before).toBe(300_000);
    expect(check.outcome).toBe('ok');
    await h.call('PATCH', `/api/v1/integrations/${integrationId}/health`, { intervalSeconds: null });
  });
});

describe('history', () => {
  it('deletes checks older than the retention and keeps newer ones', async () => {
    const now = h.clock.now();
    const [conn] = await rows<{ organization_id: string; environment_id: string; integration_id: string }>(h.api.database.db, sql`select organization_id, environment_id, integration_id from connections where id = 'slow'`);
    const old = { id: newId('hc'), organizationId: conn!.organization_id, environmentId: conn!.environment_id, connectionId: 'slow', integrationId: conn!.integration_id, checkedAt: new Date(now.getTime() - 31 * 86_400_000), latencyMs: 5, outcome: 'ok' as const };
    await h.api.database.db.insert(healthChecks).values(old);
    const before = (await h.checks('slow')).length;
    expect(await pruneHealthChecks(h.api.database.db, now, 30)).toBe(1);
    expect((await h.checks('slow')).length).toBe(before - 1);
  });

  it('answers a connection’s health with percentiles, error rate and availability per window', async () => {
    const res = await h.call('GET', '/api/v1/connections/fails/health', undefined, h.api.keys.viewer);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ connectionId: 'fails', status: 'connected', consecutiveFailures: 0 });
    // Other checks of this connection may have run while the clock moved for others: count what is stored.
    const stored = (await h.checks('fails')).filter((c) => c.outcome !== 'rate_limited' && c.checkedAt.getTime() > h.clock.now().getTime() - 3_600_000);
    const failures = stored.filter((c) => c.outcome !== 'ok').length;
    expect(failures).toBeGreaterThanOrEqual(2);
    const latencies = stored.map((c) => c.latencyMs).sort((a, b) => a - b);
    const hour = res.body.windows['1h'];
    expect(hour).toMatchObject({ checks: stored.length, failures, healthy: false });
    expect(hour.errorRate).toBeCloseTo(failures / stored.length, 6);
    expect(hour.availability).toBeCloseTo(1 - failures / stored.length, 6);
    expect(hour.p50Ms).toBeGreaterThanOrEqual(latencies[0]!);
    expect(hour.p99Ms).toBeLessThanOrEqual(latencies.at(-1)!);
    expect(hour.p99Ms).toBeGreaterThanOrEqual(hour.p95Ms);
    expect(res.body.recent[0]).toHaveProperty('checkedAt');

    const integration = await h.call('GET', `/api/v1/integrations/${integrationId}/health`, undefined, h.api.keys.viewer);
    expect(integration.status).toBe(200);
    expect(integration.body.settings).toEqual({ enabled: true, intervalSeconds: 60, timeoutMs: 5_000, failureThreshold: 3, thresholds: { p95Ms: 500, errorRate: 0.01, availability: 0.999 } });
    expect(integration.body.windows['24h'].checks).toBeGreaterThan(hour.checks);
    expect(integration.body.windows['24h'].failures).toBeGreaterThanOrEqual(failures);
  });

  it('lets viewers read health but only admins change its settings, and names unknown ids', async () => {
    expect((await h.call('PATCH', `/api/v1/integrations/${integrationId}/health`, { intervalSeconds: 120 }, h.api.keys.developer)).status).toBe(403);
    const bad = await h.call('PATCH', `/api/v1/integrations/${integrationId}/health`, { intervalSeconds: 1 });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.errors)).toContain('intervalSeconds');
    expect((await h.call('GET', '/api/v1/connections/nope/health')).status).toBe(404);
    expect((await h.call('GET', '/api/v1/integrations/int_0000000000000000000000/health')).status).toBe(404);
  });
});
