/**
 * Every error that leaves the API is problem+json with our wording and a stable type — the
 * framework's own refusals (router, body parsing) included. The walk covers every operation of
 * the OpenAPI document, so a new route is covered by default.
 */
import fs from 'node:fs';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import { sql } from 'drizzle-orm';
import { formatBytes, loadConfig, PROBLEM_BASE } from '../../src/core/index.ts';
import { BODY_LIMITS } from '../../src/api/body.ts';
import { rows } from '../../src/db/index.ts';
import { createSource } from '../../src/webhooks/inbound/index.ts';
import { checkFrequency } from '../../src/syncs/index.ts';
import { startOpenApiHub, type OpenApiHub, type OpenApiOperation } from './support/openapi-hub.ts';

const HEADERS_TIMEOUT_SECONDS = 2;
const REQUEST_TIMEOUT_SECONDS = 3;

let h: OpenApiHub;
let port: number;
beforeAll(async () => {
  h = await startOpenApiHub({ env: { PATCHBAY_HEADERS_TIMEOUT_SECONDS: String(HEADERS_TIMEOUT_SECONDS), PATCHBAY_REQUEST_TIMEOUT_SECONDS: String(REQUEST_TIMEOUT_SECONDS) } });
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  port = (h.app.server.address() as { port: number }).port;
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
          headers: { authorization: `Bearer ${h.ownerKey}`, ...probe.headers },
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

  it('answers an over-long path segment 414 uri-too-long (also where the dashboard route matched first) and bad percent-encoding 400 bad-url, in our words', async () => {
    const long = await h.app.inject({ method: 'GET', url: `/api/v1/connections/${'c'.repeat(600)}`, headers: { authorization: `Bearer ${h.ownerKey}` } });
    expect(long.statusCode).toBe(414);
    expect(long.json()).toMatchObject({ type: `${PROBLEM_BASE}uri-too-long`, detail: expect.stringContaining('longer than 512 characters') });
    const bad = await h.app.inject({ method: 'GET', url: '/api/v1/connections/%E0%A4%A', headers: { authorization: `Bearer ${h.ownerKey}` } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ type: `${PROBLEM_BASE}bad-url`, title: 'Bad URL' });
    expect(bad.headers['x-request-id']).toMatch(/^req_/);
  });

  it('lets a path parameter up to the router limit reach the schema, which names the field', async () => {
    const res = await h.app.inject({ method: 'GET', url: `/api/v1/connections/${'c'.repeat(300)}`, headers: { authorization: `Bearer ${h.ownerKey}` } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ type: `${PROBLEM_BASE}validation`, errors: [{ field: 'params:/id' }] });
  });

  it('answers a wrong content type 415 naming the type, and malformed JSON 400 without the parser’s wording', async () => {
    const auth = { authorization: `Bearer ${h.ownerKey}` };
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
      const res = await h.app.inject({ method, url, headers: { authorization: `Bearer ${h.ownerKey}` } });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ type: `${PROBLEM_BASE}not-found`, detail: `Route ${method} ${url} not found.` });
    }
  });

  it('answers a body over the limit 413 stating the limit in detail and a header', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/integrations',
      headers: { authorization: `Bearer ${h.ownerKey}`, 'content-type': 'application/json' },
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
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--host-resolver-rules=MAP docs.patchbay.test 127.0.0.1'],
    });
    try {
      const page = await browser.newPage();
      await page.goto(`http://docs.patchbay.test:${port}/api/v1/docs/`);
      await page.getByRole('heading', { name: /Patchbay API/ }).waitFor({ timeout: 60_000 });
      // Swagger UI mounts only the operation groups near the viewport: scrolling to the end shows
      // every tag of the document in turn.
      await page.locator('.opblock').first().waitFor({ timeout: 30_000 });
      const tags = [...new Set(h.operations.flatMap((operation) => operation.tags ?? []))].sort();
      const seen = new Set<string>();
      await expect
        .poll(
          async () => {
            for (const name of await page.locator('.opblock-tag').allTextContents()) seen.add(name.trim());
            await page.mouse.wheel(0, 1_000);
            return [...seen].sort();
          },
          { timeout: 60_000 },
        )
        .toEqual(tags);
    } finally {
      await browser.close();
    }
  }, 120_000);
});

