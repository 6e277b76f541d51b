import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import {
  createEnvSecretStore,
  createFileSecretStore,
  createVault,
  createVaultSecretStore,
  loadSecretStore,
  parseSecretReference,
  SECRET_STORE_TOKEN,
  SecretStoreError,
  type SecretStore,
  type SecretStoreErrorCode,
} from '../../src/credentials/index.ts';
import { startVaultSimulator, type VaultSimulator } from '../../simulators/vault.ts';
import { createTestDatabase, tempDir, type TestDatabase } from '../support/db.ts';
import { createScope, masterKey } from './support.ts';

async function failure(store: SecretStore, reference: string): Promise<SecretStoreError> {
  const err = await store.resolve(reference).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof SecretStoreError)) throw new Error(`expected a SecretStoreError for ${reference}, got ${String(err)}`);
  return err;
}
const codeOf = async (store: SecretStore, reference: string): Promise<SecretStoreErrorCode> => (await failure(store, reference)).code;

describe('secret references', () => {
  it('parses env, file and vault references', () => {
    expect(parseSecretReference('env:PATCHBAY_CREDENTIAL_STRIPE')).toEqual({ store: 'env', name: 'PATCHBAY_CREDENTIAL_STRIPE' });
    expect(parseSecretReference('file:/run/secrets/stripe')).toEqual({ store: 'file', path: '/run/secrets/stripe' });
    expect(parseSecretReference('vault:secret/payments/stripe#apiKey')).toEqual({ store: 'vault', mount: 'secret', path: 'payments/stripe', field: 'apiKey' });
    expect(parseSecretReference('vault:kv/app?version=3')).toEqual({ store: 'vault', mount: 'kv', path: 'app', version: 3 });
  });

  it.each(['', 'stripe', 'gcp:foo', 'aws:', 'aws:a b', 'aws:x?stage=1', 'env:', 'env:A-B', 'file:', 'vault:secret', 'vault:secret/../sys/raw#x', 'vault:secret//x', 'vault:secret/x?ver=1', 'vault:secret/x#'])(
    'refuses %j as not a reference',
    (reference) => {
      expect(() => parseSecretReference(reference)).toThrow(SecretStoreError);
    },
  );
});

describe('environment-variable store', () => {
  const env = { PATCHBAY_CREDENTIAL_STRIPE: 'sk_test_env', DATABASE_URL: 'postgres://x', PATCHBAY_SECRET_KEYS: 'k1:abc' };

  it('resolves a variable with the allowed prefix', async () => {
    expect(await createEnvSecretStore({ env }).resolve('env:PATCHBAY_CREDENTIAL_STRIPE')).toBe('sk_test_env');
  });

  it("refuses other variables, and Patchbay's own settings whatever the prefix", async () => {
    expect(await codeOf(createEnvSecretStore({ env }), 'env:DATABASE_URL')).toBe('not_allowed');
    expect(await codeOf(createEnvSecretStore({ env, prefix: 'PATCHBAY_' }), 'env:PATCHBAY_SECRET_KEYS')).toBe('not_allowed');
  });

  it('says when the variable is not set', async () => {
    const err = await failure(createEnvSecretStore({ env }), 'env:PATCHBAY_CREDENTIAL_MISSING');
    expect(err.code).toBe('not_found');
    expect(err.message).toContain('PATCHBAY_CREDENTIAL_MISSING is not set');
  });
});

