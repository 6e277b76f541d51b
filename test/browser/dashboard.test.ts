/**
 * The dashboard in a real Chromium against a real hub (`npm start`'s launcher: simulators, hub,
 * demo seed): an operator signs in, reads the home screen, switches to prod and back, browses
 * the catalog, opens the seeded Stripe connection and tests it; a viewer sees no write action
 * and the API refuses a forged write. Every screen passes axe-core (no serious or critical
 * violation) with no console error and no failed request; each flow saves a screenshot.
 */
import http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startEmailSimulator, type EmailSimulatorHandle } from '../../simulators/index.ts';
import { screenshot, type DemoHub } from './support.ts';
import { browserSuite } from './suite.ts';

/** Screens are checked by axe and photographed on a shared two-core machine: minutes, not seconds. */
const SLOW = 120_000;

const suite = browserSuite();
const { api, newContext, open, settled, expectAccessible } = suite;
let hub: DemoHub;
let receiver: http.Server;
let smtp: EmailSimulatorHandle | undefined;

beforeAll(async () => {
  await suite.start();
  hub = suite.hub;
  // Live data: an endpoint on loopback that accepts every delivery, and a few events for it.
  receiver = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const port = (receiver.address() as { port: number }).port;
  const endpoint = await api('/api/v1/endpoints', { method: 'POST', body: { url: `http://127.0.0.1:${port}/hooks`, description: 'Orders service' } });
  expect(endpoint.status).toBe(201);
  for (let i = 0; i < 3; i++) {
    const sent = await api(`/api/v1/endpoints/${String(endpoint.body.id)}/test`, { method: 'POST', body: {} });
    expect(sent.status, JSON.stringify(sent.body)).toBeLessThan(300);
  }
}, 300_000);

afterEach(() => suite.endTest());

afterAll(async () => {
  await suite.close();
  await new Promise((resolve) => receiver?.close(resolve));
  await smtp?.close();
}, 60_000);

