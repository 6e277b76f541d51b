/**
 * The Connect UI in a real browser, opened by the example product page through the SDK: an
 * API-key account connected with the manifest's form, a refused key, a themed session, a
 * reconnect, a forged message, and the embedded connections widget.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { rows } from '../../src/db/index.ts';
import { startAuthorizationServer, type AuthorizationServer } from '../support/authorization-server.ts';
import { axeViolations, clickDoneAndClose, openPage, shot, startBrowserHub, STRIPE_KEY, type BrowserHub } from './connect-support.ts';

const WRONG_KEY = 'sk_test_00000000000000000000wrong';
const NEXT_KEY = 'sk_test_rotatedinthebrowser000000004';
let hub: BrowserHub;

const connectionsOf = async (endCustomerId: string) => (await hub.api('GET', `/api/v1/connections?endCustomerId=${endCustomerId}`)).body.data as { id: string; status: string }[];

/** Clicks a button on the example page and returns the Connect UI popup it opens. */
async function openPopup(page: Page, name = 'Connect an account'): Promise<Page> {
  const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByRole('button', { name }).click()]);
  await popup.waitForLoadState();
  return popup;
}

beforeAll(async () => {
  hub = await startBrowserHub();
}, 120_000);
afterAll(async () => {
  await hub?.close();
});