describe('file store', () => {
  let root: string;
  let store: SecretStore;
  beforeAll(() => {
    root = tempDir('files');
    fs.mkdirSync(path.join(root, 'secrets'));
    fs.writeFileSync(path.join(root, 'secrets', 'stripe'), 'sk_test_file\n');
    fs.writeFileSync(path.join(root, 'outside'), 'not for you');
    fs.symlinkSync(path.join(root, 'outside'), path.join(root, 'secrets', 'escape'));
    store = createFileSecretStore({ directory: path.join(root, 'secrets') });
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('reads a file under the allowed directory, by absolute or relative path, without its final newline', async () => {
    expect(await store.resolve(`file:${path.join(root, 'secrets', 'stripe')}`)).toBe('sk_test_file');
    expect(await store.resolve('file:stripe')).toBe('sk_test_file');
  });

  it('refuses paths outside it, through .. or a symlink', async () => {
    expect(await codeOf(store, 'file:../outside')).toBe('not_allowed');
    expect(await codeOf(store, 'file:/etc/passwd')).toBe('not_allowed');
    expect(await codeOf(store, 'file:escape')).toBe('not_allowed');
  });

  it('says when the file does not exist', async () => {
    expect(await codeOf(store, 'file:nope')).toBe('not_found');
  });
});

describe('HashiCorp Vault store (KV v2, against the simulator)', () => {
  let simulator: VaultSimulator;
  const token = 'hvs.root-token-for-tests';
  const store = (options: { token?: string; allowPrivateNetworks?: boolean } = {}) =>
    createVaultSecretStore({ address: simulator.url, token: async () => options.token ?? token, allowPrivateNetworks: options.allowPrivateNetworks ?? true });

  beforeAll(async () => {
    simulator = await startVaultSimulator({ tokens: { [token]: ['*'], 'hvs.billing-only': ['secret/billing/'] } });
    simulator.put('secret', 'payments/stripe', { apiKey: 'sk_test_v1', webhookSecret: 'whsec_1' });
    simulator.put('secret', 'payments/stripe', { apiKey: 'sk_test_v2', webhookSecret: 'whsec_2' });
    simulator.put('secret', 'retired', { apiKey: 'old' });
    simulator.deleteLatest('secret', 'retired');
  });
  afterAll(async () => {
    await simulator.close();
  });

  it('reads a field of the latest version, the whole data object, and a pinned version', async () => {
    expect(await store().resolve('vault:secret/payments/stripe#apiKey')).toBe('sk_test_v2');
    expect(await store().resolve('vault:secret/payments/stripe')).toEqual({ apiKey: 'sk_test_v2', webhookSecret: 'whsec_2' });
    expect(await store().resolve('vault:secret/payments/stripe?version=1#apiKey')).toBe('sk_test_v1');
    expect(simulator.requests.at(-1)).toEqual({ method: 'GET', path: '/v1/secret/data/payments/stripe?version=1' });
  });

  it('explains a wrong token clearly, without echoing it', async () => {
    const err = await failure(store({ token: 'hvs.wrong' }), 'vault:secret/payments/stripe#apiKey');
    expect(err.code).toBe('forbidden');
    expect(err.message).toContain('Vault refused the token for secret/payments/stripe');
    expect(err.message).toContain('permission denied');
    expect(err.message).not.toContain('hvs.wrong');
  });

  it("refuses a path outside the token's policy", async () => {
    expect(await codeOf(store({ token: 'hvs.billing-only' }), 'vault:secret/payments/stripe#apiKey')).toBe('forbidden');
  });

  it('tells a missing path, a deleted version and a missing field apart', async () => {
    expect((await failure(store(), 'vault:secret/nothing/here#x')).message).toContain('No secret at secret/nothing/here');
    expect((await failure(store(), 'vault:secret/retired#apiKey')).message).toContain('was deleted');
    const missingField = await failure(store(), 'vault:secret/payments/stripe#password');
    expect(missingField.code).toBe('not_found');
    expect(missingField.message).toContain('no field "password" (fields: apiKey, webhookSecret)');
    expect(missingField.message).not.toContain('sk_test');
  });

  it('refuses a loopback Vault address unless the environment allows private networks', async () => {
    const err = await failure(store({ allowPrivateNetworks: false }), 'vault:secret/payments/stripe#apiKey');
    expect(err.code).toBe('not_allowed');
    expect(err.message).toContain('loopback');
  });

  it("answers errors in Vault's shape", async () => {
    const forbidden = await request(`${simulator.url}/v1/secret/data/payments/stripe`, { headers: { 'x-vault-token': 'nope' } });
    expect(forbidden.statusCode).toBe(403);
    expect(await forbidden.body.json()).toEqual({ errors: ['permission denied'] });
    const missing = await request(`${simulator.url}/v1/secret/data/absent`, { headers: { authorization: `Bearer ${token}` } });
    expect(missing.statusCode).toBe(404);
    expect(await missing.body.json()).toEqual({ errors: [] });
  });
});

describe("an environment's secret store", () => {
  let database: TestDatabase;
  let simulator: VaultSimulator;
  const vault = createVault({ keys: [masterKey('k1')] });

  beforeAll(async () => {
    database = await createTestDatabase();
    simulator = await startVaultSimulator({ tokens: { 'hvs.env-token': ['*'] } });
    simulator.put('secret', 'hubspot', { clientSecret: 'cs_from_vault' });
  });
  afterAll(async () => {
    await simulator.close();
    await database.drop();
  });

  it('resolves through the stores the environment enables, with its Vault token opened from the vault', async () => {
    const settings = { secretStores: { env: true, vault: { address: simulator.url } } };
    const scope = await createScope(database.db, { allowPrivateNetworks: true, settings });
    const environment = { id: scope.environmentId, organizationId: scope.organizationId, allowPrivateNetworks: true, settings };
    const host = { env: { PATCHBAY_CREDENTIAL_HUBSPOT: 'from-env' }, filesDirectory: tempDir('unused') };
    const store = loadSecretStore(database.db, vault, environment, host);

    expect(await codeOf(store, 'vault:secret/hubspot#clientSecret')).toBe('not_configured');
    await database.db.transaction((tx) => vault.seal(tx, { ...scope, ...SECRET_STORE_TOKEN, ownerId: scope.environmentId, value: 'hvs.env-token' }));
    expect(await store.resolve('vault:secret/hubspot#clientSecret')).toBe('cs_from_vault');
    expect(await store.resolve('env:PATCHBAY_CREDENTIAL_HUBSPOT')).toBe('from-env');
    const notEnabled = await failure(store, 'file:anything');
    expect(notEnabled.code).toBe('not_enabled');
    expect(notEnabled.message).toContain("environment's secret-store settings");
  });
});
