/**
 * The embedded sync progress card in a real browser, against a hub that runs its syncs and the
 * Stripe simulator: with a read-only embed token it follows a customers run to 100 % and
 * "Succeeded" (by iframe URL, at 1,440 and 360 px, light and dark), it frames on the example
 * product page as `<patchbay-sync-progress>` beside `<patchbay-connections>`, themed, each frame
 * fitting its widget; the connections widget disconnects an account after asking; an expired
 * token is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { axeViolations, openPage, shot, startBrowserHub, STRIPE_KEY, type BrowserHub } from './connect-support.ts';

const CONNECTION = 'books-stripe';
let hub: BrowserHub;
let readOnly: { id: string; token: string; embedUrls: { syncProgress: string; connections: string } };

const primaryOf = (page: Page, selector: string) =>
  page.locator(selector).evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { getPropertyValue(n: string): string } }).getComputedStyle(el).getPropertyValue('--color-primary').trim());

beforeAll(async () => {
  hub = await startBrowserHub({ workers: true });
  const made = await hub.api('POST', '/api/v1/connections', { integration: 'stripe', id: CONNECTION, endCustomerId: 'customer-42', credentials: { apiKey: STRIPE_KEY } });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  // Paused, so the scheduler does not run it first: the run followed here is the one the test starts.
  const paused = await hub.api('PUT', `/api/v1/connections/${CONNECTION}/syncs/customers`, { enabled: false });
  expect(paused.status, JSON.stringify(paused.body)).toBe(200);
  const token = await hub.api('POST', '/api/v1/embed-tokens', { endCustomerId: 'customer-42', theme: { productName: 'Acme Books', tokens: { 'color-primary': '#0a7d5a' }, dark: { 'color-primary': '#5fd3a9' } } });
  expect(token.status).toBe(201);
  expect(token.body.scopes).toEqual(['read']);
  readOnly = token.body;
}, 180_000);
afterAll(async () => {
  await hub?.close();
}, 60_000);

describe('the sync progress card', () => {
  it('follows a customers run to 100 % and Succeeded with a read-only embed token', { timeout: 180_000 }, async () => {
    const url = new URL(readOnly.embedUrls.syncProgress);
    url.searchParams.set('connection', CONNECTION);
    url.searchParams.set('model', 'customers');
    const { page, errors } = await openPage(hub);
    await page.goto(url.href);
    await expect.poll(() => page.getByText('No sync has run yet').count()).toBe(1);
    expect(page.url()).not.toContain('pb_et_');
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'embed-sync-empty-1440-light');

    const sync = (await hub.api('GET', `/api/v1/connections/${CONNECTION}/syncs`)).body.data.find((s: { model: string }) => s.model === 'customers');
    const triggered = await hub.api('POST', `/api/v1/syncs/${sync.id}/trigger`, {});
    expect(triggered.status, JSON.stringify(triggered.body)).toBe(202);
    const card = page.getByRole('region', { name: 'customers from Stripe' });
    await expect.poll(() => card.count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => card.getByText('100 %').count(), { timeout: 120_000 }).toBe(1);
    expect(await card.getByRole('status').textContent()).toBe('Succeeded');
    expect(await card.getByRole('progressbar', { name: 'customers sync progress' }).getAttribute('value')).toBe('100');
    const records = Number((await card.locator('dt:text-is("Records") + dd').textContent())!.replace(/\D/g, ''));
    expect(records).toBeGreaterThan(0);
    expect(await card.textContent()).toMatch(/Took \d+/);
    expect(await primaryOf(page, 'html')).toBe('#0a7d5a');
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'embed-sync-succeeded-1440-light');

    await page.setViewportSize({ width: 360, height: 700 });
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect.poll(() => primaryOf(page, 'html')).toBe('#5fd3a9');
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'embed-sync-succeeded-360-dark');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('frames on the example product page as <patchbay-sync-progress>, beside the connections', { timeout: 90_000 }, async () => {
    for (const [width, colorScheme] of [
      [1440, 'light'],
      [360, 'dark'],
    ] as const) {
      const { page, errors } = await openPage(hub, { width, colorScheme });
      await page.goto(hub.exampleUrl);
      await page.getByRole('button', { name: 'Show my accounts' }).click();
      const progress = page.frameLocator('iframe[title="Sync progress"]');
      await expect.poll(() => progress.getByRole('heading', { name: /from Stripe$/ }).count(), { timeout: 20_000 }).toBe(1);
      await expect.poll(() => progress.getByText('Acme Books').count()).toBe(1);
      const list = page.frameLocator('iframe[title="Connected accounts"]');
      await expect.poll(() => list.getByText(CONNECTION).count()).toBe(1);
      // Each frame fits its widget: no scrolling inside, no empty space below.
      for (const title of ['Sync progress', 'Connected accounts']) {
        const frame = page.locator(`iframe[title="${title}"]`);
        await expect.poll(async () => {
          const outer = await frame.evaluate((el) => Math.round((el as unknown as { getBoundingClientRect(): { height: number } }).getBoundingClientRect().height));
          const inner = await page.frameLocator(`iframe[title="${title}"]`).locator('.pc-shell').evaluate((el) => Math.ceil((el as unknown as { getBoundingClientRect(): { height: number } }).getBoundingClientRect().height));
          return Math.abs(outer - inner);
        }).toBeLessThanOrEqual(1);
      }
      expect(await axeViolations(page)).toEqual([]);
      await shot(page, `embed-sync-element-${width}-${colorScheme}`);
      expect(errors).toEqual([]);
      await page.context().close();
    }
  });

  it('shows one connection’s status card with connection=, read-only', async () => {
    const url = new URL(readOnly.embedUrls.connections);
    url.searchParams.set('connection', CONNECTION);
    const { page, errors } = await openPage(hub, { width: 360, colorScheme: 'dark' });
    await page.goto(url.href);
    await expect.poll(() => page.getByRole('heading', { name: 'Your account' }).count()).toBe(1);
    await expect.poll(() => page.getByText('Connected', { exact: true }).count()).toBe(1);
    expect(await page.getByText(CONNECTION).count()).toBe(1);
    expect(await page.getByRole('button').count()).toBe(0);
    expect(await page.getByText(/^Last sync: \d/).count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'embed-status-card-360-dark');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('disconnects an account from <patchbay-connections>, after asking', async () => {
    const { page, errors } = await openPage(hub);
    await page.goto(hub.exampleUrl);
    await page.getByRole('button', { name: 'Show my accounts' }).click();
    const list = page.frameLocator('iframe[title="Connected accounts"]');
    await list.getByRole('button', { name: 'Disconnect Stripe' }).click();
    const confirm = list.getByRole('group', { name: 'Disconnect Stripe' });
    await expect.poll(() => confirm.getByText('The app will no longer reach this account').count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'embed-disconnect-confirm-1440-light');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    expect((await hub.api('GET', `/api/v1/connections/${CONNECTION}`)).status).toBe(200);
    await list.getByRole('button', { name: 'Disconnect Stripe' }).click();
    await confirm.getByRole('button', { name: 'Disconnect', exact: true }).click();
    await expect.poll(() => list.getByText('Stripe was disconnected.').count()).toBe(1);
    await expect.poll(() => list.getByText('No account is connected yet.').count()).toBe(1);
    expect((await hub.api('GET', `/api/v1/connections/${CONNECTION}`)).status).toBe(404);
    await shot(page, 'embed-disconnected-1440-light');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('refuses an expired embed token, in the card and in the API', async () => {
    const made = await hub.api('POST', '/api/v1/embed-tokens', { endCustomerId: 'customer-42' });
    await hub.database.db.execute(sql`update embed_tokens set expires_at = now() - interval '1 second' where id = ${made.body.id}`);
    const { page, errors } = await openPage(hub, { width: 360 });
    await page.goto(made.body.embedUrls.syncProgress);
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('This widget’s link has expired');
    expect(await page.getByRole('progressbar').count()).toBe(0);
    await shot(page, 'embed-sync-expired-360-light');
    expect(errors.filter((e) => !e.includes('401'))).toEqual([]);
    const res = await fetch(`${hub.url}/api/v1/embed/sync-runs/latest`, { headers: { authorization: `Bearer ${made.body.token}` } });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    await page.context().close();
  });
});
