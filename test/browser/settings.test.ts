/**
 * Settings in a real Chromium against a real hub (`npm start`'s launcher): the owner adds a
 * member (a one-time password shown once), changes their role and removes them, adds an
 * environment and lets it reach private networks; the new member, a viewer, sees the same
 * settings, sync runs and mappings with no write action. Every screen passes axe-core with no console error and no
 * failed request, at 1,440 and 360 px, light and dark.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { screenshot, signIn, type DemoHub } from './support.ts';
import { browserSuite } from './suite.ts';

const SLOW = 180_000;

const suite = browserSuite({ defaultTimeoutMs: 30_000 });
const { newContext, watchPage } = suite;
let hub: DemoHub;

/** The API's answer body, after checking it succeeded. */
async function api(path: string, init: { method?: string; body?: unknown } = {}): Promise<Record<string, any>> {
  const answer = await suite.api(path, init);
  expect(answer.status).toBeLessThan(300);
  return answer.body;
}

/** Signed in, on the settings screen. */
async function open(context: BrowserContext, email?: string, password?: string): Promise<Page> {
  const page = await suite.open(context, email, password);
  await page.goto(`${hub.url}/settings`);
  await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
  return page;
}

const expectAccessible = suite.expectAccessible;

beforeAll(async () => {
  await suite.start();
  hub = suite.hub;
}, 300_000);

afterEach(() => suite.endTest());

afterAll(() => suite.close(), 60_000);

const members = () => api('/api/v1/members').then((body) => body.data as { email: string; role: string }[]);
let viewerPassword = '';

