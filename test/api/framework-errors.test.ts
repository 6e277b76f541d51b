/**
 * Every error that leaves the API is problem+json with our wording and a stable type — the
 * framework's own refusals (router, body parsing) included. The walk covers every operation of
 * the OpenAPI document, so a new route is covered by default.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import { PROBLEM_BASE } from '../../src/core/index.ts';
import { checkFrequency } from '../../src/syncs/index.ts';
import { startOpenApiHub, type OpenApiHub, type OpenApiOperation } from './support/openapi-hub.ts';

let h: OpenApiHub;
beforeAll(async () => {
  h = await startOpenApiHub();
}, 120_000);
afterAll(async () => {
  await h?.close();
});

/** Operations that answer a stream, not a problem, once they are reached (the walk stops them earlier). */
const STREAMING = new Set(['GET /api/v1/listen']);

const withBody = (op: OpenApiOperation) => op.requestBody !== undefined || ['POST', 'PUT', 'PATCH'].includes(op.method);
const fill = (path: string, value: string) => path.replace(/\{[^}]+\}/g, value);

interface Probe {
  name: string;
  url: string;
  headers?: Record<string, string>;
  payload?: string;
}

function probesFor(op: OpenApiOperation): Probe[] {
  const probes: Probe[] = [];
  const hasParams = op.path.includes('{');
  if (hasParams) probes.push({ name: 'an over-long path parameter', url: fill(op.path, 'a'.repeat(2000)) });
  probes.push({ name: 'bad percent-encoding in the path', url: hasParams ? fill(op.path, 'x%E0%A4%A') : `${op.path}%E0%A4%A` });
  if (withBody(op) && !STREAMING.has(`${op.method} ${op.path}`)) {
    probes.push({ name: 'a wrong content type', url: fill(op.path, 'x1'), headers: { 'content-type': 'text/xml' }, payload: '<event/>' });
    probes.push({ name: 'malformed JSON', url: fill(op.path, 'x1'), headers: { 'content-type': 'application/json' }, payload: '{"name": "x",' });
  }
  return probes;
}

