/**
 * Webhooks in the dashboard, in a real Chromium against a real hub (`npm start`'s launcher):
 * an operator creates an endpoint with a custom header, sends it a test event, opens the
 * attempt and reads the signed request it sent, reveals and rotates its secret, sees its
 * delivery charts and disables it; browses event types and sources, creates a Stripe source from
 * its dialog and delivers a signed event to it; opens an inbound event's
 * payload and reprocesses it. A viewer sees none of the write actions. Every screen passes
 * axe-core with no console error or failed request, at 1,440 and 360 px, light and dark.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SIGNERS } from '../../simulators/index.ts';
import { accessibilityViolations, screenshot, type DemoHub } from './support.ts';
import { browserSuite } from './suite.ts';

const SLOW = 180_000;
const INBOUND_SECRET = 'inbound-test-secret';

const suite = browserSuite();
const { api, newContext, open, settled, expectAccessible, until, photograph, nav } = suite;
let hub: DemoHub;
let receiver: http.Server;
let receiverUrl: string;
const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
let viewerPassword: string;
let sourceId: string;

beforeAll(async () => {
  await suite.start();
  hub = suite.hub;
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json', 'x-receiver': 'billing' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/billing`;
  const viewer = await api('/api/v1/members', { method: 'POST', body: { email: 'vera@acme.example', name: 'Vera Viewer', role: 'viewer' } });
  expect(viewer.status).toBe(201);
  viewerPassword = String(viewer.body.initialPassword);
  // An inbound source verified by HMAC, and one event it received and processed.
  const source = await api('/api/v1/sources', { method: 'POST', body: { name: 'Orders inbox', verification: { type: 'hmac', header: 'x-signature', algorithm: 'sha256', encoding: 'hex' }, secret: INBOUND_SECRET } });
  expect(source.status, JSON.stringify(source.body)).toBe(201);
  sourceId = String(source.body.id);
  const payload = JSON.stringify({ type: 'order.paid', order: { id: 'ord_1', total: 4200 } });
  const delivered = await fetch(String(source.body.url), { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature': crypto.createHmac('sha256', INBOUND_SECRET).update(payload).digest('hex') }, body: payload });
  expect(delivered.status).toBeLessThan(300);
  await until(async () => /processed|failed/.test(((await api(`/api/v1/inbound-events?sourceId=${sourceId}`)).body.data as { status: string }[])[0]?.status ?? ''), 'the inbound event is processed');
}, 300_000);

afterEach(() => suite.endTest());

afterAll(async () => {
  await suite.close();
  await new Promise((resolve) => receiver?.close(resolve));
}, 60_000);

describe('an operator', () => {
  it('creates an endpoint with a custom header and sends it a test event', async () => {
    const page = await open(await newContext());
    await nav(page, 'Endpoints');
    await page.getByRole('button', { name: 'New endpoint' }).click();
    const dialog = page.getByRole('dialog', { name: 'New endpoint' });
    await dialog.getByLabel('URL').fill(receiverUrl);
    await dialog.getByLabel('Description (optional)').fill('Billing service');
    await dialog.getByRole('button', { name: 'Add header' }).click();
    await dialog.getByLabel('Header 1 name').fill('x-tenant');
    await dialog.getByLabel('Header 1 value').fill('acme');
    await dialog.getByRole('checkbox', { name: 'connection.created' }).check();
    await dialog.getByRole('group', { name: 'Example of connection.created' }).waitFor();
    // The filter is tested against the example in the browser, with the hub's own filter code.
    const filter = dialog.getByLabel('Payload filter (optional)');
    await filter.fill('{"status": "connected"}');
    await dialog.getByRole('list', { name: 'Filter tested against the examples' }).getByText('sent').waitFor();
    await filter.fill('{"status": {"$in": ["error"]}}');
    await dialog.getByRole('list', { name: 'Filter tested against the examples' }).getByText('held back').waitFor();
    await filter.fill('{"status": {"$where": "1"}}');
    await dialog.getByRole('list', { name: 'Filter problems' }).getByText('refused').waitFor();
    await filter.fill('');
    await expectAccessible(page);
    await screenshot(page, 'endpoint-create-dialog');
    await dialog.getByRole('button', { name: 'Create endpoint' }).click();
    await page.getByRole('status').getByText('Endpoint created').waitFor();
    await page.getByRole('link', { name: 'Billing service' }).click();
    await page.getByRole('heading', { name: 'Billing service', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Send test event' }).click();
    await page.getByRole('status').getByText('Test event sent').waitFor();
    await expect.poll(() => received.length, { timeout: 30_000 }).toBeGreaterThan(0);
    expect(received[0]!.headers['x-tenant']).toBe('acme');
  }, SLOW);

  it('opens the attempt in the message log and reads the signed request it sent and the answer', async () => {
    const page = await open(await newContext());
    await nav(page, 'Message log');
    await page.getByLabel('Event type').fill('webhook.test');
    await page.getByLabel('Event type').press('Enter');
    await expect.poll(() => new URL(page.url()).searchParams.get('eventType')).toBe('webhook.test');
    const sent = received.at(-1)!;
    await page.getByLabel('Message or event id').fill(String(sent.headers['webhook-id']));
    await page.getByLabel('Message or event id').press('Enter');
    const attempts = page.getByRole('list', { name: /^Attempts of message/ });
    await attempts.getByText('delivered').first().waitFor();
    await attempts.getByText('Request', { exact: true }).first().click();
    const request = page.getByRole('group', { name: /^Request of attempt/ }).first();
    await request.getByText(`POST ${receiverUrl}`).waitFor();
    const headers = request.getByRole('definition');
    const shown = await request.locator('.header-list').innerText();
    expect(shown).toContain(String(sent.headers['webhook-signature']));
    expect(shown).toContain('x-tenant');
    expect(await headers.count()).toBeGreaterThan(4);
    await attempts.getByText('Response', { exact: true }).first().click();
    await page.getByRole('group', { name: /^Response of attempt/ }).first().getByText('x-receiver').waitFor();
    await expectAccessible(page);
    await photograph(page, 'attempt-request');
  }, SLOW);

  it('reveals and rotates the signing secret, sees the delivery charts, and disables the endpoint', async () => {
    const page = await open(await newContext());
    await nav(page, 'Endpoints');
    await page.getByRole('link', { name: 'Billing service' }).click();
    await page.getByRole('heading', { name: 'Billing service', level: 1 }).waitFor();
    await page.getByRole('figure', { name: 'Success rate' }).waitFor();
    await page.getByRole('figure', { name: 'Success rate' }).locator('canvas').first().waitFor();
    await page.getByRole('button', { name: 'Reveal secret' }).click();
    const secret = page.getByRole('button', { name: /^Copy signing secret whsec_/ });
    await secret.waitFor();
    const before = (await secret.getAttribute('aria-label'))!.replace('Copy signing secret ', '');
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByRole('dialog', { name: 'Rotate the signing secret?' }).getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByRole('status').getByText('Secret rotated').waitFor();
    await page.getByRole('button', { name: 'Reveal secret' }).click();
    await expect.poll(async () => (await page.getByRole('button', { name: /^Copy signing secret whsec_/ }).getAttribute('aria-label'))?.replace('Copy signing secret ', '')).not.toBe(before);
    // Both reveals are in the audit log.
    const audit = await api('/api/v1/audit-log?action=endpoint.secret_revealed');
    expect((audit.body.data as unknown[]).length).toBeGreaterThanOrEqual(2);
    await expectAccessible(page);
    await photograph(page, 'endpoint');
    await page.getByRole('button', { name: 'Disable' }).click();
    await page.getByRole('status').getByText('Endpoint disabled').waitFor();
    await page.getByRole('button', { name: 'Enable' }).waitFor();
    expect(await page.getByRole('button', { name: 'Send test event' }).isDisabled()).toBe(true);
    const endpoints = (await api('/api/v1/endpoints')).body.data as { description: string; enabled: boolean }[];
    expect(endpoints.find((e) => e.description === 'Billing service')?.enabled).toBe(false);
  }, SLOW);

  it('edits the endpoint, enables it again and recovers what failed since a time', async () => {
    const page = await open(await newContext());
    await nav(page, 'Endpoints');
    await page.getByRole('link', { name: 'Billing service' }).click();
    await page.getByRole('button', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit endpoint' });
    await dialog.getByRole('button', { name: 'Add header' }).click();
    await dialog.getByLabel('Header 2 name').fill('x-region');
    await dialog.getByLabel('Header 2 value').fill('eu');
    await dialog.getByRole('checkbox', { name: 'webhook.test' }).check();
    await dialog.getByRole('button', { name: 'Save endpoint' }).click();
    await page.getByRole('status').getByText('Endpoint saved').waitFor();
    const saved = ((await api('/api/v1/endpoints')).body.data as { description: string; headers: Record<string, string>; eventTypes: string[] }[]).find((e) => e.description === 'Billing service')!;
    expect(saved.headers).toEqual({ 'x-tenant': 'acme', 'x-region': 'eu' });
    expect(saved.eventTypes).toEqual(['connection.created', 'webhook.test']);
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.getByRole('status').getByText('Endpoint enabled').waitFor();
    await page.getByRole('button', { name: 'Recover' }).click();
    await page.getByRole('status').getByText(/queued again|Nothing to recover/).waitFor();
    expect(await page.getByRole('button', { name: 'Retry all failed' }).isDisabled()).toBe(true);
  }, SLOW);

  it('browses event types with their schema and example, and the sources with their URL', async () => {
    const page = await open(await newContext());
    await nav(page, 'Event types');
    await page.getByRole('heading', { name: 'Event types', level: 1 }).waitFor();
    await page.getByText('connection.created', { exact: true }).click();
    await page.getByRole('group', { name: 'Example of connection.created' }).waitFor();
    await expectAccessible(page);
    await photograph(page, 'event-types');
    await nav(page, 'Sources');
    await page.getByRole('heading', { name: 'Sources', level: 1 }).waitFor();
    await page.getByRole('button', { name: /^Copy URL of Orders inbox/ }).waitFor();
    await page.getByText('HMAC-SHA256 in x-signature').waitFor();
    await expectAccessible(page);
    await photograph(page, 'sources');
  }, SLOW);

  it("creates a Stripe source from the dialog, gets its URL once, and it accepts Stripe's signature", async () => {
    const page = await open(await newContext());
    await nav(page, 'Sources');
    await page.getByRole('button', { name: 'New source' }).click();
    const dialog = page.getByRole('dialog', { name: 'New source' });
    await dialog.getByLabel('Name').fill('Stripe payments');
    await dialog.getByLabel('Provider').selectOption('stripe');
    // A preset needs only the provider's signing secret: no header or scheme to pick.
    expect(await dialog.getByLabel('Verification').count()).toBe(0);
    await dialog.getByLabel('Signing secret').fill('whsec_dashboard_test');
    await expectAccessible(page);
    await screenshot(page, 'new-source');
    await dialog.getByRole('button', { name: 'Create source' }).click();
    const ready = page.getByRole('dialog', { name: 'Stripe payments is ready' });
    await ready.waitFor();
    const url = await ready.locator('.ui-copy__value').textContent();
    expect(url).toMatch(/\/webhooks\/in\/src_/);
    await ready.getByRole('button', { name: 'Done' }).click();
    await page.getByText('stripe preset').waitFor();

    // The provider's side: an event signed the way Stripe signs, then one with a wrong secret.
    const body = JSON.stringify({ id: 'evt_dashboard_1', object: 'event', type: 'charge.succeeded', created: Math.floor(Date.now() / 1000), data: { object: { id: 'ch_1' } } });
    const send = (secret: string) => {
      const signed = SIGNERS.stripe!(secret, { url: url!, body });
      return fetch(url!, { method: 'POST', headers: { ...signed.headers, 'content-type': 'application/json' }, body });
    };
    expect((await send('whsec_dashboard_test')).status).toBeLessThan(300);
    expect((await send('whsec_not_the_secret')).status).toBe(401);
    const created = ((await api('/api/v1/sources')).body.data as { id: string; name: string }[]).find((s) => s.name === 'Stripe payments')!;
    const events = (await api(`/api/v1/inbound-events?sourceId=${created.id}`)).body.data as { status: string }[];
    // Both kept: the signed one for processing, the other as rejected (never processed).
    expect(events).toHaveLength(2);
    expect(events.filter((e) => e.status === 'rejected')).toHaveLength(1);
  }, SLOW);

  it('opens an inbound event, reads its payload pretty and raw, and reprocesses it', async () => {
    const page = await open(await newContext());
    await nav(page, 'Inbound events');
    await page.getByRole('heading', { name: 'Inbound events', level: 1 }).waitFor();
    // The Orders inbox's event (other sources' events may be newer).
    await page.getByLabel('Source id').fill(sourceId);
    await page.getByLabel('Source id').press('Enter');
    await page.waitForURL(/sourceId=/);
    await page.locator('.message summary').first().click();
    await page.getByRole('group', { name: /^Payload of / }).getByText('"ord_1"').waitFor();
    await page.getByRole('button', { name: 'Raw' }).click();
    await page.getByLabel(/^Raw payload of /).getByText('"total":4200').waitFor();
    await expectAccessible(page);
    await photograph(page, 'inbound-event');
    const before = ((await api(`/api/v1/inbound-events?sourceId=${sourceId}`)).body.data as { attempts: number }[])[0]!.attempts;
    await page.getByRole('button', { name: 'Reprocess', exact: true }).click();
    const toast = page.locator('.ui-toast').first();
    await toast.waitFor();
    expect(await toast.textContent()).toMatch(/^Event reprocessed/);
    const after = ((await api(`/api/v1/inbound-events?sourceId=${sourceId}`)).body.data as { attempts: number }[])[0]!.attempts;
    expect(after).toBeGreaterThan(before);
  }, SLOW);
});

describe('empty lists', () => {
  it('say what to do next in prod, where nothing is set up yet', async () => {
    const page = await open(await newContext());
    await page.getByLabel('Environment').selectOption('prod');
    await page.getByRole('note').filter({ hasText: 'Production' }).waitFor();
    for (const [link, empty, name] of [
      ['Endpoints', 'No endpoints in prod yet', 'endpoints-empty'],
      ['Sources', 'No sources in prod yet', 'sources-empty'],
      ['Inbound events', 'No inbound events in prod yet', 'inbound-empty'],
      ['Alerts', 'Nothing needs attention', 'alerts-empty'],
    ] as const) {
      await nav(page, link);
      await page.getByText(empty).waitFor();
      await settled(page);
      expect(await accessibilityViolations(page)).toEqual([]);
      await screenshot(page, `${name}-prod`);
    }
    await page.getByLabel('Environment').selectOption('dev');
  }, SLOW);
});

describe('a viewer', () => {
  it('sees endpoints, sources and inbound events without any write action', async () => {
    const page = await open(await newContext(), 'vera@acme.example', viewerPassword);
    await nav(page, 'Endpoints');
    await page.getByRole('link', { name: 'Billing service' }).waitFor();
    expect(await page.getByRole('button', { name: 'New endpoint' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Billing service' }).click();
    await page.getByRole('heading', { name: 'Billing service', level: 1 }).waitFor();
    await settled(page);
    for (const name of ['Send test event', 'Edit', 'Enable', 'Disable', 'Delete', 'Reveal secret', 'Rotate secret', 'Retry all failed', 'Recover']) {
      expect(await page.getByRole('button', { name, exact: true }).count(), name).toBe(0);
    }
    await screenshot(page, 'viewer-endpoint');
    await nav(page, 'Sources');
    await page.getByRole('button', { name: /^Copy URL of Orders inbox/ }).waitFor();
    expect(await page.getByRole('button', { name: 'Rotate secret' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'New source' }).count()).toBe(0);
    await nav(page, 'Inbound events');
    await page.locator('.message summary').first().click();
    await page.getByRole('group', { name: /^Payload of / }).waitFor();
    await settled(page);
    for (const name of ['Reprocess', 'Reprocess all matching']) expect(await page.getByRole('button', { name, exact: true }).count(), name).toBe(0);
    await page.goto(`${hub.url}/messages?eventType=webhook.test`);
    await page.locator('.message summary').first().click();
    await page.getByRole('list', { name: /^Attempts of message/ }).waitFor();
    await settled(page);
    expect(await page.getByRole('button', { name: 'Resend' }).count()).toBe(0);
  }, SLOW);
});
