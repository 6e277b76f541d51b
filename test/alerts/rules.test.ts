/**
 * The periodic evaluation: each rule finds its causes in the environment's own data, opens one
 * alert per cause and resolves it when the cause clears; a rule turned off resolves its alerts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, ne, sql } from 'drizzle-orm';
import { newId } from '../../src/core/index.ts';
import { enqueue } from '../../src/queue/index.ts';
import { rows } from '../../src/db/index.ts';
import { setConnectionStatus } from '../../src/connections/index.ts';
import { alerts } from '../../src/alerts/index.ts';
import { startSimulator, type SimulatorHandle } from '../../simulators/index.ts';
import { opsHarness, startReceiver, type OpsHarness, type Receiver } from './support.ts';

let h: OpsHarness;
let stripe: SimulatorHandle;
let receiver: Receiver;
const scope = () => ({ organizationId: h.api.seed.organization.id, environmentId: h.devId });
const unresolved = async (rule: string) =>
  h.api.database.db.select().from(alerts).where(and(eq(alerts.environmentId, h.devId), eq(alerts.rule, rule), ne(alerts.status, 'resolved')));

beforeAll(async () => {
  h = await opsHarness({ startQueue: false });
  stripe = await startSimulator('stripe');
  receiver = await startReceiver();
  expect((await h.call('POST', '/api/v1/integrations', { connectorKey: 'stripe', baseUrl: stripe.baseUrl })).status).toBe(201);
  const made = await h.call('POST', '/api/v1/connections', { integration: 'stripe', id: 'rules-conn', endCustomerId: 'c', credentials: { apiKey: 'sk_test_patchbaysimulator0000000001' } });
  expect(made.status).toBe(201);
});
afterAll(async () => {
  await h.close();
  await stripe.close();
  await receiver.close();
});

describe('evaluating rules', () => {
  it('opens dead_jobs above its threshold and resolves it when the failed jobs are gone', async () => {
    await h.call('PATCH', '/api/v1/alert-rules/dead_jobs', { params: { above: 2 } });
    const db = h.api.database.db;
    for (let i = 0; i < 3; i++) {
      const job = await enqueue(db, { type: 'test.dead', payload: {}, ...scope() });
      await db.execute(sql`update jobs set state = 'failed', last_error = 'boom' where id = ${job.id}`);
    }
    expect(await h.ops.evaluate()).toMatchObject({ opened: 1 });
    const [open] = await unresolved('dead_jobs');
    expect(open).toMatchObject({ dedupKey: `dead_jobs:${h.devId}`, title: '3 background jobs failed', severity: 'warning' });
    expect(await h.ops.evaluate()).toEqual({ opened: 0, resolved: 0 });
    await db.execute(sql`delete from jobs where type = 'test.dead'`);
    expect(await h.ops.evaluate()).toMatchObject({ resolved: 1 });
    expect(await unresolved('dead_jobs')).toHaveLength(0);
  });

  it('alerts on an endpoint disabled by delivery failures, not one a user disabled, until it is enabled again', async () => {
    const auto = await h.call('POST', '/api/v1/endpoints', { url: `${receiver.url}/a` });
    const manual = await h.call('POST', '/api/v1/endpoints', { url: `${receiver.url}/b`, enabled: false });
    expect(auto.status).toBe(201);
    await h.api.database.db.execute(sql`update outbound_endpoints set enabled = false, disabled_reason = 'the endpoint answered 410 Gone', disabled_at = now() where id = ${auto.body.id}`);
    await h.ops.evaluate();
    const open = await unresolved('endpoint_disabled');
    expect(open.map((a) => a.subjectId)).toEqual([auto.body.id]);
    expect(open[0]!.message).toContain('410 Gone');
    expect(manual.body.enabled).toBe(false);
    expect((await h.call('PATCH', `/api/v1/endpoints/${auto.body.id}`, { enabled: true })).status).toBe(200);
    await h.ops.evaluate();
    expect(await unresolved('endpoint_disabled')).toHaveLength(0);
  });

  it('alerts critically on a failed token refresh and resolves when the connection works again', async () => {
    await setConnectionStatus(h.api.database.db, scope(), 'rules-conn', { status: 'error', reason: 'refresh_failed', message: 'invalid_grant' }, { clock: h.clock });
    await h.ops.evaluate();
    const [open] = await unresolved('token_refresh_failed');
    expect(open).toMatchObject({ severity: 'critical', subjectId: 'rules-conn', message: 'invalid_grant' });
    await setConnectionStatus(h.api.database.db, scope(), 'rules-conn', { status: 'connected', credentialsVerified: true }, { clock: h.clock });
    await h.ops.evaluate();
    expect(await unresolved('token_refresh_failed')).toHaveLength(0);
  });

  it('alerts on a sync whose last N runs failed, and not before the Nth', async () => {
    const db = h.api.database.db;
    const { organizationId, environmentId } = scope();
    const syncId = newId('sync');
    await db.execute(sql`insert into syncs (id, organization_id, environment_id, connection_id, model, last_status) values (${syncId}, ${organizationId}, ${environmentId}, 'rules-conn', 'customers', 'failed')`);
    const run = async (status: string) =>
      db.execute(sql`insert into sync_runs (id, organization_id, environment_id, sync_id, connection_id, model, status, trigger, "full") values (${newId('run')}, ${organizationId}, ${environmentId}, ${syncId}, 'rules-conn', 'customers', ${status}, 'schedule', false)`);
    await run('succeeded');
    await run('failed');
    await run('failed');
    await h.ops.evaluate();
    expect(await unresolved('sync_failed')).toHaveLength(0);
    await run('failed');
    await h.ops.evaluate();
    const [open] = await unresolved('sync_failed');
    expect(open).toMatchObject({ dedupKey: `sync_failed:${syncId}`, subjectId: 'rules-conn', title: 'Sync customers of rules-conn failed 3 times in a row' });
    await run('succeeded');
    await db.execute(sql`update syncs set last_status = 'succeeded' where id = ${syncId}`);
    await h.ops.evaluate();
    expect(await unresolved('sync_failed')).toHaveLength(0);
  });

  it('resolves the alerts of a rule that is turned off, and opens none for it', async () => {
    await setConnectionStatus(h.api.database.db, scope(), 'rules-conn', { status: 'error', reason: 'refresh_failed', message: 'invalid_grant' }, { clock: h.clock });
    await h.ops.evaluate();
    expect(await unresolved('token_refresh_failed')).toHaveLength(1);
    await h.call('PATCH', '/api/v1/alert-rules/token_refresh_failed', { enabled: false });
    await h.ops.evaluate();
    expect(await unresolved('token_refresh_failed')).toHaveLength(0);
    const resolved = await h.api.database.db.select().from(alerts).where(eq(alerts.rule, 'token_refresh_failed'));
    expect(resolved.every((a) => a.status === 'resolved')).toBe(true);
    await h.ops.evaluate();
    expect(await unresolved('token_refresh_failed')).toHaveLength(0);
  });
});

describe('rules over measurements', () => {
  /** Records `n` health checks of rules-conn over the last minutes, as the checker writes them. */
  async function recordChecks(n: number, check: { latencyMs: number; outcome: 'ok' | 'failure' }): Promise<void> {
    const db = h.api.database.db;
    const [conn] = await rows<{ integration_id: string }>(db, sql`select integration_id from connections where id = 'rules-conn'`);
    for (let i = 0; i < n; i++) {
      const at = new Date(h.clock.now().getTime() - (i + 1) * 60_000).toISOString();
      await db.execute(sql`insert into health_checks (id, organization_id, environment_id, connection_id, integration_id, checked_at, latency_ms, outcome, error_class, message)
        values (${newId('hck')}, ${scope().organizationId}, ${h.devId}, 'rules-conn', ${conn!.integration_id}, ${at}::timestamptz, ${check.latencyMs}, ${check.outcome},
                ${check.outcome === 'ok' ? null : 'provider_error'}, ${check.outcome === 'ok' ? null : 'HTTP 503'})`);
    }
  }

  it('opens health_thresholds for a connected connection whose p95 breaches its threshold, and resolves it once the window has moved past', async () => {
    await setConnectionStatus(h.api.database.db, scope(), 'rules-conn', { status: 'connected', credentialsVerified: true }, { clock: h.clock });
    // Checks count from the connection's last status change on.
    h.clock.advance(10 * 60_000);
    await recordChecks(4, { latencyMs: 900, outcome: 'ok' });
    await h.ops.evaluate();
    expect(await unresolved('health_thresholds'), 'four checks are too few to judge').toHaveLength(0);
    await recordChecks(2, { latencyMs: 950, outcome: 'ok' });
    await h.ops.evaluate();
    const [open] = await unresolved('health_thresholds');
    expect(open).toMatchObject({ dedupKey: 'health_thresholds:rules-conn', severity: 'warning', subjectType: 'connection', subjectId: 'rules-conn' });
    expect(open!.message).toContain('p95 response time 950 ms (threshold below 500 ms)');
    expect(open!.message).not.toContain('error rate');
    h.clock.advance(61 * 60_000);
    await h.ops.evaluate();
    expect(await unresolved('health_thresholds')).toHaveLength(0);
  });

  it('judges error rate and availability too, and leaves a connection in error to connection_unhealthy', async () => {
    await recordChecks(9, { latencyMs: 40, outcome: 'ok' });
    await recordChecks(1, { latencyMs: 40, outcome: 'failure' });
    await h.ops.evaluate();
    const [open] = await unresolved('health_thresholds');
    expect(open!.message).toContain('error rate');
    expect(open!.message).toContain('availability');
    expect(open!.message).not.toContain('p95');
    await setConnectionStatus(h.api.database.db, scope(), 'rules-conn', { status: 'error', reason: 'health_check_failed', message: 'failing' }, { clock: h.clock });
    await h.ops.evaluate();
    expect(await unresolved('health_thresholds')).toHaveLength(0);
    // Recovered: the checks of the outage are connection_unhealthy's, not a new threshold alert.
    await setConnectionStatus(h.api.database.db, scope(), 'rules-conn', { status: 'connected', credentialsVerified: true }, { clock: h.clock });
    await h.ops.evaluate();
    expect(await unresolved('health_thresholds')).toHaveLength(0);
    h.clock.advance(61 * 60_000);
  });

  it('opens quota_usage when a connection’s proxied requests use more than 80 % of its rate limit in the window', async () => {
    const client = h.ops.health.proxy.client({
      provider: 'stripe',
      limitKey: `stripe:${h.devId}:rules-conn`,
      baseUrl: stripe.baseUrl,
      auth: { type: 'header', name: 'authorization', value: 'Bearer sk_test_patchbaysimulator0000000001' },
      allowPrivateNetworks: true,
      rateLimit: { limit: 5, windowMs: 3_600_000 },
    });
    for (let i = 0; i < 4; i++) expect((await client.request({ path: '/v1/account' })).status).toBe(200);
    await h.ops.evaluate();
    expect(await unresolved('quota_usage'), '4 of 5 is 80 %, not above it').toHaveLength(0);
    expect((await client.request({ path: '/v1/account' })).status).toBe(200);
    await h.ops.evaluate();
    const [open] = await unresolved('quota_usage');
    expect(open).toMatchObject({ dedupKey: 'quota_usage:rules-conn', severity: 'warning', subjectId: 'rules-conn', title: 'Connection rules-conn used 100 % of its stripe rate limit' });
    expect(open!.message).toContain('5 of 5 requests');
    await h.call('PATCH', '/api/v1/alert-rules/quota_usage', { params: { abovePercent: 100 } });
    await h.ops.evaluate();
    expect(await unresolved('quota_usage'), 'at most 100 % is not above 100 %').toHaveLength(0);
  });
});

describe('rule names and parameters from the request', () => {
  it('treats names of Object.prototype members as unknown: 404 for the rule, 400 for the parameter', async () => {
    for (const name of ['valueOf', 'constructor', '__proto__', 'toString']) {
      expect((await h.call('PATCH', `/api/v1/alert-rules/${name}`, { enabled: false })).status, name).toBe(404);
      expect((await h.call('GET', `/api/v1/alert-rules/${name}`)).status, name).toBe(404);
    }
    const refused = await h.call('PATCH', '/api/v1/alert-rules/dead_jobs', { params: { toString: 1 } });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('/params/toString');
  });
});