describe('text that is not text', () => {
  const auth = () => ({ authorization: `Bearer ${h.ownerKey}` });

  it('refuses %00 in every path and query parameter of every operation with a 400 naming the parameter', async () => {
    const failures: string[] = [];
    let sent = 0;
    for (const op of h.operations) {
      if (STREAMING.has(`${op.method} ${op.path}`)) continue;
      const names = [...op.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
      const cases: { url: string; field: string }[] = names.map((name) => ({
        url: op.path.replace(/\{([^}]+)\}/g, (_all, p: string) => (p === name ? 'ab%00cd' : 'x1')),
        field: `params:/${name}`,
      }));
      for (const q of op.parameters.filter((p) => p.in === 'query')) cases.push({ url: `${fill(op.path, 'x1')}?${q.name}=ab%00cd`, field: `querystring:/${q.name}` });
      for (const c of cases) {
        const res = await h.app.inject({ method: op.method as 'GET', url: c.url, headers: auth() });
        sent++;
        const body = res.statusCode === 400 ? (res.json() as { errors?: { field: string; message: string }[] }) : undefined;
        if (!body?.errors?.some((e) => e.field === c.field && /NUL/.test(e.message))) failures.push(`${op.method} ${c.url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(100);
  });

  it('refuses \\u0000 and lone surrogates in any string or field name of every JSON body with a 400 naming the field', async () => {
    const failures: string[] = [];
    for (const op of h.operations.filter((o) => o.requestBody?.content['application/json'])) {
      for (const [payload, field, pattern] of [
        ['{"name": "a\\u0000b"}', '/name', /NUL/],
        ['{"settings": {"deep": ["ok", "\\ud800"]}}', '/settings/deep/1', /lone surrogate/],
        ['{"metadata": {"k\\udc00": 1}}', '/metadata/k\udc00', /field name/],
      ] as const) {
        const res = await h.app.inject({ method: op.method as 'POST', url: fill(op.path, 'x1'), headers: { ...auth(), 'content-type': 'application/json' }, payload });
        const body = res.statusCode === 400 ? (res.json() as { type: string; errors?: { field: string; message: string }[] }) : undefined;
        const ok = body?.type === `${PROBLEM_BASE}validation` && body.errors?.some((e) => e.field === field && pattern.test(e.message));
        if (!ok) failures.push(`${op.method} ${op.path} ${payload}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('keeps well-formed text: paired surrogates (emoji) and other control characters pass the check', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/integrations',
      headers: { ...auth(), 'content-type': 'application/json' },
      payload: JSON.stringify({ connectorKey: 'no-such-connector', name: 'Team 🚀 tab\there' }),
    });
    expect(res.statusCode).not.toBe(500);
    expect(JSON.stringify(res.json())).not.toMatch(/NUL|surrogate/);
  });
});

describe('deep JSON', () => {
  const auth = () => ({ authorization: `Bearer ${h.ownerKey}`, 'content-type': 'application/json' });
  const nested = (levels: number, leaf = '1') => '{"a":'.repeat(levels - 1) + `{"a":${leaf}}` + '}'.repeat(levels - 1);
  const arrays = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);

  it('refuses 5,000 levels with 400 json-too-deep on every JSON route that used to answer 500', async () => {
    const environment = h.scopes[0]!.environmentId;
    for (const [method, url, payload] of [
      ['POST', '/api/v1/events', `{"type":"deep.test","data":${nested(5000)}}`],
      ['POST', '/api/v1/endpoints/ep_x/test', `{"data":${nested(5000)}}`],
      ['PATCH', `/api/v1/environments/${environment}`, `{"settings":${arrays(5000)}}`],
      ['POST', '/api/v1/events/batch', `{"events":[{"type":"deep.test","data":${nested(100_000)}}]}`],
    ] as const) {
      const res = await h.app.inject({ method, url, headers: auth(), payload });
      expect(res.statusCode, `${method} ${url}`).toBe(400);
      expect(res.json()).toMatchObject({ type: `${PROBLEM_BASE}json-too-deep`, limit: 64, detail: expect.stringContaining('more than 64 levels') });
    }
  });

  it('takes a document exactly at the limit, brackets inside strings not counted', async () => {
    // 64 levels in all: the body object and 63 under data.
    const payload = `{"type":"deep.unknown","data":${nested(63, '"[[[[{{{{\\"{{"')}}`;
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/events', headers: auth(), payload });
    expect(res.json().type).not.toBe(`${PROBLEM_BASE}json-too-deep`);
    const over = await h.app.inject({ method: 'POST', url: '/api/v1/events', headers: auth(), payload: `{"type":"deep.unknown","data":${nested(64)}}` });
    expect(over.json().type).toBe(`${PROBLEM_BASE}json-too-deep`);
  });

  it('reads the limit from PATCHBAY_MAX_JSON_DEPTH', () => {
    expect(loadConfig({}).maxJsonDepth).toBe(64);
    expect(loadConfig({ PATCHBAY_MAX_JSON_DEPTH: '8' }).maxJsonDepth).toBe(8);
    expect(() => loadConfig({ PATCHBAY_MAX_JSON_DEPTH: 'deep' })).toThrow(/PATCHBAY_MAX_JSON_DEPTH/);
  });

  it('refuses an inbound webhook of 20,000 nested objects before acknowledging it, and stores nothing', async () => {
    const source = await h.database.db.transaction((tx) => createSource(tx, h.hub.vault, h.hub.clock, h.scopes[0]!, { name: 'Deep', verification: { type: 'none' } } as never));
    const count = async () => (await rows<{ n: number }>(h.database.db, sql`select count(*)::int as n from inbound_events where source_id = ${source.id}`))[0]!.n;
    const deep = await h.app.inject({ method: 'POST', url: `/webhooks/in/${source.id}`, headers: { 'content-type': 'application/json' }, payload: nested(20_000) });
    expect(deep.statusCode).toBe(400);
    expect(deep.json()).toMatchObject({ type: `${PROBLEM_BASE}json-too-deep`, limit: 64 });
    const unlabelled = await h.app.inject({ method: 'POST', url: `/webhooks/in/${source.id}`, headers: { 'content-type': 'text/plain' }, payload: `  ${arrays(20_000)}` });
    expect(unlabelled.statusCode).toBe(400);
    expect(await count()).toBe(0);
    const fine = await h.app.inject({ method: 'POST', url: `/webhooks/in/${source.id}`, headers: { 'content-type': 'application/json' }, payload: nested(10) });
    expect(fine.statusCode).toBe(200);
    expect(await count()).toBe(1);
  });
});

/** Sends raw bytes, then reads until the server closes the connection. */
function rawExchange(text: string): Promise<{ status: number; headers: string; body: string; elapsedMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const reply = Buffer.concat(chunks).toString('utf8');
      const [head = '', body = ''] = reply.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), headers: head.toLowerCase(), body, elapsedMs: performance.now() - started });
    });
    setTimeout(() => socket.destroy(), 20_000);
  });
}

