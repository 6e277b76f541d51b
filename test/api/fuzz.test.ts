/**
 * Schema-driven fuzzing of the whole API: every operation of the OpenAPI document gets requests
 * generated from its own schemas (path, query, body) and from a hostile set — NUL, lone
 * surrogates, 1 MB strings, deep nesting, wrong types, bad JSON, wrong content types, odd path
 * parameters, long URLs and headers. No answer may be a 5xx, and every error answer must be
 * problem+json with a stable type (the proxy's pass-through and the OAuth browser pages aside).
 *
 * The seed is printed; `PATCHBAY_FUZZ_SEED=<seed>` replays a run, `PATCHBAY_FUZZ_REQUESTS` sets
 * its size (10,000 by default).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBLEM_BASE } from '../../src/core/index.ts';
import { startOpenApiHub, type OpenApiHub, type OpenApiOperation } from './support/openapi-hub.ts';

const SEED = Number(process.env.PATCHBAY_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const REQUESTS = Number(process.env.PATCHBAY_FUZZ_REQUESTS ?? 10_000);
const CONCURRENCY = 4;
// Each organization allows 1,000 management requests a minute whatever its keys' own limits.
const ORGANIZATIONS = 12;

/** A stream that never ends once it is reached; an operation of its own tests. */
const SKIPPED = new Set(['GET /api/v1/listen']);
/** Answers that are not ours to shape: the provider's answer as it came, and pages for a browser. */
const PASS_THROUGH = (op: OpenApiOperation) => op.path.startsWith('/api/v1/proxy/');
const BROWSER_PAGE = (op: OpenApiOperation) => op.path.startsWith('/oauth/');

type Schema = Record<string, unknown>;

interface FuzzRequest {
  op: OpenApiOperation;
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
  /** What was hostile about it, for the failure report. */
  label: string;
}

// ---- the hostile set ----------------------------------------------------------------------

const MB_STRING = 'x'.repeat(1024 * 1024);
const nested = (levels: number): string => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
const DEEP_OBJECT = JSON.parse(nested(200)) as unknown;

const hostileValue: fc.Arbitrary<unknown> = fc.constantFrom<unknown>(
  'a\u0000b',
  '\u0000',
  '\ud800',
  'x\udc00y',
  '',
  ' ',
  MB_STRING,
  DEEP_OBJECT,
  -1,
  0,
  1e308,
  -1e308,
  2 ** 63,
  1.5,
  true,
  null,
  [],
  {},
  [null],
  { __proto__: null, constructor: { prototype: { polluted: true } } },
  '<script>alert(1)</script>',
  "'; drop table organizations; --",
  '../../etc/passwd',
  'http://169.254.169.254/latest/meta-data',
  '😀'.repeat(50),
  '\u202e\u0301\ufeff',
  '1970-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
  'not-a-date',
);

const oddPathValue = fc.constantFrom(
  '..',
  '%2e%2e',
  '%2F',
  'a%2Fb',
  '%00',
  'a%00b',
  '%E0%A4%A',
  '%ZZ',
  '%25',
  '%20',
  '-1',
  '0',
  'null',
  'undefined',
  '%F0%9F%98%80',
  'x'.repeat(129),
  'x'.repeat(600),
  'conn_' + 'z'.repeat(40),
  "'or'1'='1",
  '%ED%A0%80', // an encoded lone surrogate: not UTF-8
);