describe('an operator', () => {
  it('signs in with the demo credentials and sees the home screen with live data', async () => {
    const page = await open(await newContext());
    const connected = page.getByRole('link', { name: 'connected: 1', exact: true });
    await connected.waitFor();
    await expect.poll(() => page.getByText('Orders service').count()).toBeGreaterThan(0);
    await expectAccessible(page);
    await screenshot(page, 'home-1440-light');
    await connected.click();
    await page.getByRole('link', { name: 'acme-stripe' }).waitFor();
    expect(new URL(page.url()).search).toBe('?status=connected');
  }, SLOW);

  it('switches to prod, which looks unmistakably different, and back to dev', async () => {
    const page = await open(await newContext());
    const switcher = page.getByLabel('Environment');
    await switcher.selectOption('prod');
    await page.getByRole('note').filter({ hasText: 'Production' }).waitFor();
    await page.getByRole('link', { name: 'connected: 0', exact: true }).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'home-prod');
    await page.getByRole('link', { name: 'Connections', exact: true }).click();
    await page.getByText('No connections in prod yet').waitFor();
    await screenshot(page, 'connections-prod-empty');
    // No integration yet: connecting an account starts in the catalog.
    await page.getByRole('button', { name: 'Connect an account' }).click();
    const dialog = page.getByRole('dialog', { name: 'Connect an account' });
    await dialog.getByRole('link', { name: 'Add one from the catalog' }).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await switcher.selectOption('dev');
    await page.getByRole('link', { name: 'acme-stripe' }).waitFor();
    expect(await page.getByRole('note').filter({ hasText: 'Production' }).count()).toBe(0);
  }, SLOW);

  it('browses the catalog by search and opens Stripe, with "Add integration"', async () => {
    const page = await open(await newContext());
    await page.getByRole('link', { name: 'Catalog' }).click();
    await page.getByRole('heading', { name: 'Catalog', level: 1 }).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'catalog');
    await page.getByLabel('Search connectors').fill('stripe');
    await page.getByLabel('Search connectors').press('Enter');
    await expect.poll(() => new URL(page.url()).searchParams.get('q')).toBe('stripe');
    await page.getByRole('link', { name: 'Stripe' }).click();
    await page.getByRole('button', { name: 'Add integration' }).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'connector-stripe');
  }, SLOW);

  it('adds a Stripe integration in prod from its catalog page', async () => {
    const page = await open(await newContext());
    await page.getByLabel('Environment').selectOption('prod');
    await page.getByRole('note').filter({ hasText: 'Production' }).waitFor();
    await page.goto(`${hub.url}/catalog/stripe`);
    await page.getByText('None yet.').waitFor();
    await page.getByRole('button', { name: 'Add integration' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add Stripe' });
    await dialog.getByLabel('Key (optional)').fill('stripe-live');
    await expectAccessible(page);
    await dialog.getByRole('button', { name: 'Add integration' }).click();
    await page.getByRole('dialog', { name: /is ready$/ }).getByRole('button', { name: 'Done' }).click();
    await page.getByRole('status').getByText(/Integration .* added/).waitFor();
    await page.getByText('stripe-live').waitFor();
    const listed = await api('/api/v1/integrations?connectorKey=stripe');
    expect((listed.body.data as { key: string }[]).map((i) => i.key)).not.toContain('stripe-live');
  }, SLOW);

  it('opens the seeded Stripe connection and tests it against the simulator', async () => {
    const page = await open(await newContext());
    await page.getByRole('link', { name: 'Connections', exact: true }).click();
    await page.getByRole('link', { name: 'acme-stripe' }).click();
    await page.getByRole('heading', { name: 'acme-stripe', level: 1 }).waitFor();
    await expect.poll(() => page.getByText('Metadata only').count()).toBe(1);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByRole('status').getByText('Connection works').waitFor();
    await expectAccessible(page);
    await screenshot(page, 'connection-1440-light');
  }, SLOW);

  it("runs the Email connector's send action from the connection screen, and shows the fields it refuses", async () => {
    // A real SMTP server on loopback stands in for the customer's mail relay.
    smtp = await startEmailSimulator();
    const integration = await api('/api/v1/integrations', { method: 'POST', body: { connectorKey: 'email', key: 'mail' } });
    expect(integration.status, JSON.stringify(integration.body)).toBe(201);
    const created = await api('/api/v1/connections', {
      method: 'POST',
      body: { integration: 'mail', endCustomerId: 'acme-mail-customer', id: 'acme-mail', credentials: smtp.sample.credentials, config: smtp.sample.connectionConfig },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);

    const page = await open(await newContext());
    await page.goto(`${hub.url}/connections/acme-mail`);
    const form = page.getByRole('form', { name: 'Action send' });
    const input = form.getByLabel('Input (JSON)');
    // Started from the schema: the required fields, empty.
    expect(JSON.parse(await input.inputValue())).toEqual({ to: '', subject: '' });

    await input.fill(JSON.stringify({ to: 'ann@example.com', subject: 'Line\r\nBcc: all@example.com', text: 'Hi' }));
    await form.getByRole('button', { name: 'Run send' }).click();
    await form.getByRole('list', { name: 'Fields the hub refused' }).getByText('/subject').waitFor();
    expect(smtp.mails).toHaveLength(0);
    // The refusal was the expected answer of this step, not a failure of the page.
    const seen = suite.problems.at(-1)!;
    expect(seen.requests).toEqual([expect.stringMatching(/POST .*\/connections\/acme-mail\/actions\/send: 400$/)]);
    seen.requests = [];
    seen.console = seen.console.filter((line) => !line.includes('status of 400'));

    await input.fill(JSON.stringify({ to: 'ann@example.com', subject: 'Your weekly report', text: 'Hello from the dashboard' }));
    await form.getByRole('button', { name: 'Run send' }).click();
    await page.getByRole('status').getByText('send ran').waitFor();
    await form.getByText('accepted').waitFor();
    expect(smtp.mails.map((m) => m.to)).toEqual([['ann@example.com']]);
    await suite.photograph(page, 'connection-action');
  }, SLOW);

  it('connects a test account through the Connect UI from the Connections screen', async () => {
    const page = await open(await newContext());
    await page.getByRole('link', { name: 'Connections', exact: true }).click();
    await page.getByRole('button', { name: 'Connect an account' }).click();
    const dialog = page.getByRole('dialog', { name: 'Connect an account' });
    await dialog.getByLabel('End customer id').fill('dashboard-test-customer');
    await dialog.getByLabel('Integration').selectOption({ label: 'Stripe (stripe)' });
    await expectAccessible(page);
    await dialog.getByRole('button', { name: 'Make the link' }).click();
    const ready = page.getByRole('dialog', { name: 'The Connect UI is ready' });
    await ready.waitFor();
    await screenshot(page, 'connect-account-link');
    const [popup] = await Promise.all([page.waitForEvent('popup'), ready.getByRole('link', { name: 'Open the Connect UI' }).click()]);
    suite.watchPage(popup);
    await popup.getByLabel('Secret key', { exact: true }).fill('sk_test_patchbaysimulator0000000001');
    await popup.getByRole('button', { name: 'Connect', exact: true }).click();
    await popup.getByRole('heading', { name: 'Stripe is connected' }).waitFor();
    await ready.getByRole('button', { name: 'Done' }).click();
    await page.reload();
    await page.getByRole('row').filter({ hasText: 'dashboard-test-customer' }).getByText('connected').waitFor();
    const made = await api('/api/v1/connections?endCustomerId=dashboard-test-customer');
    expect((made.body.data as { connectorKey: string; status: string }[]).map((c) => [c.connectorKey, c.status])).toEqual([['stripe', 'connected']]);
  }, SLOW);

  it('schedules the Stripe customers sync and follows a run to the end', async () => {
    const page = await open(await newContext());
    await page.goto(`${hub.url}/connections/acme-stripe`);
    await page.getByRole('button', { name: 'Schedule customers' }).click();
    await page.getByRole('status').getByText('customers scheduled').waitFor();
    await page.getByRole('button', { name: 'Run customers now' }).click();
    const run = page.getByRole('status', { name: 'Run of customers' });
    await run.getByText('succeeded').waitFor({ timeout: 60_000 });
    expect(await run.textContent()).toMatch(/\d+ added/);
    await page.getByRole('status').getByText('customers synced').waitFor();
    await expectAccessible(page);
    await screenshot(page, 'sync-run');
  }, SLOW);

  it('refuses to replace the Stripe key with one the provider rejects, showing its reason, and keeps the old one', async () => {
    const page = await open(await newContext());
    await page.goto(`${hub.url}/connections/acme-stripe`);
    await page.getByRole('button', { name: 'Replace credentials' }).click();
    const dialog = page.getByRole('dialog', { name: 'Replace the credentials of acme-stripe' });
    await dialog.getByLabel('Secret key').fill('sk_test_NotAKeyTheSimulatorKnows0000');
    await dialog.getByRole('button', { name: 'Test and replace' }).click();
    const alert = dialog.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/^Not replaced: .+/);
    await expectAccessible(page);
    await screenshot(page, 'replace-credentials-refused');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    // Still connected with its old key (a sync the previous flow started may still be running).
    await expect.poll(async () => (await api('/api/v1/connections/acme-stripe')).body.status, { timeout: 30_000 }).toBe('connected');
    // The refusal was the point of this flow: its 422 is the one failed request allowed.
    const seen = suite.problems.at(-1)!;
    expect(seen.requests).toEqual([expect.stringMatching(/PUT .*\/connections\/acme-stripe\/credentials: 422$/)]);
    seen.requests = [];
    seen.console = seen.console.filter((line) => !line.includes('status of 422'));
  }, SLOW);

  it('sends a test event to an endpoint and opens its delivered attempt in the message log', async () => {
    const page = await open(await newContext());
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Endpoints', exact: true }).click();
    await page.getByRole('button', { name: 'Send test event' }).first().click();
    await page.getByRole('status').getByText('Test event sent').waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Message log', exact: true }).click();
    await page.locator('.message summary').first().click();
    const attempts = page.getByRole('list', { name: /^Attempts of message/ });
    await attempts.getByText('delivered').first().waitFor();
    expect(await attempts.getByText('204').count()).toBeGreaterThan(0);
    await expectAccessible(page);
    await screenshot(page, 'message-attempt');
  }, SLOW);

  it('holds the layout at 360 px wide in the dark theme', async () => {
    const page = await open(await newContext({ width: 360, dark: true }));
    await settled(page);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    await expectAccessible(page);
    await screenshot(page, 'home-360-dark');
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('link', { name: 'Connections', exact: true }).click();
    await page.getByRole('link', { name: 'acme-stripe' }).click();
    await page.getByRole('heading', { name: 'acme-stripe', level: 1 }).waitFor();
    await settled(page);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    await expectAccessible(page);
    await screenshot(page, 'connection-360-dark');
  }, SLOW);

  it('visits every screen of the navigation without an accessibility violation, console error or failed request', async () => {
    const page = await open(await newContext({ dark: true }));
    const names = ['Home', 'Catalog', 'Integrations', 'Connections', 'Endpoints', 'Message log', 'Inbound events', 'Jobs', 'Audit log', 'Settings'];
    for (const name of names) {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
      await page.getByRole('heading', { name, level: 1 }).waitFor();
      await expectAccessible(page);
      await screenshot(page, `screen-${name.toLowerCase().replace(/ /g, '-')}-dark`);
    }
  }, SLOW * 2);
});

