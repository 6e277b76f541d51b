import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { recordAudit } from '../../../auth/index.ts';
import { builtInViews, createEventType, eventTypeView as rowView, getEventType, listEventTypes, updateEventType, type Outbound } from '../../../webhooks/outbound/index.ts';
import { actorOf, tenantOf } from '../../context.ts';
import { decodeCursor, Page, page, PageQuery } from '../../pagination.ts';
import { AUTHENTICATED_PROBLEMS, problemResponses } from '../../schemas.ts';
import { EventTypeSchema, eventTypeView } from './views.ts';

const tags = ['event-types'];
const NameParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) });
const JsonObject = Type.Record(Type.String(), Type.Unknown());
const Fields = {
  description: Type.Optional(Type.String({ maxLength: 2_000 })),
  schema: Type.Optional(Type.Union([JsonObject, Type.Null()], { description: 'JSON Schema of `data`; a change becomes the next schemaVersion' })),
  example: Type.Optional(Type.Union([JsonObject, Type.Null()])),
};

// Request bodies, exported for the CLI's local operations (one contract for both ways in).
export const CreateEventTypeBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$' }), ...Fields }, { additionalProperties: false });
export const UpdateEventTypeBody = Type.Object({ ...Fields, archived: Type.Optional(Type.Boolean()) }, { additionalProperties: false });

export const eventTypeRoutes: FastifyPluginAsyncTypebox<{ outbound: Outbound }> = async (app, { outbound }) => {
  const { clock } = outbound;

  app.get(
    '/event-types',
    {
      config: { scope: 'events:read' },
      schema: {
        operationId: 'listEventTypes',
        tags,
        summary: 'Event types: the built-in ones (on the first page) and this environment’s own',
        querystring: Type.Object({ ...PageQuery, includeArchived: Type.Optional(Type.Boolean()), includeBuiltIn: Type.Optional(Type.Boolean({ default: true })) }),
        response: { 200: Page(EventTypeSchema), ...problemResponses(...AUTHENTICATED_PROBLEMS) },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const after = decodeCursor(request.query.cursor);
      const rows = await listEventTypes(app.deps.database.db, tenantOf(request), { limit: limit + 1, after, includeArchived: request.query.includeArchived ?? false });
      const result = page(rows, limit, (r) => r.id);
      const builtIns = !after && request.query.includeBuiltIn !== false ? builtInViews() : [];
      return { data: [...builtIns, ...result.data.map(rowView)].map(eventTypeView), nextCursor: result.nextCursor };
    },
  );

  app.post(
    '/event-types',
    {
      config: { scope: 'events:write' },
      schema: {
        operationId: 'createEventType',
        tags,
        summary: 'Create an event type',
        body: CreateEventTypeBody,
        response: { 201: EventTypeSchema, ...problemResponses(...AUTHENTICATED_PROBLEMS, 409, 422) },
      },
    },
    async (request, reply) => {
      const scope = tenantOf(request);
      const created = await app.deps.database.db.transaction(async (tx) => {
        const view = await createEventType(tx, clock, scope, request.body);
        await recordAudit(tx, { ...scope, actor: actorOf(request), action: 'event_type.created', targetType: 'event_type', targetId: view.name });
        return view;
      });
      return reply.status(201).send(eventTypeView(created));
    },
  );

  app.get(
    '/event-types/:name',
    { config: { scope: 'events:read' }, schema: { operationId: 'getEventType', tags, summary: 'One event type', params: NameParams, response: { 200: EventTypeSchema, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) } } },
    async (request) => eventTypeView(await getEventType(app.deps.database.db, tenantOf(request), request.params.name)),
  );

  app.patch(
    '/event-types/:name',
    {
      config: { scope: 'events:write' },
      schema: {
        operationId: 'updateEventType',
        tags,
        summary: 'Change an event type (a new schema becomes the next schemaVersion; earlier versions are kept)',
        params: NameParams,
        body: UpdateEventTypeBody,
        response: { 200: EventTypeSchema, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 409, 422) },
      },
    },
    async (request) => {
      const scope = tenantOf(request);
      const updated = await app.deps.database.db.transaction(async (tx) => {
        const view = await updateEventType(tx, clock, scope, request.params.name, request.body);
        await recordAudit(tx, { ...scope, actor: actorOf(request), action: 'event_type.updated', targetType: 'event_type', targetId: view.name, details: { schemaVersion: view.schemaVersion } });
        return view;
      });
      return eventTypeView(updated);
    },
  );

  app.delete(
    '/event-types/:name',
    {
      config: { scope: 'events:write' },
      schema: { operationId: 'archiveEventType', tags, summary: 'Archive an event type (publishing it is refused; history stays)', params: NameParams, response: { 200: EventTypeSchema, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 409) } },
    },
    async (request) => {
      const scope = tenantOf(request);
      const archived = await app.deps.database.db.transaction(async (tx) => {
        const view = await updateEventType(tx, clock, scope, request.params.name, { archived: true });
        await recordAudit(tx, { ...scope, actor: actorOf(request), action: 'event_type.archived', targetType: 'event_type', targetId: view.name });
        return view;
      });
      return eventTypeView(archived);
    },
  );
};
