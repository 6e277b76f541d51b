/**
 * `patchbay alerts|channels|health` from the CLI: the operations on the hub's database (what the
 * socket and direct ways run), and the commands as real processes against a remote hub's API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, silentLogger } from '../../src/core/index.ts';
import { runOperation, type OperationContext } from '../../src/hub/index.ts';
import { raiseAlert } from '../../src/alerts/index.ts';
import { startSimulator, startSlackSimulator, type SimulatorHandle, type SlackSimulatorHandle } from '../../simulators/index.ts';
import { childEnv, cli } from '../support/process.ts';
import { opsHarness, type OpsHarness } from './support.ts';

let h: OpsHarness;
let slack: SlackSimulatorHandle;
let stripe: SimulatorHandle;
let context: OperationContext;
let url: string;
let channelId: string;
const org = { org: 'acme', env: 'dev' };

const raise = (key: string) =>
  h.api.database.db.transaction((tx) =>
    raiseAlert(tx, h.clock, { organizationId: h.api.seed.organization.id, environmentId: h.devId }, { rule: 'connection_unhealthy', dedupKey: key, title: `Alert ${key}`, message: 'failing', subjectType: 'connection', subjectId: key }),
  );

beforeAll(async () => {
  h = await opsHarness();
  [slack, stripe] = await Promise.all([startSlackSimulator(), startSimulator('stripe')]);
  context = { config: loadConfig({ PATCHBAY_DATA_DIR: h.api.database.dataDir, PUBLIC_URL: 'http://localhost:4000' }), database: h.api.database, logger: silentLogger, clock: h.clock, vault: h.api.vault };
  channelId = (await h.call('POST', '/api/v1/notification-channels', { name: 'slack', type: 'slack', secrets: { webhookUrl: slack.incomingWebhookUrl } })).body.id;
  expect((await h.call('POST', '/api/v1/integrations', { connectorKey: 'stripe', baseUrl: stripe.baseUrl })).status).toBe(201);
  expect((await h.call('POST', '/api/v1/connections', { integration: 'stripe', id: 'cli-conn', endCustomerId: 'c', credentials: { apiKey: 'sk_test_patchbaysimulator0000000001' } })).status).toBe(201);
  await h.nextCheck('cli-conn');
  await h.api.app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(h.api.app.server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await h.close();
  await Promise.all([slack.close(), stripe.close()]);
});

describe('the operations', () => {
  it('lists, acknowledges, snoozes and resolves alerts as the CLI', async () => {
    const { alert } = (await raise('cli-a'))!;
    const listed = (await runOperation(context, 'alerts.list', { ...org, status: 'unresolved' })) as { data: { id: string }[] };
    expect(listed.data.map((a) => a.id)).toContain(alert.id);
    expect(await runOperation(context, 'alerts.ack', { id: alert.id, note: 'on it' })).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'cli' });
    expect(await runOperation(context, 'alerts.snooze', { id: alert.id, minutes: 15 })).toMatchObject({ status: 'snoozed' });
    expect(await runOperation(context, 'alerts.resolve', { id: alert.id })).toMatchObject({ status: 'resolved', resolvedBy: 'cli' });
    await expect(runOperation(context, 'alerts.resolve', { id: alert.id })).rejects.toThrow(/resolved already/);
    await expect(runOperation(context, 'alerts.ack', { id: 'alr_00000000000000000000' })).rejects.toThrow(/no alert/);
  });

  it('lists channels and sends a test through one', async () => {
    const listed = (await runOperation(context, 'channels.list', org)) as { data: { id: string; secretsSet: string[] }[] };
    expect(listed.data).toEqual([expect.objectContaining({ id: channelId, secretsSet: ['webhookUrl'] })]);
    expect(await runOperation(context, 'channels.test', { id: channelId })).toEqual({ ok: true, error: null });
    // The resolution of the previous test's alert may reach Slack after it: look for the test among the messages.
    expect(slack.messages.map((m) => m.text)).toContainEqual(expect.stringContaining('[TEST]'));
  });

  it('prints each connection’s health', async () => {
    const result = (await runOperation(context, 'health', { ...org, integration: 'stripe' })) as { data: Record<string, unknown>[] };
    expect(result.data).toEqual([expect.objectContaining({ connectionId: 'cli-conn', integration: 'stripe', status: 'connected', lastOutcome: 'ok', consecutiveFailures: 0, availability24h: 1 })]);
    expect(result.data[0]!.checks24h).toBeGreaterThanOrEqual(1);
    // Healthy also asks for p95 under 500 ms, which a loaded test machine may miss.
    expect(typeof result.data[0]!.healthy24h).toBe('boolean');
    expect(((await runOperation(context, 'health', { ...org, integration: 'hubspot' })) as { data: unknown[] }).data).toEqual([]);
  });
});

describe('the commands against a remote hub', () => {
  it('lists and acknowledges alerts and tests a channel, with exit codes', async () => {
    const { alert } = (await raise('cli-remote'))!;
    const env = childEnv({ PATCHBAY_URL: url, PATCHBAY_API_KEY: h.api.keys.developer });
    const listed = await cli(['alerts', 'list', '--status', 'open', '--json'], env);
    expect(listed.code, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as { data: { id: string }[] }).data.map((a) => a.id)).toContain(alert.id);
    const table = await cli(['alerts', 'list'], env);
    expect(table.stdout).toMatch(/^id\s+status\s+severity\s+rule/);
    const acked = await cli(['alerts', 'ack', alert.id, '--note', 'mine'], env);
    expect(acked.stdout.trim()).toBe(`alert ${alert.id} acknowledged`);
    // Testing a channel is an admin's: the developer's key is refused with exit code 4.
    const refused = await cli(['channels', 'test', channelId], env);
    expect(refused.code).toBe(4);
    const admin = childEnv({ PATCHBAY_URL: url, PATCHBAY_API_KEY: h.api.keys.admin });
    const tested = await cli(['channels', 'test', channelId], admin);
    expect(tested.code, tested.stderr).toBe(0);
    expect(tested.stdout.trim()).toBe(`test notification sent through ${channelId}`);
    const missing = await cli(['alerts', 'resolve', 'alr_00000000000000000000'], env);
    expect(missing.code).toBe(3);
  }, 300_000);
});
