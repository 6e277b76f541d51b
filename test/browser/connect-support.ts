/**
 * What the Connect UI's browser tests share: one real hub per file listening on loopback (its
 * PUBLIC_URL the address it really serves), the Stripe simulator behind a Stripe integration,
 * the example product page (examples/connect-page) on another port, and Debian's Chromium
 * driven by playwright-core. Screenshots go to test/browser/screenshots/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { chromium, type Browser, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { loadConfig, systemClock } from '../../src/core/index.ts';
import { bootstrapOrganization } from '../../src/auth/index.ts';
import { createHub } from '../../src/hub/index.ts';
import { startSimulator, type SimulatorHandle } from '../../simulators/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { captureLogs } from '../support/logs.ts';
import { ROOT } from '../support/process.ts';

export const SCREENSHOTS = path.join(ROOT, 'test/browser/screenshots');
export const STRIPE_KEY = 'sk_test_patchbaysimulator0000000001';

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface BrowserHub {
  url: string;
  apiKey: string;
  exampleUrl: string;
  stripe: SimulatorHandle;
  browser: Browser;
  database: TestDatabase;
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/**
 * `workers`: the hub also runs its jobs (syncs, health checks) — what the sync progress card
 * follows; without them it serves the API and pages only, and nothing runs behind a test's back.
 */
export async function startBrowserHub(options: { workers?: boolean } = {}): Promise<BrowserHub> {
  const database = await createTestDatabase();
  const logs = captureLogs('info');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    PATCHBAY_DATA_DIR: database.dataDir,
    PUBLIC_URL: url,
    PORT: String(port),
    HOST: '127.0.0.1',
    ...(database.url ? { DATABASE_URL: database.url, PATCHBAY_SECRET_KEYS: `test:${randomBytes(32).toString('base64')}` } : {}),
  });
  const hub = await createHub({ config, database, logger: logs.logger, clock: systemClock, role: options.workers ? 'all' : 'api' });
  const seed = (await bootstrapOrganization(database.db, {
    organizationName: 'Acme',
    organizationSlug: 'acme',
    environments: ['dev'],
    ownerEmail: 'owner@acme.test',
    ownerName: 'Olive Owner',
    ownerPassword: 'correct horse battery staple',
    keyEnvironment: 'dev',
    allowPrivateNetworksIn: ['dev'],
  }))!;
  await hub.start();
  const stripe = await startSimulator('stripe');
  const api = async (method: string, route: string, body?: unknown) => {
    const res = await fetch(`${url}${route}`, {
      method,
      headers: { authorization: `Bearer ${seed.apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: await res.json().catch(() => null) };
  };
  const made = await api('POST', '/api/v1/integrations', { connectorKey: 'stripe', baseUrl: stripe.baseUrl });
  if (made.status !== 201) throw new Error(`stripe integration: ${JSON.stringify(made.body)}`);

  const examplePort = await freePort();
  const example: ChildProcess = spawn(process.execPath, [path.join(ROOT, 'examples/connect-page/server.mjs')], {
    env: { ...process.env, PATCHBAY_URL: url, PATCHBAY_API_KEY: seed.apiKey, PORT: String(examplePort) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    example.stdout!.on('data', (chunk: Buffer) => String(chunk).includes('Example product page') && resolve());
    example.once('exit', (code) => reject(new Error(`the example page exited with ${code}`)));
  });

  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    url,
    apiKey: seed.apiKey,
    exampleUrl: `http://127.0.0.1:${examplePort}`,
    stripe,
    browser,
    database,
    api,
    async close() {
      await browser.close();
      example.kill('SIGTERM');
      await stripe.close();
      await hub.stop();
      await database.drop();
    },
  };
}

/** A page that fails the test on any console error or uncaught exception. */
export async function openPage(hub: BrowserHub, options: { width?: number; colorScheme?: 'light' | 'dark' } = {}): Promise<{ page: Page; errors: string[] }> {
  const context = await hub.browser.newContext({ viewport: { width: options.width ?? 1440, height: 900 }, colorScheme: options.colorScheme ?? 'light' });
  const page = await context.newPage();
  const errors: string[] = [];
  context.on('page', (p) => watch(p, errors));
  watch(page, errors);
  return { page, errors };
}

function watch(page: Page, errors: string[]) {
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${page.url()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`));
}

/** axe-core's violations on the page (WCAG 2 A and AA rules), as "rule: target" lines. */
export async function axeViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page: page as never }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
}

export const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });

/**
 * Clicks the Connect UI popup's "Done", which closes the window from its own click handler:
 * Playwright may then report the click as interrupted by the closing page, which is its success.
 */
export async function clickDoneAndClose(popup: Page): Promise<void> {
  const closed = popup.waitForEvent('close');
  await popup
    .getByRole('button', { name: 'Done' })
    .click()
    .catch((err: unknown) => {
      if (!popup.isClosed()) throw err;
    });
  await closed;
}