describe('the Connect UI opened by the example product page', () => {
  // The file's first page: Chromium's first context and the hub's first compiles land here, on a shared machine.
  it('connects a Stripe account with the API-key form, and the promise resolves with the connection', { timeout: 90_000 }, async () => {
    const { page, errors } = await openPage(hub);
    await page.goto(hub.exampleUrl);
    const popup = await openPopup(page);
    await popup.setViewportSize({ width: 1440, height: 900 });
    await expect.poll(() => popup.getByRole('heading', { name: 'Connect Stripe' }).count()).toBe(1);
    const key = popup.getByLabel('Secret key', { exact: true });
    await key.fill('pk_test_nope');
    await expect.poll(() => popup.getByText('Must match: starts with sk_live_, sk_test_, rk_live_ or rk_test_.').count()).toBe(1);
    expect(await key.getAttribute('aria-invalid')).toBe('true');
    await key.fill(STRIPE_KEY);
    await expect.poll(() => key.getAttribute('aria-invalid')).toBeNull();
    expect(await axeViolations(popup)).toEqual([]);
    await shot(popup, 'connect-form-1440-light');
    await popup.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => popup.getByText('It works: Stripe accepted these details.').count()).toBe(1);
    expect(await connectionsOf('customer-42')).toEqual([]);
    await popup.getByRole('button', { name: 'Connect', exact: true }).click();
    await expect.poll(() => popup.getByRole('heading', { name: 'Stripe is connected' }).count()).toBe(1);
    expect(await axeViolations(popup)).toEqual([]);
    await shot(popup, 'connect-success-1440-light');

    await expect.poll(() => page.locator('#result').getAttribute('data-connection-id')).toMatch(/^conn_/);
    const connectionId = await page.locator('#result').getAttribute('data-connection-id');
    const made = await connectionsOf('customer-42');
    expect(made).toEqual([expect.objectContaining({ id: connectionId, status: 'connected' })]);
    await clickDoneAndClose(popup);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('shows the provider’s refusal for a wrong key in the modal, and creates nothing', async () => {
    const before = (await connectionsOf('customer-42')).length;
    const { page, errors } = await openPage(hub, { width: 360 });
    await page.goto(hub.exampleUrl);
    await page.getByRole('button', { name: 'Connect in this page' }).click();
    const dialog = page.getByRole('dialog', { name: 'Connect an account' });
    await expect.poll(() => dialog.count()).toBe(1);
    const frame = page.frameLocator('iframe[title="Connect an account"]');
    await frame.getByLabel('Secret key', { exact: true }).fill(WRONG_KEY);
    await frame.getByRole('button', { name: 'Connect', exact: true }).click();
    const alert = frame.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('Stripe did not accept the secret key (HTTP 401)');
    expect(await alert.textContent()).toContain('It did not work (401)');
    await shot(page, 'connect-refused-360-light');
    expect((await connectionsOf('customer-42')).length).toBe(before);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('#result').textContent()).toContain('Not connected (closed)');
    expect(await dialog.count()).toBe(0);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('renders the session’s themed primary colour, light and dark, at 360 and 1,440 px', { timeout: 90_000 }, async () => {
    for (const [width, colorScheme, expected] of [
      [360, 'light', 'rgb(10, 125, 90)'],
      [360, 'dark', 'rgb(95, 211, 169)'],
      [1440, 'dark', 'rgb(95, 211, 169)'],
    ] as const) {
      const { page, errors } = await openPage(hub, { width, colorScheme });
      await page.goto(hub.exampleUrl);
      const popup = await openPopup(page);
      await popup.setViewportSize({ width, height: 800 });
      const button = popup.getByRole('button', { name: 'Connect', exact: true });
      await expect.poll(() => button.count()).toBe(1);
      expect(await button.evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(el).backgroundColor)).toBe(expected);
      expect(await popup.getByText('Acme Books').count()).toBe(1);
      expect(await axeViolations(popup)).toEqual([]);
      await shot(popup, `connect-themed-${width}-${colorScheme}`);
      expect(errors).toEqual([]);
      await page.context().close();
    }
  });

  it('ignores a message from a foreign origin that pretends to be the Connect UI', async () => {
    const { page, errors } = await openPage(hub);
    const ignored: string[] = [];
    page.on('console', (m) => m.text() === 'patchbay ignored_message' && ignored.push(m.text()));
    await page.goto(hub.exampleUrl);
    const popup = await openPopup(page);
    await expect.poll(() => popup.getByRole('heading', { name: 'Connect Stripe' }).count()).toBe(1);
    // A frame of another origin (an opaque data: document) on the product page forges a "connected" message.
    const forged = JSON.stringify({ channel: 'patchbay-connect', type: 'connected', connectionId: 'forged', integrationId: 'x', endCustomerId: 'y' });
    const frame = await page.evaluateHandle((src) => {
      const doc = (globalThis as unknown as { document: { createElement(t: string): { src: string; title: string }; body: { append(e: unknown): void } } }).document;
      const el = doc.createElement('iframe');
      el.title = 'foreign';
      el.src = src;
      doc.body.append(el);
      return el;
    }, `data:text/html,${encodeURIComponent(`<script>parent.postMessage(${forged}, '*')</script>`)}`);
    expect(frame).toBeTruthy();
    await expect.poll(() => ignored.length).toBe(1);
    expect(await page.locator('#result').textContent()).toBe('');
    // A string, so the test runner leaves the page's own dynamic import alone.
    const count = await page.evaluate(`import(${JSON.stringify(`${hub.url}/sdk/connect.js`)}).then((sdk) => sdk.ignoredMessages())`);
    expect(count).toBe(1);
    await popup.close();
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('replaces the credentials of an existing connection through a reconnect session (same id)', async () => {
    hub.stripe.control.credentials.add(NEXT_KEY);
    const made = await hub.api('POST', '/api/v1/connections', { integration: 'stripe', id: 'books-stripe', endCustomerId: 'customer-42', credentials: { apiKey: STRIPE_KEY } });
    expect(made.status).toBe(201);
    const { page, errors } = await openPage(hub);
    await page.goto(`${hub.exampleUrl}/?reconnect=books-stripe`);
    const popup = await openPopup(page);
    await expect.poll(() => popup.getByRole('heading', { name: 'Reconnect Stripe' }).count()).toBe(1);
    await popup.getByLabel('Secret key', { exact: true }).fill(NEXT_KEY);
    await popup.getByRole('button', { name: 'Save and connect' }).click();
    await expect.poll(() => popup.getByRole('heading', { name: 'Stripe is connected again' }).count()).toBe(1);
    await shot(popup, 'connect-reconnected-1440-light');
    await expect.poll(() => page.locator('#result').getAttribute('data-connection-id')).toBe('books-stripe');
    const secret = await hub.api('GET', '/api/v1/connections/books-stripe/credentials');
    expect(secret.body.credentials.apiKey).toBe(NEXT_KEY);
    const audit = await rows<{ n: number }>(hub.database.db, sql`select count(*)::int as n from audit_log where action = 'connection.credentials_replaced' and target_id = 'books-stripe'`);
    expect(audit[0]!.n).toBe(1);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});

describe('the embedded connections widget', () => {
  it('shows the end customer’s connections with an embed token, and refuses an expired one', async () => {
    const made = await hub.api('POST', '/api/v1/embed-tokens', { endCustomerId: 'customer-42', theme: { tokens: { 'color-primary': '#0a7d5a' } } });
    expect(made.status).toBe(201);
    const { page, errors } = await openPage(hub, { width: 360 });
    await page.goto(made.body.embedUrls.connections);
    await expect.poll(() => page.getByText('books-stripe').count().then(() => page.getByText('Stripe').count())).toBeGreaterThan(0);
    await expect.poll(() => page.getByText('Connected', { exact: true }).count()).toBeGreaterThan(0);
    expect(await page.getByRole('button', { name: /Reconnect|Disconnect/ }).count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'embed-connections-360-light');
    await hub.database.db.execute(sql`update embed_tokens set expires_at = now() - interval '1 second' where id = ${made.body.id}`);
    await page.reload();
    await expect.poll(() => page.getByText('This widget’s link has expired').count()).toBe(1);
    expect(errors.filter((e) => !e.includes('401'))).toEqual([]);
    await page.context().close();
  });
});

describe('the Connect UI on its own (the session’s connectUiUrl)', () => {
  it('connects with the keyboard only', async () => {
    const session = await hub.api('POST', '/api/v1/connect/sessions', { endCustomerId: 'keyboard-user', integrations: ['stripe'] });
    expect(session.status).toBe(201);
    const { page, errors } = await openPage(hub, { width: 360, colorScheme: 'dark' });
    await page.goto(session.body.connectUiUrl);
    await expect.poll(() => page.getByRole('heading', { name: 'Connect Stripe' }).count()).toBe(1);
    expect(page.url()).not.toContain('pb_cs_');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement && document.activeElement.getAttribute("name")')).toBe('apiKey');
    await page.keyboard.type(STRIPE_KEY);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('heading', { name: 'Stripe is connected' }).count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'connect-keyboard-success-360-dark');
    expect((await connectionsOf('keyboard-user')).map((c) => c.status)).toEqual(['connected']);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('shows an integration in its default theme when the session sets none', async () => {
    expect((await hub.api('PUT', '/api/v1/integrations/stripe/connect-theme', { tokens: { 'color-primary': '#aa3300' } })).status).toBe(200);
    try {
      const session = await hub.api('POST', '/api/v1/connect/sessions', { endCustomerId: 'plain-user', integrations: ['stripe'] });
      const { page, errors } = await openPage(hub);
      await page.goto(session.body.connectUiUrl);
      const button = page.getByRole('button', { name: 'Connect', exact: true });
      await expect.poll(() => button.count()).toBe(1);
      expect(await button.evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(el).backgroundColor)).toBe('rgb(170, 51, 0)');
      expect(errors).toEqual([]);
      await page.context().close();
    } finally {
      await hub.api('DELETE', '/api/v1/integrations/stripe/connect-theme');
    }
  });

  it('says the link has expired for an expired session', async () => {
    const session = await hub.api('POST', '/api/v1/connect/sessions', { endCustomerId: 'late-user', integrations: ['stripe'] });
    await hub.database.db.execute(sql`update connect_sessions set expires_at = now() - interval '1 second' where id = ${session.body.id}`);
    const { page } = await openPage(hub);
    await page.goto(session.body.connectUiUrl);
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('This connect link has expired.');
    await shot(page, 'connect-expired-1440-light');
    await page.context().close();
  });
});

describe('the <patchbay-connections> element', () => {
  it('frames the widget on the product page, with Reconnect when the embed token may connect', async () => {
    const made = await hub.api('POST', '/api/v1/embed-tokens', { endCustomerId: 'customer-42', scopes: ['read', 'connect'], origins: [hub.exampleUrl] });
    expect(made.status).toBe(201);
    const { page, errors } = await openPage(hub);
    await page.goto(hub.exampleUrl);
    await page.evaluate(
      `import(${JSON.stringify(`${hub.url}/sdk/connect.js`)}).then(() => { const el = document.createElement('patchbay-connections'); el.setAttribute('token', ${JSON.stringify(made.body.token)}); document.body.append(el); })`,
    );
    const widget = page.frameLocator('iframe[title="Connected accounts"]');
    await expect.poll(() => widget.getByText('books-stripe').count()).toBe(1);
    expect(await widget.getByRole('button', { name: 'Reconnect Stripe' }).count()).toBeGreaterThan(0);
    expect(await widget.getByRole('button', { name: 'Disconnect Stripe' }).count()).toBeGreaterThan(0);
    expect(await widget.getByRole('button', { name: 'Connect an account' }).count()).toBe(1);
    await shot(page, 'embed-element-1440-light');
    expect(errors).toEqual([]);
    await page.context().close();
  });
});

describe('an OAuth account in the popup (a real authorization server)', () => {
  let as: AuthorizationServer | undefined;
  afterAll(async () => {
    await as?.close();
  });

  it('connects in a popup, says so when consent is declined, and lets the end customer try again', async () => {
    as = await startAuthorizationServer({ redirectUri: `${hub.url}/oauth/callback` });
    const integration = await hub.api('POST', '/api/v1/integrations', {
      connectorKey: 'custom-oauth',
      clientId: as.clientId,
      clientSecret: as.clientSecret,
      scopes: ['openid', 'profile', 'offline_access'],
      config: { authorizationUrl: as.urls.authorizationUrl, tokenUrl: as.urls.tokenUrl, revocationUrl: as.urls.revocationUrl, apiBaseUrl: as.issuer, testPath: '/me' },
    });
    expect(integration.status, JSON.stringify(integration.body)).toBe(201);
    const { page, errors } = await openPage(hub);
    await page.goto(hub.exampleUrl);
    const popup = await openPopup(page);
    await expect.poll(() => popup.getByRole('heading', { name: 'Choose the app to connect' }).count()).toBe(1);
    expect(await axeViolations(popup)).toEqual([]);
    await shot(popup, 'connect-list-480-light');
    await popup.getByRole('button', { name: /Custom OAuth/ }).click();
    as.declineNextConsent();
    const [declined] = await Promise.all([popup.waitForEvent('popup'), popup.getByRole('button', { name: /^Continue to/ }).click()]);
    await expect.poll(() => popup.getByRole('alert').textContent(), { timeout: 15_000 }).toContain('access was declined');
    expect(declined.isClosed()).toBe(true);
    await shot(popup, 'connect-oauth-denied-480-light');
    const [authorizing] = await Promise.all([popup.waitForEvent('popup'), popup.getByRole('button', { name: 'Try again' }).click()]);
    await expect.poll(() => popup.getByRole('heading', { name: /is connected$/ }).count(), { timeout: 15_000 }).toBe(1);
    expect(authorizing.isClosed()).toBe(true);
    await expect.poll(() => page.locator('#result').getAttribute('data-connection-id')).toMatch(/^conn_/);
    const id = await page.locator('#result').getAttribute('data-connection-id');
    const connection = await hub.api('GET', `/api/v1/connections/${id}`);
    expect(connection.body).toMatchObject({ integrationId: integration.body.id, endCustomerId: 'customer-42', credentialType: 'oauth2', status: 'connected' });
    expect(errors.filter((e) => !e.includes('/oauth/callback'))).toEqual([]);
    await page.context().close();
  });
});
