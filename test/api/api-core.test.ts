import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Validator } from '@seriousme/openapi-schema-validator';
import { bearer, createTestApi, OWNER_PASSWORD, type TestApi } from '../support/api.ts';
import { listRoutes } from '../../src/api/index.ts';
import { IDEMPOTENCY_TTL_MS, pruneIdempotencyKeys } from '../../src/api/idempotency.ts';
import { idempotencyKeys } from '../../src/auth/schema.ts';
import type { ManualClock } from '../../src/core/index.ts';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(async () => {
  await api.close();
});

const PROBLEM = 'application/problem+json';

describe('authentication and authorization', () => {
  it('answers 401 problem+json when no key is sent', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/api/v1/api-keys' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toContain(PROBLEM);
    expect(res.json()).toMatchObject({ type: 'https://patchbay.dev/problems/unauthenticated', status: 401, title: 'Not authenticated' });
  });

  it('answers 401 for an unknown key and for a malformed Authorization header', async () => {
    const unknown = await api.app.inject({ method: 'GET', url: '/api/v1/api-keys', headers: bearer('pb_test_0000000000000000000000000000') });
    expect(unknown.statusCode).toBe(401);
    const malformed = await api.app.inject({ method: 'GET', url: '/api/v1/api-keys', headers: { authorization: 'Basic Zm9vOmJhcg==' } });
    expect(malformed.statusCode).toBe(401);
  });

  it('answers 403 when a viewer key tries to write', async () => {
    const res = await api.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: bearer(api.keys.viewer), payload: { name: 'nope' } });
    expect(res.statusCode).toBe(403);
    expect(res.json().type).toBe('https://patchbay.dev/problems/forbidden');
    expect(res.json().detail).toContain('api-keys:write');
  });

  it('lets a viewer read', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/api/v1/organizations/current', headers: bearer(api.keys.viewer) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ slug: 'acme', name: 'Acme' });
  });

  it('answers 401 once a key is revoked', async () => {
    const created = await api.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: bearer(api.keys.admin), payload: { name: 'short-lived', role: 'viewer' } });
    expect(created.statusCode).toBe(201);
    const { id, key } = created.json();
    expect((await api.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(key) })).statusCode).toBe(200);
    const revoked = await api.app.inject({ method: 'DELETE', url: `/api/v1/api-keys/${id}`, headers: bearer(api.keys.admin) });
    expect(revoked.json().revokedAt).not.toBeNull();
    const after = await api.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(key) });
    expect(after.statusCode).toBe(401);
    expect(after.json().detail).toContain('revoked');
  });

  it('shows a new key once, and never its hash', async () => {
    const created = await api.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: bearer(api.keys.admin), payload: { name: 'ci', scopes: ['jobs:read'] } });
    const body = created.json();
    expect(body.key).toMatch(/^pb_test_/);
    const listed = await api.app.inject({ method: 'GET', url: '/api/v1/api-keys', headers: bearer(api.keys.admin) });
    expect(listed.body).not.toContain(body.key);
    expect(listed.body).not.toContain('tokenHash');
    expect(listed.json().data.map((k: { id: string }) => k.id)).toContain(body.id);
  });

  it('refuses a key that would grant scopes its creator lacks', async () => {
    const res = await api.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: bearer(api.keys.developer), payload: { name: 'escalate', role: 'owner' } });
    expect(res.statusCode).toBe(403);
  });

  it('keeps each environment apart: a prod key does not see dev keys', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/api/v1/api-keys', headers: bearer(api.keys.prod) });
    expect(res.json().data.every((k: { environment: string }) => k.environment === 'prod')).toBe(true);
  });
});

