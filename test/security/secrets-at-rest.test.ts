/**
 * No secret this test run makes is kept in plaintext anywhere in the database: every text, JSON
 * and binary column of every table is searched for each of them, after they went through the API
 * with `Idempotency-Key` (whose stored answers used to keep them) — API keys, initial passwords,
 * connect-session tokens, sign-in sessions, and the secrets given to integrations, connections,
 * endpoints and sources.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { rows } from '../../src/db/index.ts';
import { startSimulator, type SimulatorHandle } from '../../simulators/index.ts';
import { startSecurityHub, type SecurityHub, type Tenant } from './hub.ts';

let h: SecurityHub;
let stripe: SimulatorHandle;
let a: Tenant;
const secrets = new Map<string, string>();
const unique = (prefix: string) => `${prefix}${randomBytes(18).toString('base64url')}`;

beforeAll(async () => {
  stripe = await startSimulator('stripe');
  h = await startSecurityHub();
  a = await h.tenant('sealed');
}, 180_000);
afterAll(async () => {
  await h?.close();
  await stripe?.close();
});

/** Posts with an Idempotency-Key, and once more with the same key (the replay path runs too). */
async function postTwice(key: string, url: string, body: unknown): Promise<Record<string, any>> {
  const headers = { 'idempotency-key': `scan-${url}-${secrets.size}` };
  const first = await h.call(key, 'POST', url, body, headers);
  expect(first.status, `${url}: ${first.text}`).toBe(201);
  const again = await h.call(key, 'POST', url, body, headers);
  expect([201, 409], again.text).toContain(again.status);
  return first.body;
}

/** Every (table, column) whose value contains one of `needles`. */
async function columnsHolding(needles: readonly string[]): Promise<string[]> {
  const columns = await rows<{ table_name: string; column_name: string; data_type: string }>(
    h.database.db,
    sql`select c.table_name, c.column_name, c.data_type from information_schema.columns c
      join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
      where c.table_schema = current_schema() and c.data_type in ('text', 'character varying', 'json', 'jsonb', 'bytea', 'ARRAY')
      order by c.table_name, c.ordinal_position`,
  );
  const found: string[] = [];
  for (const c of columns) {
    for (const needle of needles) {
      const test =
        c.data_type === 'bytea'
          ? sql`position(convert_to(${needle}, 'UTF8') in ${sql.identifier(c.column_name)}) > 0`
          : sql`position(${needle} in ${sql.identifier(c.column_name)}::text) > 0`;
      const [hit] = await rows<{ n: number }>(h.database.db, sql`select count(*)::int as n from ${sql.identifier(c.table_name)} where ${test}`);
      if (hit!.n > 0) found.push(`${c.table_name}.${c.column_name} holds ${[...secrets].find(([, v]) => v === needle)?.[0] ?? 'a secret'}`);
    }
  }
  return found;
}

describe('secrets at rest', () => {
  it('keeps none of the secrets a run makes in plaintext, in any column of any table', { timeout: 120_000 }, async () => {
    const admin = a.keys.admin;
    secrets.set('API key', (await postTwice(admin, '/api-keys', { name: 'scan', role: 'viewer' })).key);
    secrets.set('initial password', (await postTwice(admin, '/members', { email: 'scan@sealed.test', name: 'Scan', role: 'viewer' })).initialPassword);

    const clientSecret = unique('cs_');
    secrets.set('OAuth client secret', clientSecret);
    const oauth = await postTwice(admin, '/integrations', {
      connectorKey: 'custom-oauth',
      clientId: 'scan-client',
      clientSecret,
      config: { authorizationUrl: 'https://auth.example.com/authorize', tokenUrl: 'https://auth.example.com/token', apiBaseUrl: 'https://api.example.com' },
    });
    secrets.set('connect session token', (await postTwice(admin, '/connect/sessions', { endCustomerId: 'scan', integrations: [oauth.id] })).token);

    const stripeIntegration = await postTwice(admin, '/integrations', { connectorKey: 'stripe', key: 'stripe-scan', baseUrl: stripe.baseUrl });
    await postTwice(admin, '/connections', { integration: stripeIntegration.id, endCustomerId: 'scan', credentials: { apiKey: 'sk_test_patchbaysimulator0000000001' } });
    secrets.set('provider API key', 'sk_test_patchbaysimulator0000000001');

    const endpointSecret = `whsec_${randomBytes(24).toString('base64')}`;
    secrets.set('endpoint signing secret', endpointSecret);
    await postTwice(admin, '/endpoints', { url: 'http://127.0.0.1:9/hook', secret: endpointSecret, enabled: false });

    const sourceSecret = unique('whsec_src_');
    secrets.set('source signing secret', sourceSecret);
    await postTwice(admin, '/sources', { name: 'scan', connector: 'stripe', secret: sourceSecret });

    const login = await h.hub.app!.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'scan@sealed.test', password: secrets.get('initial password') } });
    expect(login.statusCode, login.body).toBe(200);
    const cookie = login.cookies.find((c) => c.name === 'pb_session')!;
    secrets.set('session token', cookie.value);

    for (const [what, value] of secrets) expect(value, what).toMatch(/.{12,}/);
    expect(await columnsHolding([...secrets.values()])).toEqual([]);
  });
});