describe('slow senders', () => {
  for (const [label, path, auth] of [
    ['an API route', '/api/v1/events', true],
    ['a public route', '/webhooks/in/src_00000000000000000000000000', false],
  ] as const) {
    it(`answers 408 problem+json on ${label} to a body that stops short of its Content-Length, within the request timeout`, async () => {
      const head = [`POST ${path} HTTP/1.1`, 'Host: localhost', 'Content-Type: application/json', 'Content-Length: 1000', ...(auth ? [`Authorization: Bearer ${h.ownerKey}`] : [])];
      const res = await rawExchange(`${head.join('\r\n')}\r\n\r\n{"type":"a`);
      expect(res.status).toBe(408);
      expect(res.headers).toContain('content-type: application/problem+json');
      expect(JSON.parse(res.body)).toMatchObject({ type: `${PROBLEM_BASE}request-timeout`, status: 408 });
      expect(res.elapsedMs).toBeGreaterThan(REQUEST_TIMEOUT_SECONDS * 1000 - 500);
      expect(res.elapsedMs).toBeLessThan(REQUEST_TIMEOUT_SECONDS * 1000 + 2500);
    });
  }

  it('answers 408 problem+json to headers that never finish, within the headers timeout', async () => {
    const res = await rawExchange('GET /health HTTP/1.1\r\nHost: localhost\r\nX-Slow: 1\r\n');
    expect(res.status).toBe(408);
    expect(JSON.parse(res.body)).toMatchObject({ type: `${PROBLEM_BASE}request-timeout` });
    expect(res.elapsedMs).toBeLessThan(HEADERS_TIMEOUT_SECONDS * 1000 + 2500);
  });

  it('answers bytes that are not HTTP and oversized headers with problem+json', async () => {
    const garbage = await rawExchange('NOT HTTP AT ALL\r\n\r\n');
    expect(garbage.status).toBe(400);
    expect(garbage.headers).toContain('content-type: application/problem+json');
    const huge = await rawExchange(`GET /health HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`);
    expect(huge.status).toBe(431);
    expect(JSON.parse(huge.body)).toMatchObject({ type: `${PROBLEM_BASE}headers-too-large` });
  });

  it('reads both timeouts from the configuration and refuses a headers timeout longer than the request timeout', () => {
    expect(loadConfig({})).toMatchObject({ headersTimeoutSeconds: 10, requestTimeoutSeconds: 30 });
    expect(() => loadConfig({ PATCHBAY_HEADERS_TIMEOUT_SECONDS: '40' })).toThrow(/PATCHBAY_HEADERS_TIMEOUT_SECONDS/);
  });
});