describe('an owner in settings', () => {
  it('sees the members, with themselves marked, and the environments', async () => {
    const page = await signIn(await newContext(), hub);
    watchPage(page);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    const table = page.getByRole('table', { name: 'Members of the organization' });
    await table.getByText(`${hub.email}`).waitFor();
    expect(await table.getByText('(you)').count()).toBe(1);
    const environments = page.getByRole('table', { name: 'Environments of the organization' });
    await environments.getByText('prod', { exact: true }).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'settings-1440-light');
  }, SLOW);

  it('adds a member, who gets a one-time password shown once, changes their role and removes them', async () => {
    const page = await open(await newContext());
    await page.getByRole('button', { name: 'Add member' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a member' });
    await dialog.getByLabel('Email').fill('dana@acme.example');
    await dialog.getByLabel('Name').fill('Dana Developer');
    await dialog.getByLabel('Role').selectOption('developer');
    await dialog.getByRole('button', { name: 'Add' }).click();
    const handover = page.getByRole('dialog', { name: 'Hand over the one-time password' });
    const password = (await handover.locator('code').textContent())!;
    expect(password.length).toBeGreaterThanOrEqual(12);
    await expectAccessible(page);
    await handover.getByRole('button', { name: 'Done' }).click();
    expect(await members()).toContainEqual(expect.objectContaining({ email: 'dana@acme.example', role: 'developer' }));

    await page.getByLabel('Role of dana@acme.example').selectOption('viewer');
    await page.getByRole('status').getByText('dana@acme.example is now viewer').waitFor();
    expect(await members()).toContainEqual(expect.objectContaining({ email: 'dana@acme.example', role: 'viewer' }));
    viewerPassword = password;

    // A second member, removed again.
    await page.getByRole('button', { name: 'Add member' }).click();
    await dialog.getByLabel('Email').fill('temp@acme.example');
    await dialog.getByLabel('Name').fill('Temporary');
    await dialog.getByRole('button', { name: 'Add' }).click();
    await handover.getByRole('button', { name: 'Done' }).click();
    const row = page.getByRole('row').filter({ hasText: 'temp@acme.example' });
    await row.getByRole('button', { name: 'Remove' }).click();
    await page.getByRole('dialog', { name: 'Remove temp@acme.example?' }).getByRole('button', { name: 'Remove' }).click();
    await page.getByRole('status').getByText('temp@acme.example removed').waitFor();
    await expect.poll(() => row.count()).toBe(0);
    expect((await members()).map((m) => m.email)).not.toContain('temp@acme.example');
  }, SLOW);

  it('adds a staging environment, lets it reach private networks, and finds it in the switcher', async () => {
    const page = await open(await newContext());
    await page.getByRole('button', { name: 'Add environment' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add an environment' });
    await dialog.getByLabel('Name').fill('staging');
    await dialog.getByRole('button', { name: 'Add' }).click();
    await page.getByRole('status').getByText('Environment staging added').waitFor();
    const row = page.getByRole('row').filter({ hasText: 'staging' });
    const toggle = row.getByRole('checkbox', { name: 'Allow loopback and private addresses' });
    expect(await toggle.isChecked()).toBe(false);
    await toggle.click();
    await page.getByRole('status').getByText('staging may reach private networks').waitFor();
    await expect.poll(() => toggle.isChecked()).toBe(true);
    const staging = (await api('/api/v1/environments')).data.find((e: { name: string }) => e.name === 'staging');
    expect(staging).toMatchObject({ allowPrivateNetworks: true });
    await page.getByLabel('Environment', { exact: true }).selectOption('staging');
    await expectAccessible(page);
  }, SLOW);

  it('refuses an environment name that already exists, saying why', async () => {
    const page = await open(await newContext());
    await page.getByRole('button', { name: 'Add environment' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add an environment' });
    await dialog.getByLabel('Name').fill('prod');
    const answer = page.waitForResponse((res) => res.url().endsWith('/api/v1/environments') && res.request().method() === 'POST');
    await dialog.getByRole('button', { name: 'Add' }).click();
    expect((await answer).status()).toBe(409);
    expect(await dialog.getByRole('alert').textContent()).toMatch(/^Not added: .*already exists/);
    // The refusal was expected here: it is not a failure of the page.
    const seen = suite.problems.at(-1)!;
    seen.requests = seen.requests.filter((r) => !r.endsWith('/api/v1/environments: 409'));
    seen.console = seen.console.filter((c) => !c.includes('status of 409'));
  }, SLOW);
});

describe('a viewer in settings', () => {
  it('sees members and environments with no write action', async () => {
    const page = await open(await newContext(), 'dana@acme.example', viewerPassword);
    await page.getByRole('table', { name: 'Members of the organization' }).getByText(hub.email).waitFor();
    await page.getByRole('table', { name: 'Environments of the organization' }).getByText('staging').waitFor();
    for (const name of ['Add member', 'Add environment', 'Remove', 'Create API key']) expect(await page.getByRole('button', { name }).count(), name).toBe(0);
    expect(await page.getByRole('checkbox').count()).toBe(0);
    expect(await page.getByRole('combobox', { name: /^Role of / }).count()).toBe(0);
    await expectAccessible(page);
    await screenshot(page, 'settings-viewer');

    // Nor on a sync run, a mapping or the conflicts queue.
    const sync = await api('/api/v1/connections/acme-stripe/syncs/customers', { method: 'PUT', body: { enabled: false } });
    const { run } = await api(`/api/v1/syncs/${String(sync.id)}/trigger`, { method: 'POST', body: {} });
    await expect.poll(async () => (await api(`/api/v1/sync-runs/${String(run.id)}`)).status, { timeout: 90_000 }).toBe('succeeded');
    const mapping = await api('/api/v1/mappings', { method: 'POST', body: { connectionId: 'acme-stripe', model: 'customers', fields: [{ source: 'id', target: 'id', direction: 'import' }] } });
    await page.goto(`${hub.url}/syncs/runs/${String(run.id)}`);
    await page.getByRole('status', { name: 'Run of customers' }).getByText('100 %').waitFor();
    await page.goto(`${hub.url}/syncs/mappings/${String(mapping.id)}`);
    await page.getByRole('table', { name: 'Fields of the mapping' }).getByText('id', { exact: true }).first().waitFor();
    expect(await page.getByRole('textbox').count()).toBe(0);
    for (const name of ['Save mapping', 'Delete mapping', 'Add a field']) expect(await page.getByRole('button', { name }).count(), name).toBe(0);
    await page.goto(`${hub.url}/syncs/runs/${String(run.id)}`);
    await page.getByRole('heading', { name: 'customers run', level: 1 }).waitFor();
    for (const name of [/again/, /^Roll back/, /^Cancel/]) expect(await page.getByRole('button', { name }).count(), String(name)).toBe(0);
    await page.goto(`${hub.url}/syncs/mappings`);
    await page.getByRole('table', { name: 'Mappings' }).waitFor();
    expect(await page.getByRole('button', { name: 'New mapping' }).count()).toBe(0);
  }, SLOW);
});

describe('the settings screen', () => {
  it('holds at 360 px and in dark, with no accessibility violation', async () => {
    // One sign-in for every size and scheme: the hub allows 10 sign-ins a minute.
    const page = await open(await newContext());
    for (const [width, dark] of [
      [1440, true],
      [360, false],
      [360, true],
    ] as const) {
      await page.setViewportSize({ width, height: 900 });
      await page.emulateMedia({ colorScheme: dark ? 'dark' : 'light' });
      await page.reload();
      await page.getByRole('table', { name: 'Members of the organization' }).getByText(hub.email).waitFor();
      await expectAccessible(page);
      await screenshot(page, `settings-${width}-${dark ? 'dark' : 'light'}`);
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(width);
    }
  }, SLOW);
});