describe('bad input', () => {
  it('answers 400 with the failing fields for a body of the wrong shape', async () => {
    const res = await api.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: bearer(api.keys.admin), payload: { name: 42, role: 'emperor', extra: true } });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain(PROBLEM);
    const fields = res.json().errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['/name', '/role', '/extra']));
  });

  it('answers 400 for malformed JSON', async () => {
    const res = await api.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: { ...bearer(api.keys.admin), 'content-type': 'application/json' }, payload: '{"name": ' });
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toMatch(/not valid JSON/);
  });

  it('answers 400 for a missing required field and a wrong query type', async () => {
    const missing = await api.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: bearer(api.keys.admin), payload: {} });
    expect(missing.json().errors).toContainEqual({ field: '/name', message: 'is required' });
    const query = await api.app.inject({ method: 'GET', url: '/api/v1/api-keys?limit=lots', headers: bearer(api.keys.admin) });
    expect(query.statusCode).toBe(400);
    expect(query.json().errors[0].field).toBe('querystring:/limit');
  });

  it('answers 413 for an oversize body and 415 for an unknown content type', async () => {
    const big = await api.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: { ...bearer(api.keys.admin), 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(big.statusCode).toBe(413);
    const odd = await api.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: { ...bearer(api.keys.admin), 'content-type': 'application/x-garbage' }, payload: 'zzz' });
    expect(odd.statusCode).toBe(415);
  });

  it('answers 404 problem+json for an unknown route, and a bad cursor is a 400', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/api/v1/nowhere', headers: bearer(api.keys.admin) });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain(PROBLEM);
    const cursor = await api.app.inject({ method: 'GET', url: '/api/v1/audit-log?cursor=%%%', headers: bearer(api.keys.admin) });
    expect(cursor.statusCode).toBe(400);
  });
});

describe('request ids', () => {
  it('puts x-request-id on every response and in the log lines of that request', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'trace-abc-123' } });
    expect(res.headers['x-request-id']).toBe('trace-abc-123');
    const own = await api.app.inject({ method: 'GET', url: '/health' });
    expect(own.headers['x-request-id']).toMatch(/^req_/);
    const lines = api.logs.lines().filter((l) => l.requestId === 'trace-abc-123');
    expect(lines.length).toBeGreaterThan(0);
  });

  it('counts a request the dashboard hands to the 404 handler as unmatched in the metrics', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/assets/missing-file.js' });
    expect(res.statusCode).toBe(404);
    const text = await api.app.deps.metrics.getSingleMetricAsString('patchbay_http_requests_total');
    expect(text).toMatch(/method="GET",route="unmatched",status_class="4xx"/);
    expect(text).not.toMatch(/route="\/\*",status_class="4xx"/);
  });

  it('puts the caller and the route ids on the request line, whether or not a body was read', async () => {
    const read = await api.app.inject({ method: 'GET', url: '/api/v1/connections/conn-line-check', headers: { ...bearer(api.keys.admin), 'x-request-id': 'line-get-1' } });
    expect(read.statusCode).toBe(404);
    const write = await api.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: { ...bearer(api.keys.owner), 'x-request-id': 'line-post-1' }, payload: { name: 'line check' } });
    expect(write.statusCode).toBe(201);
    const lineOf = (id: string) => api.logs.lines().find((l) => l.requestId === id && (l.msg === 'request completed' || l.msg === 'request errored'));
    expect(lineOf('line-get-1')).toMatchObject({ organizationId: expect.stringMatching(/^org_/), environmentId: expect.any(String), connectionId: 'conn-line-check' });
    expect(lineOf('line-post-1')).toMatchObject({ organizationId: expect.stringMatching(/^org_/), environmentId: expect.any(String) });
  });
});

describe('pagination', () => {
  it('walks a list page by page with nextCursor', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await api.app.inject({ method: 'GET', url: `/api/v1/audit-log?limit=2${cursor ? `&cursor=${cursor}` : ''}`, headers: bearer(api.keys.owner) });
      const body = res.json() as { data: { id: string }[]; nextCursor: string | null };
      seen.push(...body.data.map((e) => e.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort().reverse()).toEqual(seen);
  });
});

