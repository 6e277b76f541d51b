/**
 * The whole API of a hub (every module's routes) on a test database, called in-process with
 * `app.inject`; no workers run. With it, the operations of its OpenAPI document, for the tests
 * that walk every route (framework errors, fuzzing).
 */
import type { FastifyInstance } from 'fastify';
import { loadConfig, systemClock } from '../../../src/core/index.ts';
import { bootstrapOrganization, createApiKey } from '../../../src/auth/index.ts';
import { createHub, type Hub } from '../../../src/hub/index.ts';
import { createTestDatabase, type TestDatabase } from '../../support/db.ts';
import { captureLogs } from '../../support/logs.ts';

export interface OpenApiOperation {
  method: string;
  /** OpenAPI path, `{param}` style. */
  path: string;
  operationId: string;
  tags?: string[];
  parameters: { name: string; in: 'path' | 'query' | 'header' | 'cookie'; required?: boolean; schema?: Record<string, unknown> }[];
  requestBody?: { content: Record<string, { schema?: Record<string, unknown> }> };
  responses: Record<string, { content?: Record<string, unknown> }>;
  security?: unknown[];
}

export interface OpenApiHub {
  hub: Hub;
  app: FastifyInstance;
  database: TestDatabase;
  logs: ReturnType<typeof captureLogs>;
  /** An owner key of `dev` (every scope), of the first organization. */
  ownerKey: string;
  /**
   * One owner key per organization asked for. Each key has a management allowance far above the
   * default; an organization's own allowance stays as it is (1,000 a minute), so a test that
   * sends more spreads its requests over several organizations.
   */
  ownerKeys: string[];
  /** The `dev` environment of each organization, in the order of `ownerKeys`. */
  scopes: { organizationId: string; environmentId: string }[];
  document: { paths: Record<string, Record<string, Omit<OpenApiOperation, 'method' | 'path'>>>; components: { schemas?: Record<string, unknown> } };
  operations: OpenApiOperation[];
  close(): Promise<void>;
}

const WIDE_OPEN = { perMinute: 1_000_000, perHour: 10_000_000 };

export async function startOpenApiHub(options: { env?: Record<string, string>; organizations?: number; logLevel?: 'info' | 'warn' } = {}): Promise<OpenApiHub> {
  const env = options.env ?? {};
  const database = await createTestDatabase();
  const logs = captureLogs('info');
  // A test sending thousands of requests keeps warnings and errors only: a line per request costs more than the request.
  if (options.logLevel) logs.logger.level = options.logLevel;
  const config = loadConfig({
    PATCHBAY_DATA_DIR: database.dataDir,
    PUBLIC_URL: 'http://localhost:4000',
    LOG_LEVEL: 'info',
    ...(database.url ? { DATABASE_URL: database.url, PATCHBAY_SECRET_KEYS: process.env.PATCHBAY_SECRET_KEYS } : {}),
    ...env,
  });
  const hub = await createHub({ config, database, logger: logs.logger, clock: systemClock, role: 'api' });
  const ownerKeys: string[] = [];
  const scopes: OpenApiHub['scopes'] = [];
  for (let i = 0; i < (options.organizations ?? 1); i++) {
    const seed = (await bootstrapOrganization(database.db, {
      organizationName: `Acme ${i}`,
      organizationSlug: `acme-${i}`,
      environments: ['dev', 'prod'],
      ownerEmail: `owner${i}@acme.test`,
      ownerName: 'Olive Owner',
      ownerPassword: 'correct horse battery staple',
      keyEnvironment: 'dev',
      allowPrivateNetworksIn: ['dev'],
    }))!;
    const dev = seed.environments.find((e) => e.name === 'dev')!.id;
    scopes.push({ organizationId: seed.organization.id, environmentId: dev });
    const rateLimits = { management: WIDE_OPEN, publish: WIDE_OPEN, proxy: WIDE_OPEN };
    ownerKeys.push((await createApiKey(database.db, { organizationId: seed.organization.id, environmentId: dev, name: 'walker', role: 'owner', rateLimits })).key);
  }
  const app = hub.app!;
  const document = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as OpenApiHub['document'];
  const operations: OpenApiOperation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      operations.push({ ...op, parameters: op.parameters ?? [], method: method.toUpperCase(), path });
    }
  }
  return {
    hub,
    app,
    database,
    logs,
    ownerKey: ownerKeys[0]!,
    ownerKeys,
    scopes,
    document,
    operations,
    async close() {
      await hub.stop();
      await database.drop();
    },
  };
}
