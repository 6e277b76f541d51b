/**
 * Connect UI acceptance against what `npm start` runs: the example product page
 * (examples/connect-page) beside the demo hub connects a Stripe account with its API key and a
 * HubSpot account through OAuth (the simulator's authorization server, mounted in the hub),
 * themed by the example's session, and the dashboard lists both connections.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, signIn, startDemoHub, watch, type DemoHub } from './support.ts';

const STRIPE_KEY = 'sk_test_patchbaysimulator0000000001';
let hub: DemoHub;
let browser: Browser;
let example: ChildProcess;
let exampleUrl: string;

beforeAll(async () => {
  [hub, browser] = await Promise.all([startDemoHub(), launchBrowser()]);
  example = spawn(process.execPath, [path.join(import.meta.dirname, '../../examples/connect-page/server.mjs')], {
    env: { ...process.env, PATCHBAY_URL: hub.url, PATCHBAY_API_KEY: hub.apiKey, PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  exampleUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    example.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const found = /on (http:\/\/\S+)/.exec(out);
      if (found) resolve(found[1]!);
    });
    example.once('exit', (code) => reject(new Error(`the example page exited (${code}): ${out}`)));
  });
}, 300_000);
afterAll(async () => {
  example?.kill('SIGTERM');
  await browser?.close();
  await hub?.close();
});

async function openConnectUi(page: Page): Promise<Page> {
  const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByRole('button', { name: 'Connect an account' }).click()]);
  await popup.waitForLoadState();
  return popup;
}

describe('the example page beside npm start', () => {
  it('connects a Stripe account with its key and a HubSpot account through OAuth, themed, and the dashboard lists both', { timeout: 180_000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const problems = watch(page);
    await page.goto(exampleUrl);

    // An API-key account: the form from Stripe's manifest, tested against the simulator.
    const stripe = await openConnectUi(page);
    await stripe.getByRole('button', { name: /Stripe/ }).click();
    await stripe.getByLabel('Secret key', { exact: true }).fill(STRIPE_KEY);
    const connect = stripe.getByRole('button', { name: 'Connect', exact: true });
    // The session's theme (the example's primary colour) is what the end customer sees.
    expect(await connect.evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(el).backgroundColor)).toBe('rgb(10, 125, 90)');
    await connect.click();
    await expect.poll(() => stripe.getByRole('heading', { name: 'Stripe is connected' }).count(), { timeout: 30_000 }).toBe(1);
    await screenshot(stripe, 'npm-start-connect-stripe');
    await expect.poll(() => page.locator('#result').getAttribute('data-connection-id')).toMatch(/^conn_/);
    const stripeConnection = await page.locator('#result').getAttribute('data-connection-id');
    await stripe.getByRole('button', { name: 'Done' }).click();

    // An OAuth account: the popup goes to the provider's consent and comes back connected.
    const hubspot = await openConnectUi(page);
    await hubspot.getByRole('button', { name: /HubSpot/ }).click();
    await hubspot.getByRole('button', { name: 'Continue to HubSpot' }).click();
    await expect.poll(() => hubspot.getByRole('heading', { name: 'HubSpot is connected' }).count(), { timeout: 30_000 }).toBe(1);
    await screenshot(hubspot, 'npm-start-connect-hubspot');
    await expect.poll(() => page.locator('#result').getAttribute('data-connection-id')).not.toBe(stripeConnection);
    const hubspotConnection = await page.locator('#result').getAttribute('data-connection-id');
    expect(hubspotConnection).toMatch(/^conn_/);

    // Both are connections of the example's end customer, seen through the API and the dashboard.
    const listed = await fetch(`${hub.url}/api/v1/connections?endCustomerId=customer-42`, { headers: { authorization: `Bearer ${hub.apiKey}` } });
    const { data } = (await listed.json()) as { data: { id: string; connectorKey: string; status: string }[] };
    expect(data.map((c) => [c.connectorKey, c.status]).sort()).toEqual([
      ['hubspot', 'connected'],
      ['stripe', 'connected'],
    ]);
    const dashboard = await signIn(context, hub);
    await dashboard.goto(`${hub.url}/connections?endCustomerId=customer-42`);
    for (const id of [stripeConnection!, hubspotConnection!]) {
      await expect.poll(() => dashboard.getByText(id, { exact: false }).count(), { timeout: 20_000 }).toBeGreaterThan(0);
    }
    // Filtered to the example's end customer: the demo's own connection is not in the list.
    await expect.poll(() => dashboard.getByText('acme-stripe').count()).toBe(0);
    await screenshot(dashboard, 'npm-start-connect-dashboard');
    expect(problems.console).toEqual([]);
    await context.close();
  });
});