const badBodies = fc.constantFrom<{ type: string; body: string | Buffer }>(
  { type: 'application/json', body: '{"name": ' },
  { type: 'application/json', body: '' },
  { type: 'application/json', body: 'null' },
  { type: 'application/json', body: '"a string"' },
  { type: 'application/json', body: '[1,2,3]' },
  { type: 'application/json', body: '{"a":1}{"b":2}' },
  { type: 'application/json', body: '\ufeff{"name":"bom"}' },
  { type: 'application/json', body: nested(5000) },
  { type: 'application/json', body: '['.repeat(100_000) + ']'.repeat(100_000) },
  { type: 'application/json', body: '{"__proto__": {"admin": true}}' },
  { type: 'application/json', body: Buffer.from([0xff, 0xfe, 0x7b, 0x7d]) },
  { type: 'application/json; charset=latin1', body: '{"name":"x"}' },
  { type: 'text/plain', body: 'hello' },
  { type: 'application/xml', body: '<a/>' },
  { type: 'application/x-www-form-urlencoded', body: 'a=1&b=2' },
  { type: 'multipart/form-data; boundary=xyz', body: '--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--xyz--' },
  { type: 'application/octet-stream', body: Buffer.alloc(64, 7) },
  { type: '', body: '{"name":"no type"}' },
  { type: 'application/json', body: `{"name":"${MB_STRING}"}` },
);

const oddHeaders = fc.constantFrom<Record<string, string>>(
  { 'x-request-id': 'x'.repeat(500) },
  { 'x-request-id': '../../weird id' },
  { 'patchbay-environment': 'env_does_not_exist' },
  { 'patchbay-environment': 'x'.repeat(2000) },
  { 'idempotency-key': '' },
  { 'idempotency-key': 'k'.repeat(1000) },
  { accept: 'application/xml' },
  { 'x-long': 'l'.repeat(8000) },
  { 'content-encoding': 'gzip' },
  { 'x-http-method-override': 'DELETE' },
  { cookie: 'pb_session=%00%E0; pb_session=garbage' },
);

// ---- values from the document's schemas ---------------------------------------------------

function fromSchema(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return fc.jsonValue({ maxDepth: 1 });
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  const union = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (union?.length) return fc.oneof(...union.map((s) => fromSchema(s, depth + 1)));
  if (Array.isArray(schema.allOf)) return fromSchema(Object.assign({}, ...(schema.allOf as Schema[])), depth + 1);
  const type = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string | undefined];
  if (type.length > 1) return fc.oneof(...type.map((t) => fromSchema({ ...schema, type: t }, depth)));
  switch (type[0]) {
    case 'string':
      return stringFor(schema);
    case 'integer':
      return fc.integer({ min: Math.max(Number(schema.minimum ?? -5), -1_000_000), max: Math.min(Number(schema.maximum ?? 1000), 1_000_000) });
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true, min: Number(schema.minimum ?? -1e6), max: Number(schema.maximum ?? 1e6) });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(fromSchema(schema.items as Schema | undefined, depth + 1), {
        minLength: Number(schema.minItems ?? 0),
        maxLength: Math.max(Number(schema.minItems ?? 0), Math.min(Number(schema.maxItems ?? 3), 3)),
      });
    case 'object':
    case undefined: {
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      const keys = Object.keys(properties);
      if (keys.length === 0) return schema.type === 'object' ? fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }) : fc.jsonValue({ maxDepth: 2 });
      const required = ((schema.required ?? []) as string[]).filter((k) => keys.includes(k));
      return fc.record(Object.fromEntries(keys.map((k) => [k, fromSchema(properties[k], depth + 1)])), { requiredKeys: required });
    }
    default:
      return fc.jsonValue({ maxDepth: 1 });
  }
}

function stringFor(schema: Schema): fc.Arbitrary<string> {
  const min = Number(schema.minLength ?? 0);
  const max = Math.max(min, Math.min(Number(schema.maxLength ?? 24), 48));
  switch (schema.format) {
    case 'date-time':
      return fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
    case 'uri':
    case 'url':
      return fc.constantFrom('https://example.com/hook', 'http://127.0.0.1:9/hook', 'https://hooks.example.org/a?b=c', 'ftp://x', 'not a url');
    case 'email':
      return fc.constantFrom('a@example.com', 'x@y.z', 'not-an-email');
    default:
      return fc.string({ minLength: min, maxLength: max, unit: 'grapheme' });
  }
}

