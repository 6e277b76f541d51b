/**
 * Runs across every connection of the environment, newest first, filtered by status, connection
 * and model: the dashboard's Syncs screen (one request rather than one per connection). The
 * syncs module lists runs per sync only; this read uses its table directly and stays scoped by
 * organization and environment (the `sync_runs_scope` index serves it).
 */
import { Type } from 'typebox';
import { and, desc, eq, lt } from 'drizzle-orm';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { syncRuns } from '../../syncs/index.ts';
import { tenantOf } from '../context.ts';
import { decodeCursor, Page, page, PageQuery } from '../pagination.ts';
import { AUTHENTICATED_PROBLEMS, problemResponses } from '../schemas.ts';
import { RunView, runView } from './syncs.ts';

const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;

export const syncRunListRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/sync-runs',
    {
      config: { scope: 'syncs:read' },
      schema: {
        operationId: 'listSyncRunsOfEnvironment',
        tags: ['syncs'],
        summary: 'Runs of every sync in the environment, newest first, filtered by status, connection and model',
        querystring: Type.Object({
          ...PageQuery,
          status: Type.Optional(Type.Enum(RUN_STATUSES)),
          connectionId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
          model: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
        }),
        response: { 200: Page(RunView), ...problemResponses(...AUTHENTICATED_PROBLEMS) },
      },
    },
    async (request) => {
      const scope = tenantOf(request);
      const { status, connectionId, model } = request.query;
      const limit = request.query.limit ?? 50;
      const before = decodeCursor(request.query.cursor);
      const rows = await app.deps.database.db
        .select()
        .from(syncRuns)
        .where(
          and(
            eq(syncRuns.organizationId, scope.organizationId),
            eq(syncRuns.environmentId, scope.environmentId),
            status ? eq(syncRuns.status, status) : undefined,
            connectionId ? eq(syncRuns.connectionId, connectionId) : undefined,
            model ? eq(syncRuns.model, model) : undefined,
            before ? lt(syncRuns.id, before) : undefined,
          ),
        )
        .orderBy(desc(syncRuns.id))
        .limit(limit + 1);
      const result = page(rows, limit, (r) => r.id);
      return { data: result.data.map(runView), nextCursor: result.nextCursor };
    },
  );
};
