/**
 * A real hub for the browser tests: `npm start`'s launcher (simulators, hub, demo seed) as a
 * child process on a loopback port chosen by the system, on a copy of the PGlite template or a
 * fresh PostgreSQL database, and Debian's Chromium driven by playwright-core. A page records
 * console errors and failed requests; axe-core checks it; screenshots go to screenshots/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { copyPgliteTemplate, createPostgresDatabase, dropPostgresDatabase, onPostgres } from '../support/db.ts';
import { childEnv, startTs, type Child } from '../support/process.ts';
import { ensureDashboardBuilt } from '../../demo/build-web.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = path.join(import.meta.dirname, 'screenshots');

export interface DemoHub {
  url: string;
  email: string;
  password: string;
  apiKey: string;
  child: Child;
  close(): Promise<void>;
}

/** Fails loudly: the browser suite never skips for want of a browser. */
export function requireChromium(): void {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`The browser tests need Chromium at ${CHROMIUM}: apt-get install -y chromium (.ci/run installs it).`);
  }
}

export async function startDemoHub(): Promise<DemoHub> {
  await ensureDashboardBuilt(() => undefined);
  const dataDir = copyPgliteTemplate('browser');
  const extra: Record<string, string> = { PATCHBAY_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' };
  let databaseUrl: string | undefined;
  if (onPostgres()) {
    databaseUrl = await createPostgresDatabase();
    extra.DATABASE_URL = databaseUrl;
    extra.PATCHBAY_SECRET_KEYS = `browser:${Buffer.alloc(32, 9).toString('base64')}`;
  }
  const child = startTs('demo/start.ts', [], childEnv(extra));
  const cleanup = async () => {
    await child.stop();
    if (databaseUrl) await dropPostgresDatabase(databaseUrl);
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  let found: { url: string; email: string; password: string; apiKey: string };
  try {
    // A shared two-core machine can take minutes to start a hub while other suites run.
    const url = (await child.waitFor(/running at (http:\/\/\S+)/, 240_000))[1]!;
    const [, email, password] = await child.waitFor(/Sign in:.* with (\S+@\S+) \/ (\S+)/);
    const apiKey = (await child.waitFor(/(pb_test_[0-9a-z]+)/))[1]!;
    await child.waitFor(/Stop with Ctrl-C/);
    found = { url, email: email!, password: password!, apiKey };
  } catch (err) {
    // Never leave a hub behind when the start failed.
    await cleanup();
    throw err;
  }
  return { ...found, child, close: cleanup };
}

export async function launchBrowser(): Promise<Browser> {
  requireChromium();
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** What went wrong in a page that a user would not see: console errors, failed requests. */
export interface PageProblems {
  console: string[];
  requests: string[];
}

export function watch(page: Page): PageProblems {
  const problems: PageProblems = { console: [], requests: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') problems.console.push(message.text());
  });
  page.on('pageerror', (error) => problems.console.push(`uncaught: ${error.message}`));
  page.on('requestfailed', (request) => {
    // A request the app cancelled itself (navigating on before an answer) did not fail.
    if (request.failure()?.errorText !== 'net::ERR_ABORTED') problems.requests.push(`${request.method()} ${request.url()}: ${request.failure()?.errorText}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.requests.push(`${response.request().method()} ${response.url()}: ${response.status()}`);
  });
  return problems;
}

/** axe-core on the page as it is: the serious and critical violations, readable. */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  // From the top: a full-page shot of a scrolled page draws the sticky header where the view was.
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/**
 * Sessions already made, by hub and email. The hub allows 10 sign-ins a minute per address, and a
 * browser file opens many contexts: a context after the first gets the session's cookie and CSRF
 * token instead of signing in again (and signs in for real if that session has ended).
 */
/** What the page's scripts see (the tests compile without the DOM library). */
type PageGlobals = { localStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void } };

const sessions = new Map<string, { cookies: Awaited<ReturnType<BrowserContext['cookies']>>; csrf: string | null }>();

export async function signIn(context: BrowserContext, hub: DemoHub, email = hub.email, password = hub.password): Promise<Page> {
  const key = `${hub.url} ${email}`;
  const known = sessions.get(key);
  if (known) {
    await context.addCookies(known.cookies);
    if (known.csrf) {
      await context.addInitScript((csrf: string) => {
        // Every page of the context runs this, the Connect UI too, whose sandboxed document may not
        // touch storage: only the dashboard needs the token.
        try {
          const { localStorage } = globalThis as unknown as PageGlobals;
          if (localStorage.getItem('patchbay.csrf') === null) localStorage.setItem('patchbay.csrf', csrf);
        } catch {
          // Not the dashboard.
        }
      }, known.csrf);
    }
    const page = await context.newPage();
    await page.goto(`${hub.url}/`);
    const home = page.getByRole('heading', { name: 'Home', level: 1 });
    const signInForm = page.getByRole('heading', { name: 'Sign in' });
    await home.or(signInForm).first().waitFor();
    if (await home.isVisible()) return page;
    await page.close();
    sessions.delete(key);
  }
  const page = await context.newPage();
  await page.goto(`${hub.url}/`);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Home', level: 1 }).waitFor();
  sessions.set(key, { cookies: await context.cookies(hub.url), csrf: await page.evaluate(() => (globalThis as unknown as PageGlobals).localStorage.getItem('patchbay.csrf')) });
  return page;
}