/** Sets a value at a random place of a generated body (or replaces the body). */
function plant(body: unknown, value: unknown, where: number): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return value;
  const keys = Object.keys(body);
  if (keys.length === 0) return { field: value };
  const key = keys[where % keys.length]!;
  return { ...(body as object), [key]: value };
}

// ---- requests -----------------------------------------------------------------------------

function requestFor(op: OpenApiOperation, key: () => string): fc.Arbitrary<FuzzRequest> {
  const pathNames = [...op.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  const pathParam = (name: string) => fromSchema(op.parameters.find((p) => p.in === 'path' && p.name === name)?.schema).map((v) => encodeURIComponent(String(v)) || 'x');
  const pathValues = fc.tuple(...pathNames.map((name) => fc.oneof({ weight: 3, arbitrary: pathParam(name) }, { weight: 1, arbitrary: oddPathValue })));
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  const query = fc.record(
    Object.fromEntries(queryParams.map((p) => [p.name, fc.oneof({ weight: 4, arbitrary: fromSchema(p.schema) }, { weight: 1, arbitrary: hostileValue })])),
    { requiredKeys: queryParams.filter((p) => p.required).map((p) => p.name) },
  );
  const bodySchema = op.requestBody?.content['application/json']?.schema as Schema | undefined;
  const hasBody = op.requestBody !== undefined || ['POST', 'PUT', 'PATCH'].includes(op.method);
  const validBody = bodySchema ? fromSchema(bodySchema) : fc.constant(undefined);
  const body = fc.oneof(
    { weight: 4, arbitrary: validBody.map((value) => ({ kind: 'schema', value })) },
    { weight: 2, arbitrary: fc.tuple(validBody, hostileValue, fc.nat()).map(([b, v, w]) => ({ kind: 'hostile value', value: plant(b, v, w) })) },
    { weight: 2, arbitrary: badBodies.map((raw) => ({ kind: `raw ${raw.type || 'no content type'}`, value: raw })) },
  );
  const extras = fc.record({
    headers: fc.option(oddHeaders, { freq: 4 }),
    longQuery: fc.integer({ min: 0, max: 15 }).map((n) => (n === 0 ? `pad=${'q'.repeat(20_000)}` : '')),
    auth: fc.constantFrom('key', 'key', 'key', 'key', 'key', 'none', 'bad'),
    duplicate: fc.boolean(),
  });
  return fc.tuple(pathValues, query, body, extras).map(([values, q, b, x]) => {
    let i = 0;
    const path = op.path.replace(/\{[^}]+\}/g, () => (values[i++] as string) ?? 'x');
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(q as Record<string, unknown>)) {
      search.append(name, typeof value === 'string' ? value : JSON.stringify(value) ?? '');
      if (x.duplicate) search.append(name, '2');
    }
    const qs = [search.toString(), x.longQuery].filter(Boolean).join('&');
    const headers: Record<string, string> = { ...(x.headers ?? {}) };
    if (x.auth === 'key') headers.authorization = `Bearer ${key()}`;
    if (x.auth === 'bad') headers.authorization = 'Bearer pb_test_notarealkeynotarealkey';
    const request: FuzzRequest = { op, method: op.method, url: qs ? `${path}?${qs}` : path, headers, label: '' };
    if (hasBody) {
      if (b.kind.startsWith('raw')) {
        const raw = b.value as { type: string; body: string | Buffer };
        if (raw.type) headers['content-type'] = raw.type;
        request.payload = raw.body;
      } else if (b.value !== undefined) {
        headers['content-type'] = 'application/json';
        request.payload = JSON.stringify(b.value);
      }
    }
    request.label = `${b.kind}${x.headers ? ` + headers ${Object.keys(x.headers).join(',')}` : ''}${x.auth !== 'key' ? ` + auth ${x.auth}` : ''}`;
    return request;
  });
}

