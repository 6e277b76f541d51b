import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { listAudit, type AuditEntry } from '../../auth/index.ts';
import { principalOf } from '../context.ts';
import { decodeCursor, Page, page, PageQuery } from '../pagination.ts';
import { AUTHENTICATED_PROBLEMS, iso, problemResponses, Timestamp } from '../schemas.ts';

const Entry = Type.Object({
  id: Type.String(),
  environmentId: Type.Union([Type.String(), Type.Null()]),
  actorType: Type.String(),
  actorId: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  targetType: Type.Union([Type.String(), Type.Null()]),
  targetId: Type.Union([Type.String(), Type.Null()]),
  details: Type.Object({}, { additionalProperties: true }),
  ip: Type.Union([Type.String(), Type.Null()]),
  requestId: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
});
const view = (e: AuditEntry) => ({ ...e, createdAt: iso(e.createdAt)! });

export const auditLogRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/audit-log',
    {
      config: { organizationLevel: true, scope: 'audit-log:read' },
      schema: {
        operationId: 'listAuditLog',
        tags: ['audit-log'],
        summary: 'Every change: who, what, when, from where (newest first)',
        querystring: Type.Object({ ...PageQuery, action: Type.Optional(Type.String({ maxLength: 100 })) }),
        response: { 200: Page(Entry), ...problemResponses(...AUTHENTICATED_PROBLEMS) },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const limit = request.query.limit ?? 50;
      const rows = await listAudit(
        app.deps.database.db,
        { organizationId: p.organizationId, environmentId: p.kind === 'apiKey' ? p.environmentId : p.environmentId, action: request.query.action },
        { limit: limit + 1, before: decodeCursor(request.query.cursor) },
      );
      const result = page(rows, limit, (e) => e.id);
      return { data: result.data.map(view), nextCursor: result.nextCursor };
    },
  );
};
