/** Conflicts held for review (`manual_review`), and a person's decision on each. */
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problems } from '../../core/index.ts';
import { recordAudit } from '../../auth/index.ts';
import { ConflictStateError, listConflicts, resolveConflict, type Conflict } from '../../syncs/index.ts';
import { actorOf, tenantOf } from '../context.ts';
import { decodeCursor, encodeCursor, PageQuery } from '../pagination.ts';
import { AUTHENTICATED_PROBLEMS, IdParams, iso, NullableTimestamp, problemResponses, Timestamp } from '../schemas.ts';

const ConflictView = Type.Object({
  id: Type.String(),
  connectionId: Type.String(),
  model: Type.String(),
  externalId: Type.String(),
  field: Type.String(),
  patchbayValue: Type.Unknown(),
  providerValue: Type.Unknown(),
  patchbayModifiedAt: NullableTimestamp,
  providerModifiedAt: NullableTimestamp,
  runId: Type.Union([Type.String(), Type.Null()]),
  status: Type.Enum(['pending', 'accepted', 'rejected']),
  resolvedAt: NullableTimestamp,
  resolvedBy: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
});
const view = (c: Conflict) => ({
  id: c.id,
  connectionId: c.connectionId,
  model: c.model,
  externalId: c.externalId,
  field: c.field,
  patchbayValue: c.patchbayValue ?? null,
  providerValue: c.providerValue ?? null,
  patchbayModifiedAt: iso(c.patchbayModifiedAt),
  providerModifiedAt: iso(c.providerModifiedAt),
  runId: c.runId,
  status: c.status,
  resolvedAt: iso(c.resolvedAt),
  resolvedBy: c.resolvedBy,
  createdAt: iso(c.createdAt)!,
});

export const conflictRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['conflicts'];

  app.get(
    '/conflicts',
    {
      config: { scope: 'syncs:read' },
      schema: {
        operationId: 'listConflicts',
        tags,
        summary: 'Fields both sides changed, oldest first (the review queue is `status=pending`)',
        querystring: Type.Object({ ...PageQuery, status: Type.Optional(Type.Enum(['pending', 'accepted', 'rejected'])), connectionId: Type.Optional(Type.String()) }),
        response: { 200: Type.Object({ data: Type.Array(ConflictView), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...problemResponses(...AUTHENTICATED_PROBLEMS) },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const rows = await listConflicts(app.deps.database.db, tenantOf(request), {
        status: request.query.status,
        connectionId: request.query.connectionId,
        limit: limit + 1,
        after: decodeCursor(request.query.cursor),
      });
      const data = rows.slice(0, limit);
      return { data: data.map(view), nextCursor: rows.length > limit ? encodeCursor(data.at(-1)!.id) : null };
    },
  );

  app.post(
    '/conflicts/:id/resolve',
    {
      config: { scope: 'syncs:write' },
      schema: {
        operationId: 'resolveConflict',
        tags,
        summary: '`accept` takes the provider’s value; `reject` keeps Patchbay’s and writes it back to the provider',
        params: IdParams,
        body: Type.Object({ resolution: Type.Enum(['accept', 'reject']) }, { additionalProperties: false }),
        response: { 200: ConflictView, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 409) },
      },
    },
    async (request) => {
      const scope = tenantOf(request);
      const actor = actorOf(request);
      try {
        const resolved = await resolveConflict(app.deps.database.db, scope, request.params.id, request.body.resolution, actor.id, app.deps.clock);
        if (!resolved) throw problems.notFound('Conflict', request.params.id);
        await recordAudit(app.deps.database.db, { ...scope, actor, action: 'conflict.resolved', targetType: 'conflict', targetId: resolved.id, details: { resolution: request.body.resolution, field: resolved.field } });
        return view(resolved);
      } catch (err) {
        if (err instanceof ConflictStateError) throw problems.conflict(err.message);
        throw err;
      }
    },
  );
};