describe('body limits', () => {
  const auth = () => ({ authorization: `Bearer ${h.ownerKey}`, 'content-type': 'application/json' });
  const event = (bytes: number) => ({ type: 'limits.test', data: { pad: 'x'.repeat(bytes) } });

  it('refuses one event over 1 MiB on POST /events and inside POST /events/batch alike, naming the event and the limit', async () => {
    const single = await h.app.inject({ method: 'POST', url: '/api/v1/events', headers: auth(), payload: JSON.stringify(event(BODY_LIMITS.json)) });
    expect(single.statusCode).toBe(413);
    expect(single.headers['patchbay-body-limit']).toBe(String(BODY_LIMITS.json));
    const batch = await h.app.inject({ method: 'POST', url: '/api/v1/events/batch', headers: auth(), payload: JSON.stringify({ events: [event(10), event(BODY_LIMITS.batchEvent)] }) });
    expect(batch.statusCode).toBe(413);
    expect(batch.headers['patchbay-body-limit']).toBe(String(BODY_LIMITS.batchEvent));
    expect(batch.json()).toMatchObject({ type: `${PROBLEM_BASE}payload-too-large`, limit: BODY_LIMITS.batchEvent, detail: expect.stringMatching(/^Event \/events\/1 of the batch is larger than the limit of 1 MiB/) });
  });

  it('states every limit in the README', () => {
    const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('### Limits'), readme.indexOf('\n## ', readme.indexOf('### Limits')));
    expect(section.length).toBeGreaterThan(200);
    for (const [name, bytes] of Object.entries(BODY_LIMITS)) expect(section, name).toContain(formatBytes(bytes));
    const defaults = loadConfig({});
    expect(section).toContain(`${defaults.maxJsonDepth} levels`);
    expect(section).toContain(`${defaults.headersTimeoutSeconds} s / ${defaults.requestTimeoutSeconds} s`);
    expect(section).toContain('512 characters');
  });
});