describe('framework errors', () => {
  it('walks every operation with an over-long path parameter, bad percent-encoding, a wrong content type and malformed JSON, and gets a 4xx problem+json for each', async () => {
    expect(h.operations.length).toBeGreaterThan(90);
    const failures: string[] = [];
    let sent = 0;
    for (const op of h.operations) {
      for (const probe of probesFor(op)) {
        const res = await h.app.inject({
          method: op.method as 'GET',
          url: probe.url,
          headers: { authorization: `Bearer ${h.adminKey}`, ...probe.headers },
          ...(probe.payload === undefined ? {} : { payload: probe.payload }),
        });
        sent++;
        const type = String(res.headers['content-type'] ?? '');
        const body = type.startsWith('application/problem+json') ? (res.json() as { type?: string; detail?: string; status?: number }) : undefined;
        const ok =
          res.statusCode >= 400 &&
          res.statusCode < 500 &&
          body !== undefined &&
          body.status === res.statusCode &&
          typeof body.type === 'string' &&
          body.type.startsWith(PROBLEM_BASE) &&
          !/FST_|fastify/i.test(res.body);
        if (!ok) failures.push(`${op.method} ${op.path} with ${probe.name}: ${res.statusCode} ${type} ${res.body.slice(0, 200)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(200);
  });

  it('answers an over-long path segment 414 uri-too-long and bad percent-encoding 400 bad-url, in our words', async () => {
    const long = await h.app.inject({ method: 'GET', url: `/api/v1/connections/${'c'.repeat(600)}`, headers: { authorization: `Bearer ${h.adminKey}` } });
    expect(long.statusCode).toBe(414);
    expect(long.json()).toMatchObject({ type: `${PROBLEM_BASE}uri-too-long`, detail: expect.stringContaining('longer than 512 characters') });
    const bad = await h.app.inject({ method: 'GET', url: '/api/v1/connections/%E0%A4%A', headers: { authorization: `Bearer ${h.adminKey}` } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ type: `${PROBLEM_BASE}bad-url`, title: 'Bad URL' });
    expect(bad.headers['x-request-id']).toMatch(/^req_/);
  });

  it('lets a path parameter up to the router limit reach the schema, which names the field', async () => {
    const res = await h.app.inject({ method: 'GET', url: `/api/v1/connections/${'c'.repeat(300)}`, headers: { authorization: `Bearer ${h.adminKey}` } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ type: `${PROBLEM_BASE}validation`, errors: [{ field: 'params:/id' }] });
  });

  it('answers a wrong content type 415 naming the type, and malformed JSON 400 without the parser’s wording', async () => {
    const auth = { authorization: `Bearer ${h.adminKey}` };
    const xml = await h.app.inject({ method: 'POST', url: '/api/v1/events', headers: { ...auth, 'content-type': 'text/xml; charset=utf-8' }, payload: '<a/>' });
    expect(xml.statusCode).toBe(415);
    expect(xml.json()).toMatchObject({ type: `${PROBLEM_BASE}unsupported-media-type`, detail: expect.stringContaining('"text/xml"') });
    const broken = await h.app.inject({ method: 'POST', url: '/api/v1/events', headers: { ...auth, 'content-type': 'application/json' }, payload: '{"eventType": ' });
    expect(broken.statusCode).toBe(400);
    expect(broken.json()).toMatchObject({ type: `${PROBLEM_BASE}bad-request`, detail: expect.stringMatching(/^The body is not valid JSON/) });
    expect(broken.body).not.toMatch(/Unexpected|FST_/);
    const empty = await h.app.inject({ method: 'POST', url: '/api/v1/events', headers: { ...auth, 'content-type': 'application/json' }, payload: '' });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().type).toBe(`${PROBLEM_BASE}bad-request`);
    const proto = await h.app.inject({ method: 'POST', url: '/api/v1/events', headers: { ...auth, 'content-type': 'application/json' }, payload: '{"__proto__": {"x": 1}}' });
    expect(proto.statusCode).toBe(400);
    expect(proto.json().type).toBe(`${PROBLEM_BASE}bad-request`);
  });

  it('answers an unknown route and an unknown method 404 problem+json', async () => {
    for (const [method, url] of [['GET', '/api/v1/nothing-here'], ['GET', '/'], ['POST', '/health'], ['DELETE', '/api/v1/events']] as const) {
      const res = await h.app.inject({ method, url, headers: { authorization: `Bearer ${h.adminKey}` } });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ type: `${PROBLEM_BASE}not-found`, detail: `Route ${method} ${url} not found.` });
    }
  });

  it('answers a body over the limit 413 stating the limit in detail and a header', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/integrations',
      headers: { authorization: `Bearer ${h.adminKey}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.headers['patchbay-body-limit']).toBe(String(1024 * 1024));
    expect(res.json()).toMatchObject({ type: `${PROBLEM_BASE}payload-too-large`, limit: 1024 * 1024, detail: expect.stringContaining('1 MiB (1048576 bytes)') });
  });

  it('words a bad cron schedule in our terms, not the cron library’s', () => {
    for (const [frequency, reason] of [
      ['* * *', 'a cron expression has five fields (minute hour day-of-month month day-of-week), this one has 3'],
      ['61 * * * *', 'its minute field "61" is out of range'],
      ['0 0 * * 8', 'its day of the week field "8" is out of range'],
    ] as const) {
      expect(() => checkFrequency(frequency)).toThrow(reason);
      try {
        checkFrequency(frequency);
      } catch (err) {
        expect((err as Error).message).not.toMatch(/CronPattern|configuration entry|illegal/);
      }
    }
  });
});

describe('interactive docs over plain HTTP', () => {
  it('serves a content security policy without upgrade-insecure-requests', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/docs/' });
    expect(res.statusCode).toBe(200);
    expect(String(res.headers['content-security-policy'])).toContain("default-src 'self'");
    expect(String(res.headers['content-security-policy'])).not.toContain('upgrade-insecure-requests');
  });

  it('renders the Swagger UI in a real browser opened by a host name other than localhost', async () => {
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = h.app.server.address() as { port: number };
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--host-resolver-rules=MAP docs.patchbay.test 127.0.0.1'],
    });
    try {
      const page = await browser.newPage();
      await page.goto(`http://docs.patchbay.test:${port}/api/v1/docs/`);
      await page.getByRole('heading', { name: /Patchbay API/ }).waitFor({ timeout: 40_000 });
      expect(await page.locator('.opblock').count()).toBeGreaterThan(50);
    } finally {
      await browser.close();
    }
  }, 90_000);
});
