/**
 * Alerts in the dashboard, in a real Chromium against a real hub (`npm start`'s launcher): an
 * endpoint answers 410 Gone, the hub disables it and opens an alert; the operator finds it on
 * the Alerts screen, reads its timeline, acknowledges and resolves it; sends a test notification
 * to a Slack channel (a local receiver); reads a connection's health. A viewer sees none of the
 * write actions. Every screen passes axe-core, at 1,440 px light and 360 px dark.
 */
import http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshot, type DemoHub } from './support.ts';
import { browserSuite } from './suite.ts';

const SLOW = 180_000;

const suite = browserSuite();
const { api, newContext, open, settled, expectAccessible, until, photograph, nav } = suite;
let hub: DemoHub;
let receiver: http.Server;
const slackMessages: string[] = [];
let viewerPassword: string;
let alertTitle: string;

/** axe at 1,440 px light and 360 px dark, a screenshot of each, and nothing wider than 360 px. */
async function checkAndPhotograph(page: Page, name: string): Promise<void> {
  await expectAccessible(page);
  await photograph(page, name);
}

beforeAll(async () => {
  await suite.start();
  hub = suite.hub;
  // One server plays two parts: an endpoint that is gone (410), and a Slack incoming webhook.
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.url === '/slack') {
        slackMessages.push(body);
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      } else res.writeHead(410).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
  const viewer = await api('/api/v1/members', { method: 'POST', body: { email: 'val@acme.example', name: 'Val Viewer', role: 'viewer' } });
  expect(viewer.status).toBe(201);
  viewerPassword = String(viewer.body.initialPassword);
  const channel = await api('/api/v1/notification-channels', { method: 'POST', body: { name: 'Ops Slack', type: 'slack', secrets: { webhookUrl: `${base}/slack` } } });
  expect(channel.status, JSON.stringify(channel.body)).toBe(201);
  const endpoint = await api('/api/v1/endpoints', { method: 'POST', body: { url: `${base}/gone`, description: 'Retired service' } });
  expect(endpoint.status).toBe(201);
  const id = String(endpoint.body.id);
  expect((await api(`/api/v1/endpoints/${id}/test`, { method: 'POST', body: {} })).status).toBe(202);
  await until(async () => (await api(`/api/v1/endpoints/${id}`)).body.enabled === false, 'the endpoint answering 410 is disabled', 60_000);
  // Rules are evaluated every minute.
  await until(async () => (((await api('/api/v1/alerts?status=open')).body.data as unknown[] | undefined) ?? []).length > 0, 'an alert is open', 150_000);
  alertTitle = ((await api('/api/v1/alerts?status=open')).body.data as { title: string }[])[0]!.title;
}, 300_000);

afterEach(() => suite.endTest());

afterAll(async () => {
  await suite.close();
  await new Promise((resolve) => receiver?.close(resolve));
}, 60_000);

describe('a viewer', () => {
  // First, while the alert is still open: the viewer sees it but cannot act on it.
  it('reads an open alert, the rules and the channels without any write action', async () => {
    const page = await open(await newContext(), 'val@acme.example', viewerPassword);
    await page.goto(`${hub.url}/alerts`);
    await page.getByRole('list', { name: 'Alerts' }).getByText(alertTitle).click();
    await page.getByRole('list', { name: /^Timeline of alert/ }).waitFor();
    await settled(page);
    expect(await page.getByRole('button', { name: /^(Acknowledge|Resolve|Snooze)$/ }).count()).toBe(0);
    await page.getByRole('link', { name: 'Rules and channels' }).click();
    await page.getByRole('cell', { name: /^Ops Slack/ }).waitFor();
    await settled(page);
    expect(await page.getByRole('button', { name: /^(Send test notification|Turn on|Turn off)$/ }).count()).toBe(0);
    await screenshot(page, 'viewer-alert-rules');
  }, SLOW);
});

describe('an operator', () => {
  it('finds the open alert, reads its timeline, acknowledges and then resolves it', async () => {
    const page = await open(await newContext());
    await nav(page, 'Alerts');
    await page.getByRole('heading', { name: 'Alerts', level: 1 }).waitFor();
    // One cause, one alert.
    const unresolved = (await api('/api/v1/alerts?status=unresolved')).body.data as { title: string; status: string; id: string }[];
    expect(unresolved.filter((a) => a.title === alertTitle).map((a) => a.status)).toEqual(['open']);
    await page.getByRole('list', { name: 'Alerts' }).getByText(alertTitle).click();
    const timeline = page.getByRole('list', { name: /^Timeline of alert/ });
    await timeline.getByText('opened').first().waitFor();
    await checkAndPhotograph(page, 'alerts');
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await page.getByRole('status').getByText('Alert acknowledged').waitFor();
    await page.locator('.message summary').filter({ hasText: alertTitle }).getByText('acknowledged', { exact: true }).waitFor();
    const acknowledged = (await api('/api/v1/alerts?status=acknowledged')).body.data as { title: string; acknowledgedBy: string | null }[];
    expect(acknowledged.find((a) => a.title === alertTitle)?.acknowledgedBy).toBeTruthy();
    await page.getByLabel('Snooze for').selectOption('240');
    await page.getByRole('button', { name: 'Snooze' }).click();
    await page.getByRole('status').getByText('Alert snoozed').waitFor();
    await page.locator('.message summary').filter({ hasText: alertTitle }).getByText('snoozed', { exact: true }).waitFor();
    const snoozed = ((await api('/api/v1/alerts?status=snoozed')).body.data as { title: string; snoozedUntil: string }[]).find((a) => a.title === alertTitle)!;
    expect(Date.parse(snoozed.snoozedUntil) - Date.now()).toBeGreaterThan(3.5 * 3_600_000);
    await page.getByRole('button', { name: 'Resolve' }).click();
    await page.getByRole('status').getByText('Alert resolved').waitFor();
    // Resolved alerts show under "resolved" (the cause may open a new one a minute later).
    await page.getByLabel('Status').selectOption('resolved');
    await expect.poll(() => new URL(page.url()).searchParams.get('status')).toBe('resolved');
    await page.locator('.message summary').filter({ hasText: alertTitle }).getByText('resolved', { exact: true }).waitFor();
  }, SLOW);

  it('lists rules and channels and sends a test notification to Slack', async () => {
    const page = await open(await newContext());
    await nav(page, 'Alerts');
    await page.getByRole('link', { name: 'Rules and channels' }).click();
    await page.getByRole('heading', { name: 'Alert rules and channels', level: 1 }).waitFor();
    await page.getByText('endpoint_disabled').waitFor();
    const before = slackMessages.length;
    await page.getByRole('button', { name: 'Send test notification' }).click();
    await page.getByRole('status').getByText('Test notification sent').waitFor();
    expect(slackMessages.length).toBe(before + 1);
    await checkAndPhotograph(page, 'alert-rules');
  }, SLOW);

  it('reads the health of a connection on its page', async () => {
    const page = await open(await newContext());
    await page.goto(`${hub.url}/connections/acme-stripe`);
    await page.getByRole('heading', { name: 'acme-stripe', level: 1 }).waitFor();
    const health = page.getByRole('region', { name: 'Health' });
    await health.getByRole('figure', { name: 'Check latency' }).waitFor();
    await health.getByRole('region', { name: 'Health by period' }).getByText('Last 24 hours').waitFor();
    await checkAndPhotograph(page, 'connection-health');
  }, SLOW);
});
