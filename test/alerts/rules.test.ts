/**
 * The periodic evaluation: each rule finds its causes in the environment's own data, opens one
 * alert per cause and resolves it when the cause clears; a rule turned off resolves its alerts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, ne, sql } from 'drizzle-orm';
import { newId } from '../../src/core/index.ts';
import { enqueue } from '../../src/queue/index.ts';
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