// ---- the run --------------------------------------------------------------------------------

let h: OpenApiHub;
beforeAll(async () => {
  h = await startOpenApiHub({ organizations: ORGANIZATIONS, logLevel: 'warn' });
}, 180_000);
afterAll(async () => {
  await h?.close();
});

function verdict(request: FuzzRequest, status: number, contentType: string, body: string): string | undefined {
  if (status >= 500) return `answered ${status}`;
  if (status < 400) return undefined;
  if (PASS_THROUGH(request.op)) return undefined;
  if (BROWSER_PAGE(request.op) && contentType.startsWith('text/html')) return undefined;
  if (!contentType.startsWith('application/problem+json')) return `answered ${status} as ${contentType || 'no content type'}`;
  let problem: { type?: unknown; status?: unknown; title?: unknown };
  try {
    problem = JSON.parse(body) as typeof problem;
  } catch {
    return `answered ${status} problem+json that is not JSON`;
  }
  if (typeof problem.type !== 'string' || !problem.type.startsWith(PROBLEM_BASE)) return `problem without a stable type: ${String(problem.type)}`;
  if (problem.status !== status || typeof problem.title !== 'string') return 'problem whose status or title is wrong';
  if (/FST_ERR|fastify|at .*\.ts:\d+/.test(body)) return 'problem that leaks framework or stack text';
  return undefined;
}

describe('fuzzing every operation of the OpenAPI document', () => {
  it(`answers ${REQUESTS} generated and hostile requests with no 5xx and only problem+json errors`, async () => {
    console.log(`fuzz seed ${SEED} (replay: PATCHBAY_FUZZ_SEED=${SEED}), ${REQUESTS} requests`);
    const operations = h.operations.filter((op) => !SKIPPED.has(`${op.method} ${op.path}`));
    expect(operations.length).toBeGreaterThan(90);
    let turn = 0;
    const key = () => h.ownerKeys[turn++ % h.ownerKeys.length]!;
    const arbitrary = fc.oneof(...operations.map((op) => requestFor(op, key)));
    const requests = fc.sample(arbitrary, { seed: SEED, numRuns: REQUESTS });

    const failures: string[] = [];
    const statuses = new Map<number, number>();
    const reached = new Set<string>();
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < requests.length) {
          const index = next++;
          const request = requests[index]!;
          const res = await h.app.inject({ method: request.method as 'GET', url: request.url, headers: request.headers, ...(request.payload === undefined ? {} : { payload: request.payload }) });
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          if (res.statusCode < 400 || ![401, 404, 405, 414].includes(res.statusCode)) reached.add(`${request.method} ${request.op.path}`);
          const problem = verdict(request, res.statusCode, String(res.headers['content-type'] ?? ''), res.body);
          if (problem && failures.length < 50) {
            failures.push(`#${index} ${request.method} ${request.url.slice(0, 160)} [${request.label}]: ${problem} — ${res.body.slice(0, 200)}`);
          }
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `fuzz: ${requests.length} requests in ${seconds.toFixed(1)} s over ${operations.length} operations (${reached.size} reached past routing and authentication); statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`,
    );
    expect(failures, `seed ${SEED}`).toEqual([]);
    expect(requests.length).toBe(REQUESTS);
    // Most operations must be reached by requests their schemas accept, not only refused at the door.
    expect(reached.size).toBeGreaterThan(operations.length * 0.8);
  }, 600_000);

  it('declares every JSON error answer of the document as application/problem+json', () => {
    const wrong: string[] = [];
    for (const op of h.operations) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (!/^[45]|default/.test(status) || !response.content) continue;
        const types = Object.keys(response.content);
        if (BROWSER_PAGE(op) && types.every((t) => t === 'text/html')) continue;
        if (types.join() !== 'application/problem+json') wrong.push(`${op.method} ${op.path} ${status}: ${types.join(', ')}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
