/**
 * A whole hub (every module's routes, no workers started) on a fresh test database, with
 * organizations seeded on demand, for the security tests: call it with `app.inject`.
 */
import { bootstrapOrganization, createApiKey, ROLES, type Role } from '../../src/auth/index.ts';
import { loadConfig, silentLogger, systemClock, type Logger } from '../../src/core/index.ts';
import { createHub, type Hub } from '../../src/hub/index.ts';
import { bearer } from '../support/api.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

export interface Tenant {
  organizationId: string;
  environments: Record<string, string>;
  /** Keys per role in `dev` (generous management limits), plus an admin key per other environment. */
  keys: Record<Role, string> & Record<`admin@${string}`, string>;
}

export interface SecurityHub {
  hub: Hub;
  database: TestDatabase;
  tenant(slug: string, environments?: string[]): Promise<Tenant>;
  call(key: string, method: string, url: string, payload?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; text: string }>;
  close(): Promise<void>;
}

export async function startSecurityHub(options: { logger?: Logger } = {}): Promise<SecurityHub> {
  const database = await createTestDatabase();
  const config = loadConfig({
    PATCHBAY_DATA_DIR: database.dataDir,
    PUBLIC_URL: 'http://localhost:4000',
    ...(database.url ? { DATABASE_URL: database.url, PATCHBAY_SECRET_KEYS: process.env.PATCHBAY_SECRET_KEYS } : {}),
  });
  const hub = await createHub({ config, database, logger: options.logger ?? silentLogger, clock: systemClock });
  const rateLimits = { management: { perMinute: 100_000, perHour: 1_000_000 } };
  return {
    hub,
    database,
    async tenant(slug, environments = ['dev', 'staging']) {
      const seed = (await bootstrapOrganization(database.db, {
        organizationName: slug,
        organizationSlug: slug,
        environments,
        ownerEmail: `owner@${slug}.test`,
        ownerName: 'Owner',
        keyEnvironment: environments[0]!,
        allowPrivateNetworksIn: environments,
      }))!;
      const envs = Object.fromEntries(seed.environments.map((e) => [e.name, e.id]));
      const keys = {} as Tenant['keys'];
      for (const role of ROLES) keys[role] = (await createApiKey(database.db, { organizationId: seed.organization.id, environmentId: envs[environments[0]!]!, name: role, role, rateLimits })).key;
      for (const name of environments.slice(1)) {
        keys[`admin@${name}`] = (await createApiKey(database.db, { organizationId: seed.organization.id, environmentId: envs[name]!, name: `admin ${name}`, role: 'admin', rateLimits })).key;
      }
      return { organizationId: seed.organization.id, environments: envs, keys };
    },
    async call(key, method, url, payload, headers = {}) {
      const res = await hub.app!.inject({ method: method as 'GET', url: `/api/v1${url}`, headers: { ...bearer(key), ...headers }, ...(payload !== undefined ? { payload: payload as object } : {}) });
      let body: unknown;
      try {
        body = res.json();
      } catch {
        body = undefined;
      }
      return { status: res.statusCode, body, text: res.body };
    },
    async close() {
      await hub.stop();
      await database.drop();
    },
  };
}
