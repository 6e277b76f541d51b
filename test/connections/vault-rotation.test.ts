import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/core/index.ts';
import { buildApi } from '../../src/api/index.ts';
import { createVault, keyUsage, rotateMasterKey } from '../../src/credentials/index.ts';
import { startSimulator, type SimulatorHandle } from '../../simulators/index.ts';
import { bearer, createTestApi, type TestApi } from '../support/api.ts';
import { masterKey } from '../credentials/support.ts';

const KEY = 'sk_test_patchbaysimulator0000000001';
const oldKey = masterKey('old');
const newKey = masterKey('new');
let api: TestApi;
let stripe: SimulatorHandle;
/** The same hub after a deploy with PATCHBAY_SECRET_KEYS=new,old. */
let rotated: FastifyInstance;
const rotatedVault = createVault({ keys: [newKey, oldKey] });

const post = (app: FastifyInstance, url: string, payload: unknown) => app.inject({ method: 'POST', url, headers: bearer(api.keys.admin), payload: payload as object });
const get = (app: FastifyInstance, url: string) => app.inject({ method: 'GET', url, headers: bearer(api.keys.admin) });

beforeAll(async () => {
  api = await createTestApi({ vault: createVault({ keys: [oldKey] }) });
  stripe = await startSimulator('stripe');
  expect((await post(api.app, '/api/v1/integrations', { connectorKey: 'stripe', baseUrl: stripe.baseUrl })).statusCode).toBe(201);
  for (let i = 0; i < 30; i++) {
    const res = await post(api.app, '/api/v1/connections', { integration: 'stripe', id: `before-${i}`, endCustomerId: `c-${i}`, credentials: { apiKey: KEY }, test: false });
    expect(res.statusCode, res.body).toBe(201);
  }
  rotated = await buildApi({
    config: loadConfig({ PATCHBAY_DATA_DIR: api.database.dataDir, PUBLIC_URL: 'http://localhost:4000' }),
    database: api.database,
    logger: api.logs.logger,
    clock: api.clock,
    metrics: new Registry(),
    vault: rotatedVault,
  });
});
afterAll(async () => {
  await rotated.close();
  await stripe.close();
  await api.close();
});

describe('master-key rotation with connections', () => {
  it('re-wraps every credential while connections are read, tested and created, and loses nothing', async () => {
    expect(await keyUsage(api.database.db)).toEqual({ old: 30 });
    let rotating = true;
    const failures: string[] = [];
    let created = 0;
    const traffic = (async () => {
      for (let round = 0; rotating || round < 3; round++) {
        const i = round % 30;
        const reads = await Promise.all([get(rotated, `/api/v1/connections/before-${i}/credentials`), post(rotated, `/api/v1/connections/before-${(i + 7) % 30}/test`, {})]);
        for (const res of reads) if (res.statusCode !== 200) failures.push(`${res.statusCode} ${res.body}`);
        if (reads[0]!.json().credentials?.apiKey !== KEY) failures.push(`before-${i} read back ${reads[0]!.body}`);
        const made = await post(rotated, '/api/v1/connections', { integration: 'stripe', id: `during-${round}`, endCustomerId: 'd', credentials: { apiKey: KEY }, test: false });
        if (made.statusCode === 201) created++;
        else failures.push(`${made.statusCode} ${made.body}`);
      }
    })();
    const report = await rotateMasterKey(api.database.db, rotatedVault, { batchSize: 4, passDelayMs: 10 });
    rotating = false;
    await traffic;
    expect(failures).toEqual([]);
    expect(report).toMatchObject({ currentKeyId: 'new', failed: [], remaining: 0 });
    expect(report.rewrapped).toBe(30);
    expect(created).toBeGreaterThanOrEqual(3);
    expect(await keyUsage(api.database.db)).toEqual({ new: 30 + created });

    // The old key can go: a process with the new key alone reads every credential.
    const newOnly = createVault({ keys: [newKey] });
    const scope = { organizationId: api.seed.organization.id, environmentId: api.seed.environments.find((e) => e.name === 'dev')!.id };
    const secrets = await newOnly.list(api.database.db, scope);
    expect(secrets).toHaveLength(30 + created);
    for (const secret of secrets) expect(await newOnly.open(api.database.db, scope, secret.id)).toEqual({ apiKey: KEY });
  });
});
