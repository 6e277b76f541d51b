import { Type } from 'typebox';
import { sql } from 'drizzle-orm';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { pendingMigrations } from '../../db/index.ts';
import { ProblemError, problems } from '../../core/index.ts';
import { problemResponses } from '../schemas.ts';

const Status = Type.Object({ status: Type.String() });

/** Liveness, readiness and Prometheus metrics: absolute paths, no authentication. */
export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/health',
    { config: { public: true }, schema: { operationId: 'health', tags: ['operations'], summary: 'The process is alive', security: [], response: { 200: Status } } },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/ready',
    {
      config: { public: true },
      schema: {
        operationId: 'ready',
        tags: ['operations'],
        summary: 'The database is reachable and migrated',
        security: [],
        response: { 200: Status, ...problemResponses(503) },
      },
    },
    async () => {
      const { db } = app.deps.database;
      try {
        await db.execute(sql`select 1`);
      } catch (err) {
        throw new ProblemError('unavailable', 503, 'Service unavailable', { detail: 'The database is not reachable.', cause: err });
      }
      const pending = await pendingMigrations(db);
      if (pending > 0) throw problems.unavailable(`${pending} migration(s) not applied yet.`);
      return { status: 'ready' };
    },
  );

  app.get(
    '/metrics',
    {
      config: { public: true },
      schema: { operationId: 'metrics', tags: ['operations'], summary: 'Prometheus metrics (text exposition format)', security: [], produces: ['text/plain'], response: { 200: Type.String() } },
    },
    async (_request, reply) => {
      const registry = app.deps.metrics;
      reply.type(registry.contentType);
      return registry.metrics();
    },
  );
};
