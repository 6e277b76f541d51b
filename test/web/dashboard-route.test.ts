/**
 * The hub serves the built dashboard at `/`: client routes fall back to index.html, hashed assets
 * are cached for good, HTML never is, pages carry a same-origin CSP, and the hub's own paths are
 * never answered with the page.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../support/api.ts';
import { ensureDashboardBuilt, WEB_DIST } from '../../demo/build-web.ts';

let t: TestApi;
const html = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

beforeAll(async () => {
  await ensureDashboardBuilt(() => undefined);
  t = await createTestApi();
}, 120_000);

afterAll(async () => t?.close());

const get = (url: string, headers: Record<string, string> = html) => t.app.inject({ method: 'GET', url, headers });

describe('the dashboard at /', () => {
  it('answers / and any client route with index.html, never cached, under a same-origin CSP', async () => {
    for (const url of ['/', '/connections/acme-stripe', '/catalog?q=stripe']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.body).toContain('<div id="root"></div>');
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    }
  });

  it('serves hashed assets as immutable for a year, and a missing asset as a 404 problem, not the page', async () => {
    const asset = fs.readdirSync(path.join(WEB_DIST, 'assets')).find((f) => f.endsWith('.js'))!;
    const res = await get(`/assets/${asset}`, {});
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const missing = await get('/assets/index-doesnotexist.js');
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');
  });

  it('never answers the hub’s own paths with the page, even to a browser', async () => {
    for (const url of ['/api/v1/nothing-here', '/api', '/oauth/nothing', '/webhooks/nothing', '/health/x', '/ready/x', '/metrics/x']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).toContain('application/problem+json');
    }
    expect((await get('/health')).json()).toEqual({ status: 'ok' });
  });

  it('answers a non-browser client on an unknown path with a 404 problem', async () => {
    const res = await get('/connections', { accept: 'application/json' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ status: 404, title: 'Not found' });
  });

  it('serves no file from outside the build', async () => {
    for (const url of ['/../package.json', '/%2e%2e/package.json', '/..%2fpackage.json', '/assets/..%2f..%2f..%2fpackage.json']) {
      const res = await get(url);
      expect(res.body, url).not.toContain('"name": "patchbay"');
    }
  });
});
