/**
 * `/metrics` of a whole hub after a scripted run — an integration and a connection checked
 * (passing, then failing into an alert), an event delivered to an endpoint, an inbound webhook
 * ingested — lists every family, each moved, with process metrics prefixed once and no ids as labels.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, loadConfig, silentLogger } from '../../src/core/index.ts';
import { bootstrapOrganization } from '../../src/auth/index.ts';
import { createHub, type Hub } from '../../src/hub/index.ts';
import { operationsFor } from '../../src/hub/modules/alerts.ts';
import { healthChecks } from '../../src/alerts/index.ts';
import { startSimulator, type SimulatorHandle } from '../../simulators/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { bearer } from '../support/api.ts';
import { startReceiver, waitFor, type Receiver } from './support.ts';

let database: TestDatabase;
let hub: Hub;
let stripe: SimulatorHandle;
let receiver: Receiver;
let key: string;
const clock = new ManualClock(Date.now());

async function call(method: 'GET' | 'POST', url: string, payload?: unknown) {
  const res = await hub.app!.inject({ method, url, headers: bearer(key), ...(payload === undefined ? {} : { payload: payload as object }) });
  return { status: res.statusCode, body: res.body ? (JSON.parse(res.body) as Record<string, any>) : undefined };
}

async function check(times: number): Promise<void> {
  const ops = operationsFor(database)!;
  for (let i = 0; i < times; i++) {
    const before = (await database.db.select().from(healthChecks)).length;
    await ops.planChecks(); // a new connection gets its place in the interval first
    clock.advance(60_000);
    await ops.planChecks();
    await waitFor(async () => (await database.db.select().from(healthChecks)).length > before, 10_000, 'a health check');
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
  const seed = (await bootstrapOrganization(database.db, {
    organizationName: 'Acme',
    organizationSlug: 'acme',
    environments: ['dev'],
    ownerEmail: 'owner@acme.test',
    ownerName: 'Olive',
    ownerPassword: 'correct horse battery staple',
    keyEnvironment: 'dev',
    allowPrivateNetworksIn: ['dev'],
  }))!;
  key = seed.apiKey;
  const config = loadConfig({ PATCHBAY_DATA_DIR: database.dataDir, PORT: '0', HOST: '127.0.0.1', PUBLIC_URL: 'http://localhost:4000' });
  hub = await createHub({ config, database, clock, logger: silentLogger });
  await hub.start();
  [stripe, receiver] = await Promise.all([startSimulator('stripe'), startReceiver()]);
});
afterAll(async () => {
  await hub?.stop();
  await Promise.all([stripe?.close(), receiver?.close()]);
  await database?.drop();
});

describe('/metrics', () => {
  it('lists every family after a scripted run, each moved, prefixed once', async () => {
    expect((await call('POST', '/api/v1/integrations', { connectorKey: 'stripe', baseUrl: stripe.baseUrl })).status).toBe(201);
    expect((await call('POST', '/api/v1/connections', { integration: 'stripe', id: 'metrics-conn', endCustomerId: 'c', credentials: { apiKey: 'sk_test_patchbaysimulator0000000001' } })).status).toBe(201);
    await check(1);
    stripe.control.forceStatus(503);
    await check(3);
    stripe.control.clearForcedStatus();

    expect((await call('POST', '/api/v1/event-types', { name: 'order.created' })).status).toBe(201);
    expect((await call('POST', '/api/v1/endpoints', { url: `${receiver.url}/hooks`, eventTypes: ['order.created'] })).status).toBe(201);
    expect((await call('POST', '/api/v1/events', { type: 'order.created', data: { id: 1 } })).status).toBeLessThan(300);
    await waitFor(() => receiver.requests.length >= 1, 10_000, 'a delivery');

    const source = await call('POST', '/api/v1/sources', { name: 'generic', verification: { type: 'none' } });
    expect(source.status, JSON.stringify(source.body)).toBe(201);
    const ingested = await hub.app!.inject({ method: 'POST', url: `/webhooks/in/${source.body!.id}`, headers: { 'content-type': 'application/json' }, payload: { id: 'evt_1', type: 'thing.happened' } });
    expect(ingested.statusCode).toBeLessThan(300);

    const scrape = async () => (await hub.app!.inject({ method: 'GET', url: '/metrics' })).body;
    await waitFor(async () => /patchbay_outbound_attempts\{outcome="succeeded"\} [1-9]/.test(await scrape()), 10_000, 'the attempt in the log');
    const text = await scrape();
    expect(text).not.toContain('patchbay_process_process_');
    expect(text).toMatch(/^patchbay_process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^patchbay_nodejs_heap_size_used_bytes \d/m);

    const moved: [string, RegExp][] = [
      ['HTTP by route and status class', /^patchbay_http_requests_total\{method="POST",route="\/api\/v1\/connections",status_class="2xx"\} [1-9]/m],
      ['HTTP latency', /^patchbay_http_request_duration_seconds_count\{method="GET",route="\/metrics"\} [1-9]/m],
      ['queue depth', /^# TYPE patchbay_queue_jobs gauge/m],
      ['queue oldest job age', /^# TYPE patchbay_queue_oldest_job_age_seconds gauge/m],
      ['job outcomes', /^patchbay_jobs_total\{type="health\.check",outcome="completed"\} [1-9]/m],
      ['outbound deliveries by state', /^patchbay_outbound_deliveries\{state="[a-z_]+"\} [1-9]/m],
      ['outbound attempts', /^patchbay_outbound_attempts\{outcome="succeeded"\} [1-9]/m],
      ['outbound attempt latency', /^patchbay_outbound_attempt_duration_seconds_count\{outcome="succeeded",status_class="2xx"\} [1-9]/m],
      ['provider quota used', /^# TYPE patchbay_provider_quota_used_ratio gauge/m],
      ['outbound retries', /^patchbay_outbound_retries \d/m],
      ['endpoints disabled', /^patchbay_outbound_endpoints_disabled 0/m],
      ['inbound events by status', /^patchbay_inbound_events\{status="[a-z_]+"\} [1-9]/m],
      ['sync runs', /^# TYPE patchbay_sync_runs gauge/m],
      ['records written', /^patchbay_sync_records_written \d/m],
      ['provider calls', /^patchbay_provider_requests_total\{provider="stripe",method="GET",outcome="5xx"\} [3-9]/m],
      ['provider latency', /^patchbay_provider_request_duration_seconds_count\{provider="stripe"\} [4-9]/m],
      ['health checks by outcome', /^patchbay_health_checks_total\{outcome="failure"\} 3/m],
      ['health check latency', /^patchbay_health_check_duration_seconds_count [4-9]/m],
      ['alerts open by severity', /^patchbay_alerts_open\{severity="critical"\} 1/m],
      ['connections by status', /^patchbay_connections\{status="error"\} 1/m],
    ];
    for (const [family, pattern] of moved) expect(text, family).toMatch(pattern);
    // No ids as labels: no connection, endpoint, source or job id appears in any sample.
    expect(text).not.toMatch(/(conn|ep|src|job|msg|evt)_[0-9a-z]{20,}/);
    expect(text).not.toContain('metrics-conn');
  });
});