describe('idempotency keys', () => {
  it('returns the first answer for a repeat and 422 for another body under the same key', async () => {
    // (An answer carrying a secret — a new API key — is not replayed: test/api/idempotency.test.ts.)
    const headers = { ...bearer(api.keys.owner), 'idempotency-key': 'create-env-1' };
    const first = await api.app.inject({ method: 'POST', url: '/api/v1/environments', headers, payload: { name: 'once' } });
    const again = await api.app.inject({ method: 'POST', url: '/api/v1/environments', headers, payload: { name: 'once' } });
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(first.json().id);
    const other = await api.app.inject({ method: 'POST', url: '/api/v1/environments', headers, payload: { name: 'twice' } });
    expect(other.statusCode).toBe(422);
  });

  it('forgets stored answers once they are a day old, and only those', async () => {
    const post = (key: string) => api.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: { ...bearer(api.keys.admin), 'idempotency-key': key }, payload: { name: key, role: 'viewer' } });
    const clock = api.clock as ManualClock;
    expect((await post('prune-old')).statusCode).toBe(201);
    clock.advance(IDEMPOTENCY_TTL_MS - 60_000);
    expect((await post('prune-young')).statusCode).toBe(201);
    clock.advance(2 * 60_000);
    const stored = async () => (await api.database.db.select({ key: idempotencyKeys.key }).from(idempotencyKeys)).map((r) => r.key);
    expect(await stored()).toEqual(expect.arrayContaining(['prune-old', 'prune-young']));
    expect(await pruneIdempotencyKeys(api.database.db, clock.now())).toBeGreaterThanOrEqual(1);
    expect(await stored()).not.toContain('prune-old');
    expect(await stored()).toContain('prune-young');
  });
});

describe('rate limits', () => {
  it('answers 429 with Retry-After once a key spends its per-key allowance', async () => {
    const created = await api.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: bearer(api.keys.admin),
      payload: { name: 'tight', role: 'viewer', rateLimits: { management: { perMinute: 3, perHour: 100 } } },
    });
    const key = created.json().key as string;
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 5; i++) {
      last = await api.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(key) });
      statuses.push(last.statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    expect(last!.headers['ratelimit-remaining']).toBe('0');
    expect(last!.json().type).toBe('https://patchbay.dev/problems/rate-limited');
  });

  it('sends RateLimit headers on ordinary answers', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(api.keys.developer) });
    expect(res.headers['ratelimit-limit']).toBe('100');
    expect(res.headers['ratelimit-policy']).toContain('100;w=60');
  });
});

describe('dashboard sessions', () => {
  it('signs in with a password, needs the CSRF token to write, and names the environment per request', async () => {
    const bad = await api.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'owner@acme.test', password: 'wrong' } });
    expect(bad.statusCode).toBe(401);
    const login = await api.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'owner@acme.test', password: OWNER_PASSWORD } });
    expect(login.statusCode).toBe(200);
    const cookie = login.cookies.find((c) => c.name === 'pb_session')!;
    expect(cookie.httpOnly).toBe(true);
    const { csrfToken } = login.json();
    const cookies = { pb_session: cookie.value };
    const me = await api.app.inject({ method: 'GET', url: '/api/v1/auth/me', cookies, headers: { 'patchbay-environment': 'prod' } });
    expect(me.json()).toMatchObject({ kind: 'user', role: 'owner', environment: 'prod' });
    const noCsrf = await api.app.inject({ method: 'POST', url: '/api/v1/api-keys', cookies, payload: { name: 'x', environment: 'dev' } });
    expect(noCsrf.statusCode).toBe(403);
    const withCsrf = await api.app.inject({ method: 'POST', url: '/api/v1/api-keys', cookies, headers: { 'x-csrf-token': csrfToken }, payload: { name: 'x', environment: 'dev' } });
    expect(withCsrf.statusCode).toBe(201);
  });

  it('reads the session cookie among other cookies, clears it on sign-out, and sets no cookie elsewhere', async () => {
    const login = await api.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'owner@acme.test', password: OWNER_PASSWORD } });
    const token = login.cookies.find((c) => c.name === 'pb_session')!.value;
    const me = await api.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: `theme=dark; pb_session=${token}; other=%20x` } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ kind: 'user', role: 'owner' });
    const noSession = await api.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: 'theme=dark' } });
    expect(noSession.statusCode).toBe(401);
    const health = await api.app.inject({ method: 'GET', url: '/health', headers: { cookie: `pb_session=${token}` } });
    expect(health.headers['set-cookie']).toBeUndefined();
    const logout = await api.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie: `pb_session=${token}`, 'x-csrf-token': login.json().csrfToken } });
    expect(logout.statusCode).toBe(204);
    expect(logout.cookies.find((c) => c.name === 'pb_session')).toMatchObject({ value: '', maxAge: 0 });
    const after = await api.app.inject({ method: 'GET', url: '/api/v1/auth/me', cookies: { pb_session: token } });
    expect(after.statusCode).toBe(401);
  });

  it('gives a signed-in person the larger dashboard allowance, counted apart from the API keys', async () => {
    const login = await api.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'owner@acme.test', password: OWNER_PASSWORD } });
    const cookies = { pb_session: login.cookies.find((c) => c.name === 'pb_session')!.value };
    const byPerson = await api.app.inject({ method: 'GET', url: '/api/v1/auth/me', cookies });
    expect(byPerson.headers['ratelimit-limit']).toBe('1200');
    const byKey = await api.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(api.keys.developer) });
    expect(byKey.headers['ratelimit-limit']).toBe('100');
  });
});

