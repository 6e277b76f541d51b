/**
 * What the embedded sync progress card reads (`/connect/embed/sync`): the latest or ongoing sync
 * run of the embed token's end customer — of one of their connections, or of any — with its
 * progress, figures and times. Any embed token may read it (read-only is enough); the card polls
 * it while the run is active.
 */
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problems } from '../../core/index.ts';
import { embeddedConnections, type Theme } from '../../connections/index.ts';
import { getIntegration } from '../../integrations/index.ts';
import { latestRun } from '../../syncs/index.ts';
import { iso, NullableTimestamp, problemResponses, Timestamp } from '../schemas.ts';
import { ThemeSchema } from './connect-sessions.ts';
import { EMBED_SECURITY, embedOf } from './embed-auth.ts';

const EmbeddedRun = Type.Object({
  id: Type.String(),
  connectionId: Type.String(),
  model: Type.String(),
  status: Type.Enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']),
  phase: Type.String(),
  percent: Type.Union([Type.Integer({ minimum: 0, maximum: 100 }), Type.Null()], {
    description: '100 once succeeded; while running an estimate from the last comparable run (at most 99), or null when there is none',
  }),
  fetched: Type.Integer({ description: 'Records read so far' }),
  expected: Type.Union([Type.Integer(), Type.Null()], { description: 'Records the last comparable run read' }),
  added: Type.Integer(),
  updated: Type.Integer(),
  deleted: Type.Integer(),
  unchanged: Type.Integer(),
  errorCount: Type.Integer(),
  lastError: Type.Union([Type.String(), Type.Null()]),
  startedAt: NullableTimestamp,
  finishedAt: NullableTimestamp,
  createdAt: Timestamp,
});

export const embedSyncProgressRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/embed/sync-runs/latest',
    {
      config: { public: true, rateClass: 'management' },
      schema: {
        operationId: 'getEmbeddedLatestSyncRun',
        tags: ['connect'],
        summary: 'For the embedded sync progress card: the latest or ongoing sync run of the embed token’s end customer (of one connection with connectionId)',
        security: EMBED_SECURITY,
        querystring: Type.Object(
          {
            connectionId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
            model: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            endCustomerId: Type.String(),
            theme: Type.Union([ThemeSchema, Type.Null()]),
            connection: Type.Union([Type.Object({ id: Type.String(), integrationName: Type.String(), status: Type.String() }), Type.Null()]),
            run: Type.Union([EmbeddedRun, Type.Null()]),
          }),
          ...problemResponses(400, 401, 404, 429),
        },
      },
    },
    async (request, reply) => {
      const embed = await embedOf(app, request);
      const { db } = app.deps.database;
      const scope = { organizationId: embed.organizationId, environmentId: embed.environmentId };
      const { connectionId, model } = request.query;
      const mine = await embeddedConnections(db, embed);
      // Another end customer's connection is as unknown as a missing one.
      if (connectionId && !mine.some((c) => c.id === connectionId)) throw problems.notFound('Connection', connectionId);
      const progress = await latestRun(db, scope, connectionId ? [connectionId] : mine.map((c) => c.id), { model });
      const connection = mine.find((c) => c.id === (connectionId ?? progress?.run.connectionId));
      const integration = connection ? await getIntegration(db, scope, connection.integrationId) : undefined;
      reply.header('cache-control', 'no-store');
      const run = progress?.run;
      return {
        endCustomerId: embed.endCustomerId,
        theme: embed.theme as Theme | null,
        connection: connection ? { id: connection.id, integrationName: integration?.name ?? connection.connectorKey, status: connection.status } : null,
        run:
          run && progress
            ? {
                id: run.id,
                connectionId: run.connectionId,
                model: run.model,
                status: run.status,
                phase: run.phase,
                percent: progress.percent,
                fetched: progress.fetched,
                expected: progress.expected,
                added: run.added,
                updated: run.updated,
                deleted: run.deleted,
                unchanged: run.unchanged,
                errorCount: run.errors.length,
                lastError: run.errors.at(-1)?.message ?? null,
                startedAt: iso(run.startedAt),
                finishedAt: iso(run.finishedAt),
                createdAt: iso(run.createdAt)!,
              }
            : null,
      };
    },
  );
};
