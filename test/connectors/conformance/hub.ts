/**
 * The hub the conformance suite runs every connector against: a real hub (API, workers, syncs,
 * inbound) on a test database, listening on loopback, with the `acme` organization seeded and
 * its `dev` environment allowed to reach simulators on loopback.
 */
import { request } from 'undici';
import { loadConfig, silentLogger, systemClock } from '../../../src/core/index.ts';
import { bootstrapOrganization, createApiKey } from '../../../src/auth/index.ts';
import { createHub, type Hub } from '../../../src/hub/index.ts';
import { createTestDatabase, type TestDatabase } from '../../support/db.ts';
import { PUBLIC_URL } from '../../support/browser.ts';

export { PUBLIC_URL };

export interface ConformanceHub {
  hub: Hub;
  database: TestDatabase;
  /** Where the hub really listens (PUBLIC_URL is what providers and browsers are told). */
  url: string;
  api<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

export async function startConformanceHub(): Promise<ConformanceHub> {
  const database = await createTestDatabase();
  const config = loadConfig({
    PATCHBAY_DATA_DIR: database.dataDir,
    PUBLIC_URL,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    ...(database.url ? { DATABASE_URL: database.url, PATCHBAY_SECRET_KEYS: process.env.PATCHBAY_SECRET_KEYS } : {}),
  });
  const hub = await createHub({ config, database, logger: silentLogger, clock: systemClock });
  await hub.start();
  const seed = (await bootstrapOrganization(database.db, {
    organizationName: 'Acme',
    organizationSlug: 'acme',
    environments: ['dev', 'prod'],
    ownerEmail: 'owner@acme.test',
    ownerName: 'Olive Owner',
    ownerPassword: 'correct horse battery staple',
    keyEnvironment: 'dev',
    allowPrivateNetworksIn: ['dev'],
  }))!;
  // The suite makes a few hundred management calls a minute: more than a key's default allowance.
  const { key: apiKey } = await createApiKey(database.db, {
    organizationId: seed.organization.id,
    environmentId: seed.environments.find((e) => e.name === 'dev')!.id,
    name: 'conformance',
    role: 'admin',
    rateLimits: { management: { perMinute: 100_000, perHour: 1_000_000 } },
  });
  const url = hub.url!.replace('localhost', '127.0.0.1');
  const api: ConformanceHub['api'] = async (method, path, body) => {
    const res = await request(`${url}${path.startsWith('/api/') || path.startsWith('/webhooks/') ? '' : '/api/v1'}${path}`, {
      method: method as 'GET',
      headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? null : JSON.stringify(body),
    });
    const text = await res.body.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON (a provider's answer through the proxy may be anything).
    }
    return { status: res.statusCode, body: parsed as never };
  };
  return {
    hub,
    database,
    url,
    api,
    async close() {
      await hub.stop();
      await database.drop();
    },
  };
}

/** Polls until `check` returns a value, or fails after `ms`. */
export async function eventually<T>(check: () => Promise<T | undefined>, ms = 30_000, what = 'condition'): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`${what} not met in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
