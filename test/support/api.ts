/**
 * A real API on a real database for one test file, with a seeded organization: keys for each
 * role in `dev`, a `prod` key, and an owner who can sign in.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { ManualClock, loadConfig, type Clock } from '../../src/core/index.ts';
import { bootstrapOrganization, createApiKey, type BootstrapResult, type Role } from '../../src/auth/index.ts';
import { buildApi, type BuildApiOptions } from '../../src/api/index.ts';
import { createVault, type Vault } from '../../src/credentials/index.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { captureLogs } from './logs.ts';

export interface TestApi {
  app: FastifyInstance;
  database: TestDatabase;
  seed: BootstrapResult;
  keys: Record<Role, string> & { prod: string };
  logs: ReturnType<typeof captureLogs>;
  clock: Clock;
  vault: Vault;
  close(): Promise<void>;
}

export const OWNER_PASSWORD = 'correct horse battery staple';

export async function createTestApi(options: BuildApiOptions & { clock?: Clock; vault?: Vault } = {}): Promise<TestApi> {
  const database = await createTestDatabase();
  const logs = captureLogs();
  const clock = options.clock ?? new ManualClock(new Date());
  const config = loadConfig({ PATCHBAY_DATA_DIR: database.dataDir, PUBLIC_URL: 'http://localhost:4000' });
  const vault = options.vault ?? createVault({ keys: [{ id: 'test', key: randomBytes(32) }], clock });
  const app = await buildApi({ config, database, logger: logs.logger, clock, metrics: new Registry(), vault }, options);
  const seed = (await bootstrapOrganization(database.db, {
    organizationName: 'Acme',
    organizationSlug: 'acme',
    environments: ['dev', 'staging', 'prod'],
    ownerEmail: 'owner@acme.test',
    ownerName: 'Olive Owner',
    ownerPassword: OWNER_PASSWORD,
    keyEnvironment: 'dev',
    allowPrivateNetworksIn: ['dev'],
  }))!;
  const env = (name: string) => seed.environments.find((e) => e.name === name)!.id;
  const keyFor = async (role: Role, environment = 'dev') =>
    (await createApiKey(database.db, { organizationId: seed.organization.id, environmentId: env(environment), name: `${role} key`, role })).key;
  const keys = {
    owner: await keyFor('owner'),
    admin: seed.apiKey,
    developer: await keyFor('developer'),
    viewer: await keyFor('viewer'),
    prod: await keyFor('admin', 'prod'),
  };
  return {
    app,
    database,
    seed,
    keys,
    logs,
    clock,
    vault,
    async close() {
      await app.close();
      await database.drop();
    },
  };
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
