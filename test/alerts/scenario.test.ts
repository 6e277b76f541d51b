/**
 * The acceptance scenario: a provider starts failing → within three check intervals the
 * connection is `error`, one alert is open, and Slack, Teams, PagerDuty, Opsgenie, email and a
 * webhook endpoint were each told once; the provider recovers → `connected`, the alert resolved,
 * PagerDuty and Opsgenie closed by the same dedup key, Slack's message updated in place and in
 * its thread. A 401 gives `error` at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, startOpsgenieSimulator, startPagerdutySimulator, startSlackSimulator, startTeamsSimulator, OPSGENIE_SAMPLE_KEY, PAGERDUTY_SAMPLE_ROUTING_KEY, type OpsgenieSimulatorHandle, type PagerdutySimulatorHandle, type SimulatorHandle, type SlackSimulatorHandle, type TeamsSimulatorHandle } from '../../simulators/index.ts';
import { opsHarness, startReceiver, startSmtpSink, waitFor, type OpsHarness, type Receiver, type SmtpSink } from './support.ts';

const STRIPE_KEY = 'sk_test_patchbaysimulator0000000001';
let h: OpsHarness;
let stripe: SimulatorHandle;
let slack: SlackSimulatorHandle;
let teams: TeamsSimulatorHandle;
let pagerduty: PagerdutySimulatorHandle;
let opsgenie: OpsgenieSimulatorHandle;
let smtp: SmtpSink;
let receiver: Receiver;

const alertEvents = (type: string) => receiver.requests.map((r) => JSON.parse(r.body)).filter((b) => b.type === type);

beforeAll(async () => {
  h = await opsHarness();
  [stripe, slack, teams, pagerduty, opsgenie, smtp, receiver] = await Promise.all([
    startSimulator('stripe'),
    startSlackSimulator(),
    startTeamsSimulator(),
    startPagerdutySimulator(),
    startOpsgenieSimulator(),
    startSmtpSink(),
    startReceiver(),
  ]);
  const integration = await h.call('POST', '/api/v1/integrations', { connectorKey: 'stripe', baseUrl: stripe.baseUrl });
  expect(integration.status, JSON.stringify(integration.body)).toBe(201);
  const connection = await h.call('POST', '/api/v1/connections', { integration: 'stripe', id: 'acme-stripe', endCustomerId: 'cust-1', credentials: { apiKey: STRIPE_KEY } });
  expect(connection.status, JSON.stringify(connection.body)).toBe(201);

  const channels = [
    { name: 'ops slack', type: 'slack', config: { channel: 'general', apiUrl: slack.baseUrl }, secrets: { botToken: slack.sample.credentials.accessToken } },
    { name: 'ops teams', type: 'teams', secrets: { webhookUrl: teams.webhookUrl } },
    { name: 'on-call', type: 'pagerduty', config: { eventsUrl: pagerduty.url }, secrets: { routingKey: PAGERDUTY_SAMPLE_ROUTING_KEY } },
    { name: 'opsgenie', type: 'opsgenie', config: { apiUrl: opsgenie.url }, secrets: { apiKey: OPSGENIE_SAMPLE_KEY } },
    { name: 'email', type: 'email', config: { host: '127.0.0.1', port: smtp.port, from: 'patchbay@acme.test', to: ['oncall@acme.test'] } },
  ];
  for (const channel of channels) {
    const res = await h.call('POST', '/api/v1/notification-channels', channel);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
  const endpoint = await h.call('POST', '/api/v1/endpoints', { url: `${receiver.url}/alerts`, eventTypes: ['alert.*'] });
  expect(endpoint.status, JSON.stringify(endpoint.body)).toBe(201);
});

afterAll(async () => {
  await h.close();
  await Promise.all([stripe.close(), slack.close(), teams.close(), pagerduty.close(), opsgenie.close(), smtp.close(), receiver.close()]);
});

const connectionOf = async () => (await h.call('GET', '/api/v1/connections/acme-stripe')).body;
const unresolved = async () => (await h.call('GET', '/api/v1/alerts?status=unresolved')).body.data as { id: string; dedupKey: string; status: string }[];

describe('a provider that starts failing and recovers', () => {
  it('puts the connection in error within three check intervals and tells every channel once', async () => {
    expect((await h.nextCheck('acme-stripe')).outcome).toBe('ok');
    stripe.control.forceStatus(503);
    for (let n = 1; n <= 3; n++) {
      const check = await h.nextCheck('acme-stripe');
      expect(check).toMatchObject({ outcome: 'failure', errorClass: 'provider_error', statusCode: 503 });
      if (n < 3) expect((await connectionOf()).status).toBe('connected');
    }
    const connection = await connectionOf();
    expect(connection).toMatchObject({ status: 'error', statusReason: 'health_check_failed' });
    expect(connection.statusMessage).toContain('3 health checks in a row failed');

    const open = await unresolved();
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ dedupKey: 'connection_unhealthy:acme-stripe', status: 'open' });

    await waitFor(() => slack.messages.length >= 1 && teams.messages.length >= 1 && pagerduty.events.length >= 1 && opsgenie.alerts.length >= 1 && smtp.mails.length >= 1 && alertEvents('alert.opened').length >= 1, 20_000, 'every channel');
    // One more check while the alert is open notifies nobody again.
    expect((await h.nextCheck('acme-stripe')).outcome).toBe('failure');
    expect(await unresolved()).toHaveLength(1);

    expect(slack.messages).toHaveLength(1);
    expect(slack.messages[0]).toMatchObject({ channel: 'C0SIM00001', threadTs: null, text: '[CRITICAL] Connection acme-stripe is unhealthy' });
    expect((slack.messages[0]!.attachments[0] as { color: string }).color).toBe('#d92d20');
    expect(teams.messages).toHaveLength(1);
    expect(JSON.stringify(teams.messages[0]!.card)).toContain('Connection acme-stripe is unhealthy');
    expect(pagerduty.events.map((e) => [e.action, e.dedupKey])).toEqual([['trigger', 'connection_unhealthy:acme-stripe']]);
    expect(pagerduty.events[0]!.payload).toMatchObject({ severity: 'critical', source: 'acme-stripe' });
    expect(opsgenie.alerts).toHaveLength(1);
    expect(opsgenie.alerts[0]).toMatchObject({ alias: 'connection_unhealthy:acme-stripe', status: 'open', priority: 'P1', count: 1 });
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]!.to).toEqual(['oncall@acme.test']);
    expect(smtp.mails[0]!.raw).toContain('Subject: [CRITICAL] Connection acme-stripe is unhealthy');
    expect(smtp.mails[0]!.raw).toContain('text/html');
    expect(alertEvents('alert.opened')).toHaveLength(1);
    expect(alertEvents('alert.opened')[0].data).toMatchObject({ dedupKey: 'connection_unhealthy:acme-stripe', severity: 'critical', status: 'open' });

    const detail = (await h.call('GET', `/api/v1/alerts/${open[0]!.id}`)).body;
    expect(detail.timeline[0]).toMatchObject({ kind: 'opened', actor: 'system' });
    expect(detail.timeline.filter((t: { kind: string }) => t.kind === 'notified')).toHaveLength(5);
    expect(detail.notifications.map((n: { channelType: string; sent: number }) => [n.channelType, n.sent]).sort()).toEqual([['email', 1], ['opsgenie', 1], ['pagerduty', 1], ['slack', 1], ['teams', 1]]);
  });

  it('moves the connection back to connected at the first pass and resolves the alert everywhere by the same key', async () => {
    const [alert] = await unresolved();
    stripe.control.clearForcedStatus();
    expect((await h.nextCheck('acme-stripe')).outcome).toBe('ok');
    expect(await connectionOf()).toMatchObject({ status: 'connected', statusReason: null });
    expect((await h.call('GET', `/api/v1/alerts/${alert!.id}`)).body).toMatchObject({ status: 'resolved', resolvedBy: 'system' });
    expect(await unresolved()).toHaveLength(0);

    const key = 'connection_unhealthy:acme-stripe';
    await waitFor(() => pagerduty.eventAlerts.get(key)?.status === 'resolved' && opsgenie.alerts[0]!.status === 'closed' && slack.messages.length === 2 && alertEvents('alert.resolved').length === 1, 20_000, 'the resolution everywhere');
    expect(pagerduty.events.map((e) => [e.action, e.dedupKey])).toEqual([['trigger', key], ['resolve', key]]);
    expect(opsgenie.requests.filter((r) => r.action === 'close')).toEqual([expect.objectContaining({ alias: key, success: true })]);
    // Slack: the alert's own message updated to resolved, and a reply in its thread.
    expect(slack.messages[0]!.updates).toHaveLength(1);
    expect(slack.messages[0]!.text).toBe('[RESOLVED] Connection acme-stripe is unhealthy');
    expect(slack.messages[1]).toMatchObject({ threadTs: slack.messages[0]!.ts, text: 'Resolved: Connection acme-stripe is unhealthy' });
    await waitFor(() => smtp.mails.length === 2 && teams.messages.length === 2, 20_000, 'email and Teams told of the resolution');
    expect(smtp.mails[1]!.raw).toContain('Subject: [RESOLVED]');
  });

  it('puts the connection in error at the first 401, saying the credentials are wrong', async () => {
    stripe.control.forceStatus(401);
    const check = await h.nextCheck('acme-stripe');
    expect(check).toMatchObject({ outcome: 'auth_failure', errorClass: 'invalid_credentials', statusCode: 401 });
    const connection = await connectionOf();
    expect(connection).toMatchObject({ status: 'error', statusReason: 'invalid_credentials' });
    expect(connection.statusMessage).toContain('Retrying will not help');
    const open = await unresolved();
    expect(open).toHaveLength(1);
    expect(open[0]!.dedupKey).toBe('connection_unhealthy:acme-stripe');
    await waitFor(() => pagerduty.events.length === 3, 20_000, 'PagerDuty paged again');
    expect(pagerduty.events[2]).toMatchObject({ action: 'trigger', dedupKey: 'connection_unhealthy:acme-stripe' });
    stripe.control.clearForcedStatus();
  });
});
