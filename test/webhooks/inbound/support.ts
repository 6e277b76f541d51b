/**
 * A real hub (API, workers, inbound module) on a test database, listening on loopback, with the
 * seeded `acme` organization and keys per role in `dev`.
 */
import { request } from 'undici';
import { loadConfig, systemClock, type Clock } from '../../../src/core/index.ts';
import { bootstrapOrganization, createApiKey, type Role } from '../../../src/auth/index.ts';
import { createHub, type Hub } from '../../../src/hub/index.ts';
import { SIGNERS } from '../../../simulators/index.ts';
import { createTestDatabase, type TestDatabase } from '../../support/db.ts';
import { captureLogs } from '../../support/logs.ts';

/** The URL providers are told; requests really go to the hub's loopback address. */
export const PUBLIC_URL = 'https://hooks.patchbay.test';

export interface InboundHub {
  hub: Hub;
  database: TestDatabase;
  keys: Record<Role, string>;
  logs: ReturnType<typeof captureLogs>;
  url: string;
  /** Calls the API with a key (admin by default). */
  api<T = Record<string, unknown>>(method: string, path: string, body?: unknown, key?: string): Promise<{ status: number; body: T }>;
  /** Creates a source through the API. */
  createSource(body: Record<string, unknown>): Promise<{ id: string; url: string }>;
  /** Delivers a webhook signed the way `connector` signs, for `secret`. */
  deliver(sourceId: string, connector: string, secret: string, body: string, options?: { at?: number; id?: string }): Promise<{ status: number; body: string; headers: Record<string, unknown> }>;
  close(): Promise<void>;
}

export async function startInboundHub(options: { clock?: Clock; bodyTimeoutMs?: number; env?: Record<string, string> } = {}): Promise<InboundHub> {
  const database = await createTestDatabase();
  const logs = captureLogs('info');
  const config = loadConfig({
    PATCHBAY_DATA_DIR: database.dataDir,
    PUBLIC_URL,
    PORT: '0',
    HOST: '127.0.0.1',
    ...(database.url ? { DATABASE_URL: database.url, PATCHBAY_SECRET_KEYS: process.env.PATCHBAY_SECRET_KEYS } : {}),
    ...options.env,
  });
  const hub = await createHub({ config, database, logger: logs.logger, clock: options.clock ?? systemClock });
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
  const dev = seed.environments.find((e) => e.name === 'dev')!.id;
  const keyFor = async (role: Role) => (await createApiKey(database.db, { organizationId: seed.organization.id, environmentId: dev, name: role, role })).key;
  const keys = { owner: await keyFor('owner'), admin: seed.apiKey, developer: await keyFor('developer'), viewer: await keyFor('viewer') };
  const url = hub.url!.replace('localhost', '127.0.0.1');

  const api: InboundHub['api'] = async (method, path, body, key = keys.admin) => {
    const res = await request(`${url}/api/v1${path}`, {
      method: method as 'GET',
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? null : JSON.stringify(body),
    });
    const text = await res.body.text();
    return { status: res.statusCode, body: (text ? JSON.parse(text) : undefined) as never };
  };

  return {
    hub,
    database,
    keys,
    logs,
    url,
    api,
    async createSource(body) {
      const res = await api<{ id: string; url: string }>('POST', '/sources', body);
      if (res.status !== 201) throw new Error(`source not created: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
    async deliver(sourceId, connector, secret, body, deliverOptions = {}) {
      const signed = SIGNERS[connector]!(secret, { url: `${PUBLIC_URL}/webhooks/in/${sourceId}`, body, ...deliverOptions });
      const target = signed.url.replace(PUBLIC_URL, url);
      const res = await request(target, { method: signed.method as 'POST', headers: signed.headers, body: signed.body });
      return { status: res.statusCode, body: await res.body.text(), headers: res.headers };
    },
    async close() {
      await hub.stop();
      await database.drop();
    },
  };
}

/** Polls until `check` returns a value (not undefined), or fails after `ms`. */
export async function eventually<T>(check: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
