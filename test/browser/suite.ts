/**
 * One browser file's world: a demo hub (what `npm start` runs) and a Chromium shared by its
 * tests, contexts that close after each test, and the check that no test left a console error
 * or a failed request behind.
 *
 * @example
 * const suite = browserSuite();
 * const { api, newContext, open, expectAccessible } = suite;
 * beforeAll(() => suite.start(), 300_000);
 * afterEach(() => suite.endTest());
 * afterAll(() => suite.close(), 60_000);
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { accessibilityViolations, launchBrowser, screenshot, signIn, startDemoHub, watch, type DemoHub, type PageProblems } from './support.ts';

export interface ApiAnswer {
  status: number;
  // Tests read answers field by field, as the API documents them.
  body: Record<string, any>;
}

export interface BrowserSuite {
  readonly hub: DemoHub;
  readonly browser: Browser;
  start(): Promise<void>;
  /** The hub's API with the demo's dev API key (or `key`). */
  api(path: string, init?: { method?: string; body?: unknown; key?: string }): Promise<ApiAnswer>;
  newContext(options?: { width?: number; dark?: boolean }): Promise<BrowserContext>;
  /** A signed-in page whose console errors and failed requests fail the test. */
  open(context: BrowserContext, email?: string, password?: string): Promise<Page>;
  /** Watches a page opened another way. */
  watchPage(page: Page): void;
  /** A screen is done loading when no spinner is left. */
  settled(page: Page): Promise<void>;
  expectAccessible(page: Page): Promise<void>;
  /** Polls `check` until it holds (outside a test, where expect.poll is not available). */
  until(check: () => Promise<boolean>, what: string, timeoutMs?: number): Promise<void>;
  /**
   * Photographs the page as it is (`<name>-1440-light`), then at 360 px in the dark theme
   * (`<name>-360-dark`), checked by axe and for sideways scrolling there too, and puts it back.
   * The same page keeps its session: sign-ins are limited to 10 a minute.
   */
  photograph(page: Page, name: string): Promise<void>;
  /** Follows a link of the main navigation. */
  nav(page: Page, name: string): Promise<void>;
  /** After each test: closes its contexts and expects no console error or failed request. */
  endTest(): Promise<void>;
  /** The problems seen so far in this test (a test that expects one failed request takes it out). */
  readonly problems: PageProblems[];
  close(): Promise<void>;
}

export function browserSuite(options: { defaultTimeoutMs?: number } = {}): BrowserSuite {
  let hub: DemoHub | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  let problems: PageProblems[] = [];
  const started = <T>(value: T | undefined, what: string): T => {
    if (!value) throw new Error(`the browser suite has no ${what}: call start() in beforeAll`);
    return value;
  };

  const suite: BrowserSuite = {
    get hub() {
      return started(hub, 'hub');
    },
    get browser() {
      return started(browser, 'browser');
    },
    get problems() {
      return problems;
    },
    async start() {
      [browser, hub] = await Promise.all([launchBrowser(), startDemoHub()]);
    },
    async api(path, init = {}) {
      const res = await fetch(`${suite.hub.url}${path}`, {
        method: init.method ?? 'GET',
        headers: { authorization: `Bearer ${init.key ?? suite.hub.apiKey}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
        ...(init.body ? { body: JSON.stringify(init.body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
    },
    async newContext(contextOptions = {}) {
      const context = await suite.browser.newContext({ viewport: { width: contextOptions.width ?? 1440, height: 900 }, colorScheme: contextOptions.dark ? 'dark' : 'light' });
      context.setDefaultTimeout(options.defaultTimeoutMs ?? 20_000);
      contexts.push(context);
      return context;
    },
    async open(context, email, password) {
      const page = await signIn(context, suite.hub, email, password);
      suite.watchPage(page);
      return page;
    },
    watchPage(page) {
      problems.push(watch(page));
    },
    async settled(page) {
      await page.waitForLoadState('networkidle');
      await expect.poll(() => page.locator('.loading').count(), { timeout: 15_000 }).toBe(0);
    },
    async expectAccessible(page) {
      await suite.settled(page);
      expect(await accessibilityViolations(page)).toEqual([]);
    },
    async until(check, what, timeoutMs = 30_000) {
      const end = Date.now() + timeoutMs;
      while (!(await check())) {
        if (Date.now() > end) throw new Error(`Timed out waiting until ${what}`);
        // Once a second: the demo key's management allowance is 100 calls a minute.
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    },
    async photograph(page, name) {
      await screenshot(page, `${name}-1440-light`);
      await page.setViewportSize({ width: 360, height: 800 });
      await page.emulateMedia({ colorScheme: 'dark' });
      await suite.settled(page);
      await screenshot(page, `${name}-360-dark`);
      // The elements that stick out, named, so a failure says where.
      const wide = await page.evaluate<string[]>(`[...document.querySelectorAll('main *')].filter((e) => e.getBoundingClientRect().right > 361).slice(0, 5).map((e) => e.tagName + '.' + e.className)`);
      expect(await page.evaluate<number>('document.documentElement.scrollWidth'), `${name} fits 360 px: ${wide.join(', ')}`).toBeLessThanOrEqual(360);
      expect(await accessibilityViolations(page)).toEqual([]);
      await page.setViewportSize({ width: 1440, height: 900 });
      await page.emulateMedia({ colorScheme: 'light' });
    },
    nav: (page, name) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click(),
    async endTest() {
      const seen = problems;
      problems = [];
      for (const context of contexts.splice(0)) await context.close();
      expect({ console: seen.flatMap((p) => p.console), requests: seen.flatMap((p) => p.requests) }).toEqual({ console: [], requests: [] });
    },
    async close() {
      await browser?.close();
      await hub?.close();
    },
  };
  return suite;
}