describe('a viewer', () => {
  it('sees no write action, and a forged write from the session gets 403', async () => {
    const member = await api('/api/v1/members', { method: 'POST', body: { email: 'viewer@acme.example', name: 'Vic Viewer', role: 'viewer' } });
    expect(member.status).toBe(201);
    const context = await newContext();
    const page = await open(context, 'viewer@acme.example', String(member.body.initialPassword));
    await page.goto(`${hub.url}/connections/acme-stripe`);
    await page.getByRole('heading', { name: 'acme-stripe', level: 1 }).waitFor();
    await settled(page);
    for (const name of ['Test connection', 'Disconnect']) expect(await page.getByRole('button', { name }).count()).toBe(0);
    await page.goto(`${hub.url}/catalog/stripe`);
    await page.getByRole('heading', { name: 'Stripe', level: 1 }).waitFor();
    await settled(page);
    expect(await page.getByRole('button', { name: 'Add integration' }).count()).toBe(0);
    await page.goto(`${hub.url}/endpoints`);
    await page.getByText('Orders service').first().waitFor().catch(() => undefined);
    await settled(page);
    expect(await page.getByRole('button', { name: 'Send test event' }).count()).toBe(0);
    await screenshot(page, 'viewer-endpoints');
    // The same session, writing by hand: the hub itself refuses it.
    const csrf = await page.evaluate<string | null>("localStorage.getItem('patchbay.csrf')");
    const forged = await context.request.post(`${hub.url}/api/v1/connections/acme-stripe/test`, { headers: { 'x-csrf-token': csrf ?? '', 'patchbay-environment': 'dev' } });
    expect(forged.status()).toBe(403);
    expect(((await forged.json()) as { detail: string }).detail).toContain('viewer');
  }, SLOW);
});
