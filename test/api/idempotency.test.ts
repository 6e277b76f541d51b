/**
 * Idempotency keys at their edges: answers that carry a secret shown once are never stored (a
 * replay says so, with the rest of the answer), and a key whose request died with its process is
 * held only by that process's lease — afterwards a retry runs again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { idempotencyKeys } from '../../src/auth/schema.ts';
import { sha256Hex, type ManualClock } from '../../src/core/index.ts';
import { loadRegistry } from '../../src/connectors/index.ts';
import { bearer, createTestApi, type TestApi } from '../support/api.ts';

let api: TestApi;
beforeAll(async () => {
  await loadRegistry();
  api = await createTestApi();
});
afterAll(async () => {
  await api.close();
});

const post = (key: string, url: string, payload: unknown, idempotencyKey: string) =>
  api.app.inject({ method: 'POST', url: `/api/v1${url}`, headers: { ...bearer(key), 'idempotency-key': idempotencyKey }, payload: payload as object });
const stored = async (idempotencyKey: string) => (await api.database.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, idempotencyKey)))[0];

describe('answers that carry a secret shown once', () => {
  const cases = [
    { name: 'a new API key', url: '/api-keys', body: { name: 'ci', role: 'viewer' }, secret: 'key', who: () => api.keys.admin },
    { name: "a new member's initial password", url: '/members', body: { email: 'new.person@acme.test', name: 'New Person', role: 'viewer' }, secret: 'initialPassword', who: () => api.keys.admin },
  ];

  for (const c of cases) {
    it(`does not store ${c.name}; a replay answers 409 secret-shown-once with the rest of the answer`, async () => {
      const idem = `once-${c.secret}`;
      const first = await post(c.who(), c.url, c.body, idem);
      expect(first.statusCode, first.body).toBe(201);
      const secret = first.json()[c.secret] as string;
      expect(secret.length).toBeGreaterThan(8);
      const row = await stored(idem);
      expect(JSON.stringify(row)).not.toContain(secret);
      expect(row!.withheld).toEqual([c.secret]);

      const again = await post(c.who(), c.url, c.body, idem);
      expect(again.statusCode).toBe(409);
      expect(again.headers['content-type']).toContain('application/problem+json');
      expect(again.body).not.toContain(secret);
      const problem = again.json();
      expect(problem).toMatchObject({ type: 'https://patchbay.dev/problems/secret-shown-once', status: 409, originalStatus: 201, withheld: [c.secret] });
      const { [c.secret]: _secret, ...rest } = first.json();
      expect(problem.response).toEqual(rest);
    });
  }

  it('does not store a connect session token (nor the connect URLs that carry it)', async () => {
    const integration = await api.app.inject({
      method: 'POST',
      url: '/api/v1/integrations',
      headers: bearer(api.keys.admin),
      payload: { connectorKey: 'custom-oauth', clientId: 'c', clientSecret: 's', config: { authorizationUrl: 'https://auth.example.com/authorize', tokenUrl: 'https://auth.example.com/token', apiBaseUrl: 'https://api.example.com' } },
    });
    expect(integration.statusCode, integration.body).toBe(201);
    const body = { endCustomerId: 'cust-1', integrations: [integration.json().id] };
    const first = await post(api.keys.admin, '/connect/sessions', body, 'once-session');
    expect(first.statusCode, first.body).toBe(201);
    const token = first.json().token as string;
    expect(token).toMatch(/^pb_cs_/);
    expect(JSON.stringify(await stored('once-session'))).not.toContain(token);
    const again = await post(api.keys.admin, '/connect/sessions', body, 'once-session');
    expect(again.statusCode).toBe(409);
    expect(again.body).not.toContain(token);
    expect(again.json().response.id).toBe(first.json().id);
  });

  it('still replays answers without secrets, and stores refusals whole', async () => {
    const created = await post(api.keys.owner, '/environments', { name: 'qa' }, 'env-qa');
    const replay = await post(api.keys.owner, '/environments', { name: 'qa' }, 'env-qa');
    expect(replay.statusCode).toBe(201);
    expect(replay.json()).toEqual(created.json());
    const refused = await post(api.keys.developer, '/api-keys', { name: 'escalate', role: 'owner' }, 'refused-key');
    expect(refused.statusCode).toBe(403);
    expect((await post(api.keys.developer, '/api-keys', { name: 'escalate', role: 'owner' }, 'refused-key')).statusCode).toBe(403);
  });
});

describe('a key whose request is in progress', () => {
  async function abandoned(idem: string, body: unknown, lockedUntil: Date): Promise<void> {
    // What a process leaves behind when it dies mid-request: the key taken, no answer, a lease.
    const me = (await api.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(api.keys.owner) })).json();
    await api.database.db.insert(idempotencyKeys).values({
      organizationId: api.seed.organization.id,
      environmentId: api.seed.environments.find((e) => e.name === 'dev')!.id,
      principalId: me.id,
      key: idem,
      requestHash: sha256Hex(`POST /api/v1/environments\n${JSON.stringify(body)}`),
      createdAt: api.clock.now(),
      lockedUntil,
    });
  }

  it('answers 409 with Retry-After while its lease runs, then runs the request again', async () => {
    const body = { name: 'after-crash' };
    const clock = api.clock as ManualClock;
    await abandoned('crashed-1', body, new Date(clock.now().getTime() + 20_000));
    const during = await post(api.keys.owner, '/environments', body, 'crashed-1');
    expect(during.statusCode, during.body).toBe(409);
    expect(during.json().detail).toContain('still in progress');
    expect(Number(during.headers['retry-after'])).toBe(20);

    clock.advance(21_000);
    const after = await post(api.keys.owner, '/environments', body, 'crashed-1');
    expect(after.statusCode, after.body).toBe(201);
    const replay = await post(api.keys.owner, '/environments', body, 'crashed-1');
    expect(replay.statusCode).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    const [row] = await api.database.db.select().from(idempotencyKeys).where(and(eq(idempotencyKeys.key, 'crashed-1')));
    expect(row).toMatchObject({ statusCode: 201, lockedUntil: null });
  });
});
