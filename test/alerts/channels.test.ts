/**
 * Notification channels against their simulators: settings checked and named, URLs through the
 * SSRF guard, secrets kept in the vault and out of answers, the test notification, a failing
 * channel retried with backoff and its failure shown on the channel (no alert about itself), and
 * per-rule routing: minimum severity, quiet hours, repeats.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { rows } from '../../src/db/index.ts';
import { alerts, raiseAlert, type RaiseInput } from '../../src/alerts/index.ts';
import { startOpsgenieSimulator, startSlackSimulator, startTeamsSimulator, OPSGENIE_SAMPLE_KEY, type OpsgenieSimulatorHandle, type SlackSimulatorHandle, type TeamsSimulatorHandle } from '../../simulators/index.ts';
import { opsHarness, waitFor, MINUTE, type OpsHarness } from './support.ts';

let h: OpsHarness;
let slack: SlackSimulatorHandle;
let teams: TeamsSimulatorHandle;
let opsgenie: OpsgenieSimulatorHandle;
const scope = () => ({ organizationId: h.api.seed.organization.id, environmentId: h.devId });
let n = 0;
const raise = (input: Partial<RaiseInput> = {}) =>
  h.api.database.db.transaction((tx) => raiseAlert(tx, h.clock, scope(), { rule: 'dead_jobs', dedupKey: `test:${++n}`, title: `Alert ${n}`, message: 'something broke', ...input }));
const timelineOf = async (alertId: string) => (await h.call('GET', `/api/v1/alerts/${alertId}`)).body.timeline as { kind: string; details: Record<string, unknown> }[];

async function channel(body: Record<string, unknown>, key = h.api.keys.admin): Promise<{ status: number; body: any }> {
  return h.call('POST', '/api/v1/notification-channels', body, key);
}

beforeAll(async () => {
  h = await opsHarness();
  [slack, teams, opsgenie] = await Promise.all([startSlackSimulator(), startTeamsSimulator(), startOpsgenieSimulator()]);
});
afterAll(async () => {
  await h.close();
  await Promise.all([slack.close(), teams.close(), opsgenie.close()]);
});

describe('configuring channels', () => {
  it('names each bad setting, refuses unknown secret fields, and is for admins only', async () => {
    const slackless = await channel({ name: 's', type: 'slack', config: {} });
    expect(slackless.status).toBe(400);
    expect(slackless.body.errors).toEqual([{ field: '/secrets', message: expect.stringContaining('webhookUrl') }]);
    const email = await channel({ name: 'e', type: 'email', config: { host: 'smtp.acme.test', from: 'nope', to: ['ok@acme.test', 'bad'] } });
    expect(email.body.errors.map((e: { field: string }) => e.field)).toEqual(['/config/from', '/config/to']);
    const pd = await channel({ name: 'p', type: 'pagerduty', secrets: { routingKey: 'short', token: 'x' } });
    expect(pd.body.errors.map((e: { field: string }) => e.field)).toEqual(['/secrets/token', '/secrets/routingKey']);
    const kind = await channel({ name: 'x', type: 'carrier-pigeon' });
    expect(kind.status).toBe(400);
    expect((await channel({ name: 't', type: 'teams', secrets: { webhookUrl: teams.webhookUrl } }, h.api.keys.developer)).status).toBe(403);
  });

  it('keeps secrets in the vault and out of every answer', async () => {
    const created = await channel({ name: 'slack hook', type: 'slack', secrets: { webhookUrl: slack.incomingWebhookUrl } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ type: 'slack', secretsSet: ['webhookUrl'], status: 'untested', enabled: true });
    const secret = slack.incomingWebhookUrl.split('/').at(-1)!;
    const listed = await h.call('GET', '/api/v1/notification-channels', undefined, h.api.keys.viewer);
    for (const text of [JSON.stringify(created.body), JSON.stringify(listed.body)]) expect(text).not.toContain(secret);
    const sealed = await rows<{ n: number }>(h.api.database.db, sql`select count(*)::int as n from secrets where owner_type = 'alertChannel' and owner_id = ${created.body.id}`);
    expect(sealed[0]!.n).toBe(1);
    const renamed = await h.call('PATCH', `/api/v1/notification-channels/${created.body.id}`, { name: 'slack #general' });
    expect(renamed.body).toMatchObject({ name: 'slack #general', secretsSet: ['webhookUrl'] });
    expect((await h.call('DELETE', `/api/v1/notification-channels/${created.body.id}`)).status).toBe(204);
    expect((await h.call('GET', `/api/v1/notification-channels/${created.body.id}`)).status).toBe(404);
    const left = await rows<{ n: number }>(h.api.database.db, sql`select count(*)::int as n from secrets where owner_type = 'alertChannel' and owner_id = ${created.body.id}`);
    expect(left[0]!.n).toBe(0);
  });

  it('refuses a loopback URL in an environment that does not allow private networks', async () => {
    const res = await channel({ name: 't', type: 'teams', secrets: { webhookUrl: teams.webhookUrl } }, h.api.keys.prod);
    expect(res.status).toBe(422);
    expect(res.body.detail).toContain('127.0.0.1');
    expect(res.body.detail).not.toContain('sig=');
  });

  it('sends a test notification and shows a failing one on the channel', async () => {
    const good = await channel({ name: 'slack hook', type: 'slack', secrets: { webhookUrl: slack.incomingWebhookUrl } });
    const tested = await h.call('POST', `/api/v1/notification-channels/${good.body.id}/test`);
    expect(tested.body).toEqual({ ok: true, error: null });
    expect(slack.messages.at(-1)).toMatchObject({ via: 'webhook', text: '[TEST] Test notification from Patchbay (slack hook)' });
    expect((await h.call('GET', `/api/v1/notification-channels/${good.body.id}`)).body.status).toBe('ok');

    const bad = await channel({ name: 'opsgenie', type: 'opsgenie', config: { apiUrl: opsgenie.url }, secrets: { apiKey: 'wrong-key' } });
    const failed = await h.call('POST', `/api/v1/notification-channels/${bad.body.id}/test`);
    expect(failed.body).toEqual({ ok: false, error: 'Opsgenie answered HTTP 401: {"message":"Could not authenticate","took":0.002,"requestId":' + failed.body.error.split('"requestId":')[1] });
    const shown = (await h.call('GET', `/api/v1/notification-channels/${bad.body.id}`)).body;
    expect(shown).toMatchObject({ status: 'failing', lastError: failed.body.error });
    expect(shown.failingSince).not.toBeNull();
    await h.call('PATCH', `/api/v1/notification-channels/${bad.body.id}`, { secrets: { apiKey: OPSGENIE_SAMPLE_KEY } });
    expect((await h.call('POST', `/api/v1/notification-channels/${bad.body.id}/test`)).body.ok).toBe(true);
    expect((await h.call('GET', `/api/v1/notification-channels/${bad.body.id}`)).body).toMatchObject({ status: 'ok', failingSince: null });
    for (const id of [good.body.id, bad.body.id]) await h.call('DELETE', `/api/v1/notification-channels/${id}`);
  });
});

describe('sending alerts', () => {
  let teamsId: string;
  beforeEach(async () => {
    for (const c of (await h.call('GET', '/api/v1/notification-channels')).body.data) await h.call('DELETE', `/api/v1/notification-channels/${c.id}`);
    teamsId = (await channel({ name: 'teams', type: 'teams', secrets: { webhookUrl: teams.webhookUrl } })).body.id;
    teams.messages.length = 0;
    await h.api.database.db.execute(sql`delete from alert_rules`);
  });

  it('retries a failing channel with backoff, shows the failure, and raises no alert about it', async () => {
    teams.control.forceStatus(503, { times: 1 });
    const { alert } = (await raise())!;
    await waitFor(async () => (await timelineOf(alert.id)).some((t) => t.kind === 'notification_failed'), 20_000, 'the failed attempt');
    const failed = (await timelineOf(alert.id)).find((t) => t.kind === 'notification_failed')!;
    expect(failed.details).toMatchObject({ channelId: teamsId, attempt: 1, willRetry: true, error: expect.stringContaining('HTTP 503') });
    expect((await h.call('GET', `/api/v1/notification-channels/${teamsId}`)).body).toMatchObject({ status: 'failing', lastError: expect.stringContaining('503') });
    const [job] = await rows<{ run_at: string | Date; attempts: number }>(h.api.database.db, sql`select run_at, attempts from jobs where type = 'alert.notify' and key = ${`notify:${alert.id}:${teamsId}`}`);
    const delay = new Date(job!.run_at).getTime() - h.clock.now().getTime();
    expect(delay).toBeGreaterThanOrEqual(8_000);
    expect(delay).toBeLessThanOrEqual(12_000);
    expect(teams.messages).toHaveLength(0);
    await h.advance(12_000);
    await waitFor(() => teams.messages.length === 1, 20_000, 'the retry');
    await waitFor(async () => (await h.call('GET', `/api/v1/notification-channels/${teamsId}`)).body.status === 'ok', 5_000, 'the channel healthy again');
    const opened = await h.api.database.db.select().from(alerts).where(eq(alerts.environmentId, h.devId));
    expect(opened.filter((a) => a.openedAt >= alert.openedAt)).toHaveLength(1);
  });

  it('does not retry what the provider refused for good, and says so on the channel', async () => {
    teams.control.forceStatus(401, { times: 1 });
    const { alert } = (await raise())!;
    await waitFor(async () => (await timelineOf(alert.id)).some((t) => t.kind === 'notification_failed'), 20_000, 'the failed attempt');
    expect((await timelineOf(alert.id)).find((t) => t.kind === 'notification_failed')!.details).toMatchObject({ willRetry: false });
    await waitFor(async () => (await rows(h.api.database.db, sql`select id from jobs where key = ${`notify:${alert.id}:${teamsId}`}`)).length === 0, 5_000, 'the job done');
    expect((await h.call('GET', `/api/v1/notification-channels/${teamsId}`)).body.status).toBe('failing');
  });

  it('sends a rule’s channels only alerts at or above its minimum severity', async () => {
    await h.call('PATCH', '/api/v1/alert-rules/dead_jobs', { minSeverity: 'critical' });
    await raise({ severity: 'warning' });
    const { alert } = (await raise({ severity: 'critical' }))!;
    await waitFor(() => teams.messages.length === 1, 20_000, 'the critical alert');
    expect(JSON.stringify(teams.messages[0]!.card)).toContain(alert.title);
  });

  it('holds non-critical alerts during quiet hours until they end, but not critical ones', async () => {
    const now = h.clock.now();
    const hhmm = (d: Date) => d.toISOString().slice(11, 16);
    await h.call('PATCH', '/api/v1/alert-rules/dead_jobs', { quietHours: { start: hhmm(new Date(now.getTime() - 60 * MINUTE)), end: hhmm(new Date(now.getTime() + 60 * MINUTE)) } });
    const quiet = (await raise({ severity: 'warning' }))!.alert;
    const loud = (await raise({ severity: 'critical' }))!.alert;
    await waitFor(() => teams.messages.length === 1, 20_000, 'the critical alert');
    expect(JSON.stringify(teams.messages[0]!.card)).toContain(loud.title);
    await h.advance(61 * MINUTE);
    await waitFor(() => teams.messages.length === 2, 20_000, 'the held alert after the quiet hours');
    expect(JSON.stringify(teams.messages[1]!.card)).toContain(quiet.title);
  });

  it('sends an alert still open again after its repeat interval, and not before', async () => {
    await h.call('PATCH', '/api/v1/alert-rules/connection_unhealthy', { repeatMinutes: 30 });
    const { alert } = (await raise({ rule: 'connection_unhealthy', dedupKey: 'connection_unhealthy:repeat', subjectType: 'connection', subjectId: 'repeat' }))!;
    await waitFor(() => teams.messages.length === 1, 20_000, 'the first notification');
    h.clock.advance(20 * MINUTE);
    await h.ops.evaluate();
    h.clock.advance(11 * MINUTE);
    await h.ops.evaluate();
    await waitFor(() => teams.messages.length === 2, 20_000, 'the repeat');
    expect((await h.api.database.db.select().from(alerts).where(and(eq(alerts.id, alert.id))))[0]!.lastNotifiedAt!.getTime()).toBe(h.clock.now().getTime());
  });
});
