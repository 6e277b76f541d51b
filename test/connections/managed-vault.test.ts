import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { rows } from '../../src/db/index.ts';
import { updateEnvironment } from '../../src/auth/index.ts';
import { monogramIcon, registerDeclarativeConnector } from '../../src/connectors/index.ts';
import { SECRET_STORE_TOKEN } from '../../src/credentials/index.ts';
import { startSimulator, type SimulatorHandle } from '../../simulators/index.ts';
import { startVaultSimulator, type VaultSimulator } from '../../simulators/vault.ts';
import { bearer, createTestApi, type TestApi } from '../support/api.ts';

const KEY = 'sk_test_patchbaysimulator0000000001';
const VAULT_TOKEN = 'hvs.patchbay-dev-token';
let api: TestApi;
let stripe: SimulatorHandle;
let vault: VaultSimulator;

const post = (url: string, payload: unknown) => api.app.inject({ method: 'POST', url, headers: bearer(api.keys.admin), payload: payload as object });
const put = (url: string, payload: unknown) => api.app.inject({ method: 'PUT', url, headers: bearer(api.keys.admin), payload: payload as object });
const get = (url: string) => api.app.inject({ method: 'GET', url, headers: bearer(api.keys.admin) });

beforeAll(async () => {
  api = await createTestApi();
  stripe = await startSimulator('stripe');
  vault = await startVaultSimulator({ tokens: { [VAULT_TOKEN]: ['secret/payments/'] } });
  vault.put('secret', 'payments/stripe', { apiKey: KEY });
  // A provider described by JSON alone, whose key lives in the customer's own secret store.
  registerDeclarativeConnector({
    key: 'vaulted-stripe',
    name: 'Stripe (key in Vault)',
    description: 'Stripe with the secret key read from HashiCorp Vault at each use.',
    category: 'commerce',
    icon: monogramIcon('SV', '#635bff'),
    capabilities: ['proxy'],
    connectionMode: 'managedVault',
    auth: {
      fields: { apiKey: { label: 'Secret key', secret: true } },
      inject: { in: 'header', name: 'Authorization', format: 'Bearer {apiKey}' },
    },
    baseUrls: { production: 'https://api.stripe.com' },
    docsUrl: 'https://docs.stripe.com/api',
    test: { path: '/v1/account', accountInfo: { id: 'id' } },
  });
  const dev = api.seed.environments.find((e) => e.name === 'dev')!;
  const scope = { organizationId: api.seed.organization.id, environmentId: dev.id };
  await updateEnvironment(api.database.db, scope.organizationId, dev.id, { settings: { secretStores: { vault: { address: vault.url } } } });
  await api.vault.seal(api.database.db, { ...scope, ...SECRET_STORE_TOKEN, ownerId: dev.id, value: VAULT_TOKEN });
  const integration = await post('/api/v1/integrations', { connectorKey: 'vaulted-stripe', baseUrl: stripe.baseUrl });
  expect(integration.statusCode, integration.body).toBe(201);
});
afterAll(async () => {
  await vault.close();
  await stripe.close();
  await api.close();
});

describe('managed-vault connections', () => {
  it('keep only a reference, resolved from the environment’s store at each use', async () => {
    const res = await post('/api/v1/connections', { integration: 'vaulted-stripe', id: 'mv-1', endCustomerId: 'c', credentialReference: 'vault:secret/payments/stripe#apiKey' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ status: 'connected', credentialType: 'managedVault', credentialReference: 'vault:secret/payments/stripe#apiKey', credential: null, accountInfo: { id: 'acct_1SimPatchbay0001' } });
    const sealed = await rows<{ n: number }>(api.database.db, sql`select count(*)::int as n from secrets where owner_id = 'mv-1'`);
    expect(sealed[0]!.n).toBe(0);
    expect(vault.requests.at(-1)).toEqual({ method: 'GET', path: '/v1/secret/data/payments/stripe' });
    const creds = await get('/api/v1/connections/mv-1/credentials');
    expect(creds.json()).toMatchObject({ credentialType: 'managedVault', credentials: { apiKey: KEY } });
  });

  it('see a rotated secret at once, and report a refused one', async () => {
    vault.put('secret', 'payments/stripe', { apiKey: 'sk_test_rotatedbutnotaccepted0000' });
    try {
      const refused = (await post('/api/v1/connections/mv-1/test', {})).json();
      expect(refused).toMatchObject({ ok: false, code: 'invalid_credentials', connection: { status: 'error', statusReason: 'invalid_credentials' } });
    } finally {
      vault.put('secret', 'payments/stripe', { apiKey: KEY });
    }
    expect((await post('/api/v1/connections/mv-1/test', {})).json()).toMatchObject({ ok: true, connection: { status: 'connected' } });
  });

  it('are refused with 422 saying why when the secret cannot be read, and not stored', async () => {
    const res = await post('/api/v1/connections', { integration: 'vaulted-stripe', id: 'mv-2', endCustomerId: 'c', credentialReference: 'vault:secret/billing/stripe#apiKey' });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json()).toMatchObject({ type: 'https://patchbay.dev/problems/connection-test-failed', test: { ok: false, code: 'credential_unavailable' } });
    expect(res.json().test.message).toContain('Vault refused the token');
    expect(res.json().test.hint).toContain('secret-store');
    expect((await get('/api/v1/connections/mv-2')).statusCode).toBe(404);
    const notEnabled = await post('/api/v1/connections', { integration: 'vaulted-stripe', id: 'mv-3', endCustomerId: 'c', credentialReference: 'env:PATCHBAY_CREDENTIAL_STRIPE' });
    expect(notEnabled.statusCode).toBe(422);
    expect(notEnabled.json().test.message).toContain('does not resolve references to environment variables');
    const untested = await post('/api/v1/connections', { integration: 'vaulted-stripe', id: 'mv-4', endCustomerId: 'c', credentialReference: 'vault:secret/billing/stripe#apiKey', test: false });
    expect(untested.statusCode, untested.body).toBe(201);
  });

  it('move to a new reference only once the new one is proven', async () => {
    vault.put('secret', 'payments/stripe-next', { apiKey: KEY });
    const refused = await put('/api/v1/connections/mv-1/credentials', { credentialReference: 'vault:secret/billing/stripe#apiKey' });
    expect(refused.statusCode, refused.body).toBe(422);
    expect((await get('/api/v1/connections/mv-1')).json().credentialReference).toBe('vault:secret/payments/stripe#apiKey');
    const moved = await put('/api/v1/connections/mv-1/credentials', { credentialReference: 'vault:secret/payments/stripe-next#apiKey' });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toMatchObject({ id: 'mv-1', credentialReference: 'vault:secret/payments/stripe-next#apiKey', secretVersion: null, status: 'connected' });
  });

  it('refuse a reference that is not one, and a key where a reference is expected', async () => {
    const bad = await post('/api/v1/connections', { integration: 'vaulted-stripe', endCustomerId: 'c', credentialReference: 'stripe-key-please' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0]).toMatchObject({ field: '/credentialReference' });
    const key = await post('/api/v1/connections', { integration: 'vaulted-stripe', endCustomerId: 'c', credentials: { apiKey: KEY } });
    expect(key.json().errors.map((e: { field: string }) => e.field)).toEqual(['/credentials', '/credentialReference']);
    expect(api.logs.text()).not.toContain(KEY);
    expect(api.logs.text()).not.toContain(VAULT_TOKEN);
  });
});