describe('members added at the same moment', () => {
  it('makes one member of a new email sent twice at once and answers the other 409, never a 500', async () => {
    const add = () => api.app.inject({ method: 'POST', url: '/api/v1/members', headers: bearer(api.keys.owner), payload: { email: 'twice@acme.test', name: 'Twice', role: 'viewer' } });
    const answers = await Promise.all([add(), add(), add()]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([201, 409, 409]);
    for (const answer of answers.filter((a) => a.statusCode === 409)) expect(answer.headers['content-type']).toContain('application/problem+json');
  });
});

describe('audit log', () => {
  it('records who did what, when and from where', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/api/v1/audit-log?action=api_key.created&limit=100', headers: bearer(api.keys.owner) });
    const entries = res.json().data as { actorType: string; actorId: string; ip: string; requestId: string; targetType: string }[];
    const byKey = entries.find((e) => e.actorType === 'api_key');
    const byUser = entries.find((e) => e.actorType === 'user');
    expect(byKey).toMatchObject({ targetType: 'api_key' });
    expect(byKey!.actorId).toMatch(/^key_/);
    expect(byUser!.actorId).toMatch(/^usr_/);
    for (const entry of [byKey!, byUser!]) {
      expect(entry.ip).toBeTruthy();
      expect(entry.requestId).toBeTruthy();
    }
  });
});

describe('operations endpoints', () => {
  it('answers /health, /ready and /metrics', async () => {
    expect((await api.app.inject({ method: 'GET', url: '/health' })).json()).toEqual({ status: 'ok' });
    expect((await api.app.inject({ method: 'GET', url: '/ready' })).json()).toEqual({ status: 'ready' });
    const metrics = await api.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('patchbay_http_requests_total');
    expect(metrics.body).toContain('patchbay_http_request_duration_seconds_bucket');
  });
});

describe('OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document covering every route', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    const documented = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(item)) documented.add(`${method.toUpperCase()} ${path}`);
    }
    const routes = listRoutes(api.app);
    expect(routes.length).toBeGreaterThan(20);
    const undocumented = routes.filter((r) => !documented.has(r.replace(/\*$/, '{*}')) && !r.startsWith('GET /api/v1/docs'));
    expect(undocumented).toEqual([]);
    for (const op of [
      'GET /health',
      'GET /ready',
      'GET /metrics',
      'GET /api/v1/api-keys',
      'POST /api/v1/api-keys',
      'DELETE /api/v1/api-keys/{id}',
      'GET /api/v1/audit-log',
      'GET /api/v1/organizations/current',
      'GET /api/v1/members',
    ]) {
      expect(documented).toContain(op);
    }
    expect(doc.info.description).toContain('credentials:read');
  });

  it('serves the interactive docs', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/api/v1/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('swagger');
  });
});
