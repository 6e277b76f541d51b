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
  /** An admin key of `dev`. */
  adminKey: string;
  document: { paths: Record<string, Record<string, Omit<OpenApiOperation, 'method' | 'path'>>>; components: { schemas?: Record<string, unknown> } };
  operations: OpenApiOperation[];
  close(): Promise<void>;
}

export async function startOpenApiHub(env: Record<string, string> = {}): Promise<OpenApiHub> {
  const database = await createTestDatabase();
  const logs = captureLogs('info');
  const config = loadConfig({
    PATCHBAY_DATA_DIR: database.dataDir,
    PUBLIC_URL: 'http://localhost:4000',
    LOG_LEVEL: 'info',
    ...(database.url ? { DATABASE_URL: database.url, PATCHBAY_SECRET_KEYS: process.env.PATCHBAY_SECRET_KEYS } : {}),
    ...env,
  });
  const hub = await createHub({ config, database, logger: logs.logger, clock: systemClock, role: 'api' });
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
  const adminKey = (await createApiKey(database.db, { organizationId: seed.organization.id, environmentId: dev, name: 'walker', role: 'admin' })).key;
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
    adminKey,
    document,
    operations,
    async close() {
      await hub.stop();
      await database.drop();
    },
  };
}
