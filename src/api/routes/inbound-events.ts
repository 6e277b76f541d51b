/** Inbound events: what sources received, how processing went, and reprocessing (admin and above). */
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problems } from '../../core/index.ts';
import { recordAudit } from '../../auth/index.ts';
import { bodySizeOf, getInboundEvent, getSource, INBOUND_STATUSES, listInboundEvents, reprocessInboundEvent, reprocessInboundEvents, type InboundEvent } from '../../webhooks/inbound/index.ts';
import { actorOf, tenantOf } from '../context.ts';
import { checkReferences } from '../references.ts';
import { decodeCursor, Page, page, PageQuery } from '../pagination.ts';
import { AUTHENTICATED_PROBLEMS, IdParams, iso, NullableTimestamp, problemResponses, Timestamp } from '../schemas.ts';

const Status = Type.Enum(INBOUND_STATUSES);
const Filters = {
  status: Type.Optional(Status),
  sourceId: Type.Optional(Type.String({ maxLength: 128 })),
  eventType: Type.Optional(Type.String({ maxLength: 200 })),
  providerEventId: Type.Optional(Type.String({ maxLength: 500 })),
  receivedAfter: Type.Optional(Type.String({ format: 'date-time' })),
  receivedBefore: Type.Optional(Type.String({ format: 'date-time' })),
};

const EventView = Type.Object({
  id: Type.String(),
  sourceId: Type.String(),
  status: Status,
  method: Type.String(),
  path: Type.String(),
  query: Type.String(),
  headers: Type.Record(Type.String(), Type.String()),
  bodySize: Type.Integer(),
  remoteIp: Type.Union([Type.String(), Type.Null()]),
  receivedAt: Timestamp,
  rejectionReason: Type.Union([Type.String(), Type.Null()]),
  providerEventId: Type.Union([Type.String(), Type.Null()]),
  duplicateOf: Type.Union([Type.String(), Type.Null()]),
  eventType: Type.Union([Type.String(), Type.Null()]),
  connectionId: Type.Union([Type.String(), Type.Null()]),
  attempts: Type.Integer(),
  lastError: Type.Union([Type.String(), Type.Null()]),
  processingMs: Type.Union([Type.Integer(), Type.Null()]),
  processedAt: NullableTimestamp,
  outcome: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
});
const EventWithBody = Type.Intersect([
  EventView,
  Type.Object({ body: Type.String(), bodyEncoding: Type.Union([Type.Literal('utf8'), Type.Literal('base64')]) }),
]);

type Listed = Omit<InboundEvent, 'body' | 'bodyObject' | 'bodySize'>;
const view = (e: Listed, bodySize: number) => ({
  id: e.id,
  sourceId: e.sourceId,
  status: e.status,
  method: e.method,
  path: e.path,
  query: e.query,
  headers: e.headers,
  bodySize,
  remoteIp: e.remoteIp,
  receivedAt: iso(e.receivedAt)!,
  rejectionReason: e.rejectionReason,
  providerEventId: e.providerEventId,
  duplicateOf: e.duplicateOf,
  eventType: e.eventType,
  connectionId: e.connectionId,
  attempts: e.attempts,
  lastError: e.lastError,
  processingMs: e.processingMs,
  processedAt: iso(e.processedAt),
  outcome: e.outcome,
});

function body(buffer: Buffer): { body: string; bodyEncoding: 'utf8' | 'base64' } {
  const text = buffer.toString('utf8');
  return Buffer.from(text, 'utf8').equals(buffer) ? { body: text, bodyEncoding: 'utf8' } : { body: buffer.toString('base64'), bodyEncoding: 'base64' };
}

const dateOf = (value: string | undefined) => (value ? new Date(value) : undefined);

export const inboundEventRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['inbound'];

  app.get(
    '/inbound-events',
    {
      config: { scope: 'sources:read' },
      schema: { operationId: 'listInboundEvents', tags, summary: 'Events sources received, newest first (without bodies)', querystring: Type.Object({ ...PageQuery, ...Filters }), response: { 200: Page(EventView), ...problemResponses(...AUTHENTICATED_PROBLEMS) } },
    },
    async (request) => {
      const { limit = 50, cursor, receivedAfter, receivedBefore, ...filters } = request.query;
      const rows = await listInboundEvents(app.deps.database.db, tenantOf(request), { ...filters, receivedAfter: dateOf(receivedAfter), receivedBefore: dateOf(receivedBefore), limit: limit + 1, before: decodeCursor(cursor) });
      const result = page(rows, limit, (e) => e.id);
      return { data: result.data.map((e) => view(e, e.bodySize)), nextCursor: result.nextCursor };
    },
  );

  app.get(
    '/inbound-events/:id',
    { config: { scope: 'sources:read' }, schema: { operationId: 'getInboundEvent', tags, summary: 'One inbound event with its body', params: IdParams, response: { 200: EventWithBody, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) } } },
    async (request) => {
      const event = await getInboundEvent(app.deps.database.db, tenantOf(request), request.params.id);
      if (!event) throw problems.notFound('Inbound event', request.params.id);
      return { ...view(event, bodySizeOf(event)), ...body(event.body) };
    },
  );

  app.post(
    '/inbound-events/:id/reprocess',
    {
      config: { scope: 'inbound:reprocess' },
      schema: { operationId: 'reprocessInboundEvent', tags, summary: 'Process one event again (admin and owner only)', params: IdParams, response: { 200: EventView, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 409, 422) } },
    },
    async (request) => {
      const scope = tenantOf(request);
      const event = await app.deps.database.db.transaction(async (tx) => {
        const requeued = await reprocessInboundEvent(tx, app.deps.clock, scope, request.params.id);
        await recordAudit(tx, { ...scope, actor: actorOf(request), action: 'inbound_event.reprocessed', targetType: 'inbound_event', targetId: requeued.id });
        return requeued;
      });
      return view(event, bodySizeOf(event));
    },
  );

  app.post(
    '/inbound-events/reprocess',
    {
      config: { scope: 'inbound:reprocess' },
      schema: {
        operationId: 'reprocessInboundEvents',
        tags,
        summary: 'Process again every event matching a filter (processed, failed or duplicate ones; admin and owner only)',
        body: Type.Object({ ...Filters, limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ count: Type.Integer(), ids: Type.Array(Type.String()) }), ...problemResponses(...AUTHENTICATED_PROBLEMS, 422) },
      },
    },
    async (request) => {
      const scope = tenantOf(request);
      const { limit = 100, receivedAfter, receivedBefore, ...filters } = request.body;
      await checkReferences([{ field: '/sourceId', what: 'source', id: filters.sourceId, find: (id) => getSource(app.deps.database.db, scope, id) }]);
      const ids = await app.deps.database.db.transaction(async (tx) => {
        const requeued = await reprocessInboundEvents(tx, app.deps.clock, scope, { ...filters, receivedAfter: dateOf(receivedAfter), receivedBefore: dateOf(receivedBefore), limit });
        await recordAudit(tx, { ...scope, actor: actorOf(request), action: 'inbound_event.bulk_reprocessed', targetType: 'inbound_event', details: { count: requeued.length, filters } });
        return requeued;
      });
      return { count: ids.length, ids };
    },
  );
};
