/**
 * The AWS Secrets Manager store against the simulator, which checks each request's SigV4
 * signature the way AWS does (recomputed from the request as received): secrets read by field
 * and version, written with CreateSecret and PutSecretValue, and every kind of bad signature refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import {
  createAwsSecretStore,
  createSecretsManagerClient,
  createVault,
  loadSecretStore,
  SECRET_STORE_AWS_CREDENTIALS,
  SecretStoreError,
  type SecretStore,
} from '../../src/credentials/index.ts';
import { signRequest } from '../../src/credentials/stores/sigv4.ts';
import { startSecretsManagerSimulator, type SecretsManagerSimulator } from '../../simulators/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createScope, masterKey } from './support.ts';

let sim: SecretsManagerSimulator;
beforeAll(async () => {
  sim = await startSecretsManagerSimulator({
    region: 'eu-west-1',
    keys: {
      AKIAPATCHBAYSIM00001: { secretAccessKey: 'patchbay/simulator/Secret+Access+Key+0001' },
      AKIAPATCHBAYPAYMENTS: { secretAccessKey: 'payments-only-secret', allow: ['payments/'] },
    },
  });
  sim.put('prod/stripe', { apiKey: 'sk_live_from_aws', webhookSecret: 'whsec_1' });
  sim.put('prod/plain', 'just-a-string');
});
afterAll(() => sim?.close());

const storeWith = (over: Partial<Parameters<typeof createAwsSecretStore>[0]> = {}): SecretStore =>
  createAwsSecretStore({ region: 'eu-west-1', endpoint: sim.url, credentials: async () => sim.credentials, allowPrivateNetworks: true, ...over });

async function failure(store: SecretStore, reference: string): Promise<SecretStoreError> {
  const err = await store.resolve(reference).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof SecretStoreError)) throw new Error(`expected a SecretStoreError for ${reference}, got ${String(err)}`);
  return err;
}

describe('the AWS Secrets Manager store', () => {
  it('reads a field of a JSON secret, the whole object, and a plain string secret', async () => {
    const store = storeWith();
    expect(await store.resolve('aws:prod/stripe#apiKey')).toBe('sk_live_from_aws');
    expect(await store.resolve('aws:prod/stripe')).toEqual({ apiKey: 'sk_live_from_aws', webhookSecret: 'whsec_1' });
    expect(await store.resolve('aws:prod/plain')).toBe('just-a-string');
    expect(sim.requests.at(-1)).toEqual({ operation: 'GetSecretValue' });
  });

  it('writes with CreateSecret and PutSecretValue, and reads AWSPREVIOUS and a version id', async () => {
    const client = createSecretsManagerClient({ region: 'eu-west-1', endpoint: sim.url, credentials: async () => sim.credentials, allowPrivateNetworks: true });
    const created = await client.createSecret({ Name: 'prod/rotating', SecretString: JSON.stringify({ token: 'one' }) });
    expect(created.ARN).toMatch(/^arn:aws:secretsmanager:eu-west-1:\d{12}:secret:prod\/rotating-/);
    const put = await client.putSecretValue({ SecretId: 'prod/rotating', SecretString: JSON.stringify({ token: 'two' }), ClientRequestToken: 'a1b2c3d4-0000-4000-8000-000000000002' });
    expect(put.VersionStages).toEqual(['AWSCURRENT']);
    // The same request token again (a retry) makes no third version.
    expect((await client.putSecretValue({ SecretId: 'prod/rotating', SecretString: JSON.stringify({ token: 'two' }), ClientRequestToken: 'a1b2c3d4-0000-4000-8000-000000000002' })).VersionId).toBe(put.VersionId);
    await expect(client.createSecret({ Name: 'prod/rotating', SecretString: 'x' })).rejects.toMatchObject({ type: 'ResourceExistsException' });

    const store = storeWith();
    expect(await store.resolve('aws:prod/rotating#token')).toBe('two');
    expect(await store.resolve('aws:prod/rotating?versionStage=AWSPREVIOUS#token')).toBe('one');
    expect(await store.resolve(`aws:prod/rotating?versionId=${put.VersionId}#token`)).toBe('two');
    expect(await store.resolve(`aws:${created.ARN}#token`)).toBe('two');
  });

  it('says what is missing: a secret, a field, a field of a string secret', async () => {
    const store = storeWith();
    expect(await failure(store, 'aws:prod/absent#x')).toMatchObject({ code: 'not_found', message: expect.stringContaining('No secret prod/absent') });
    expect(await failure(store, 'aws:prod/stripe#nope')).toMatchObject({ code: 'not_found', message: expect.stringContaining('fields: apiKey, webhookSecret') });
    expect((await failure(store, 'aws:prod/plain#x')).code).toBe('not_found');
  });

  it('is refused with a wrong secret access key (the signature does not match), never echoing it', async () => {
    const err = await failure(storeWith({ credentials: async () => ({ ...sim.credentials, secretAccessKey: 'wrong-secret-key' }) }), 'aws:prod/stripe#apiKey');
    expect(err.code).toBe('forbidden');
    expect(err.message).toContain('InvalidSignatureException');
    expect(err.message).not.toContain('wrong-secret-key');
    expect(sim.requests.at(-1)).toEqual({ operation: 'GetSecretValue', refused: 'InvalidSignatureException' });
  });

  it('is refused with an unknown access key, and where the key’s policy does not reach', async () => {
    expect(await failure(storeWith({ credentials: async () => ({ accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' }) }), 'aws:prod/stripe#apiKey')).toMatchObject({
      code: 'forbidden',
      message: expect.stringContaining('UnrecognizedClientException'),
    });
    const limited = storeWith({ credentials: async () => ({ accessKeyId: 'AKIAPATCHBAYPAYMENTS', secretAccessKey: 'payments-only-secret' }) });
    expect(await failure(limited, 'aws:prod/stripe#apiKey')).toMatchObject({ code: 'forbidden', message: expect.stringContaining('AccessDeniedException') });
  });

  it('is refused when the signature is older than five minutes', async () => {
    const stale = storeWith({ now: () => new Date(Date.now() - 6 * 60_000) });
    expect(await failure(stale, 'aws:prod/stripe#apiKey')).toMatchObject({ code: 'forbidden' });
    expect(sim.requests.at(-1)).toEqual({ operation: 'GetSecretValue', refused: 'InvalidSignatureException' });
  });

  it('refuses a request changed after signing: a tampered body or a tampered signature', async () => {
    const url = new URL(sim.url);
    const body = JSON.stringify({ SecretId: 'prod/stripe' });
    const signed = signRequest({ method: 'POST', url, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue' }, body }, sim.credentials, { region: 'eu-west-1', service: 'secretsmanager' });
    delete signed.host;
    const send = async (headers: Record<string, string>, payload: string) => {
      const res = await request(url, { method: 'POST', headers, body: payload });
      return { status: res.statusCode, body: (await res.body.json()) as { __type?: string; SecretString?: string } };
    };
    expect(await send(signed, body)).toMatchObject({ status: 200, body: { SecretString: expect.stringContaining('sk_live_from_aws') } });
    expect(await send(signed, JSON.stringify({ SecretId: 'prod/plain' }))).toMatchObject({ status: 400, body: { __type: 'InvalidSignatureException' } });
    const flipped = signed.authorization!.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
    expect(await send({ ...signed, authorization: flipped }, body)).toMatchObject({ status: 400, body: { __type: 'InvalidSignatureException' } });
    // Without x-amz-content-sha256 the body is still covered, by the canonical request's payload hash.
    const bare = signRequest({ method: 'POST', url, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue' }, body }, sim.credentials, { region: 'eu-west-1', service: 'secretsmanager', signPayloadHeader: false });
    delete bare.host;
    expect(await send(bare, body.replace('stripe', 'plain'))).toMatchObject({ status: 400, body: { __type: 'InvalidSignatureException' } });
    expect(await send({ 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue' }, body)).toMatchObject({ status: 400, body: { __type: 'MissingAuthenticationTokenException' } });
  });

  it('keeps to the SSRF guard: a loopback endpoint is refused unless the environment allows private networks', async () => {
    expect((await failure(storeWith({ allowPrivateNetworks: false }), 'aws:prod/stripe#apiKey')).code).toBe('not_allowed');
  });
});

describe("an environment's AWS secret store", () => {
  let database: TestDatabase;
  const vault = createVault({ keys: [masterKey('k1')] });
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database?.drop());

  it('resolves aws: references with the access key sealed in the vault', async () => {
    const settings = { secretStores: { aws: { region: 'eu-west-1', endpoint: sim.url } } };
    const scope = await createScope(database.db, { allowPrivateNetworks: true, settings });
    const environment = { id: scope.environmentId, organizationId: scope.organizationId, allowPrivateNetworks: true, settings };
    const store = loadSecretStore(database.db, vault, environment, {});
    expect((await failure(store, 'aws:prod/stripe#apiKey')).code).toBe('not_configured');
    await database.db.transaction((tx) => vault.seal(tx, { ...scope, ...SECRET_STORE_AWS_CREDENTIALS, ownerId: scope.environmentId, value: sim.credentials }));
    expect(await store.resolve('aws:prod/stripe#apiKey')).toBe('sk_live_from_aws');
    expect((await failure(store, 'vault:secret/x#y')).code).toBe('not_enabled');
  });
});

describe('AWS secret-store settings', () => {
  it('want a region, and an endpoint that passes the address policy', async () => {
    const { checkSecretStoreSettings } = await import('../../src/credentials/index.ts');
    expect(await checkSecretStoreSettings({ aws: { region: 'eu-west-1' } }, { allowPrivateNetworks: false })).toEqual([]);
    expect(await checkSecretStoreSettings({ aws: { region: 'mars', extra: 1 } }, { allowPrivateNetworks: false })).toEqual([
      { field: '/settings/secretStores/aws/extra', message: 'is not a known field (region, endpoint)' },
      { field: '/settings/secretStores/aws/region', message: 'is required: an AWS region such as eu-west-1' },
    ]);
    const refused = await checkSecretStoreSettings({ aws: { region: 'eu-west-1', endpoint: 'http://127.0.0.1:9' } }, { allowPrivateNetworks: false });
    expect(refused.map((e) => e.field)).toEqual(['/settings/secretStores/aws/endpoint']);
  });
});
