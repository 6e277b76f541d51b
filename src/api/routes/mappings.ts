/**
 * Field mappings per integration or per connection (the connection's wins), validated against
 * the connector's model when saved, and a preview that applies one to sample records without
 * writing anything.
 */
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { isUniqueViolation, problems, type Logger } from '../../core/index.ts';
import { recordAudit } from '../../auth/index.ts';
import type { Connector } from '../../connectors/index.ts';
import {
  ConflictRuleSchema,
  createMapping,
  deleteMapping,
  FieldMappingSchema,
  getMapping,
  listMappings,
  previewMapping,
  sampleRecords,
  updateMapping,
  validateMapping,
  type ConflictRule,
  type FieldMapping,
  type Mapping,
  type SyncServices,
} from '../../syncs/index.ts';
import { actorOf, tenantOf, type TenantScope } from '../context.ts';
import { checkReferences } from '../references.ts';
import { decodeCursor, Page, page, PageQuery } from '../pagination.ts';
import { AUTHENTICATED_PROBLEMS, IdParams, iso, problemResponses, Timestamp } from '../schemas.ts';

const Strategy = Type.Enum(['last_modified', 'source_priority', 'manual_review'], {
  description: '`last_modified`: the later change wins; `source_priority`: `sourcePriority` wins; `manual_review`: held in /conflicts',
});
const SourceSchema = Type.Enum(['provider', 'patchbay']);

const MappingView = Type.Object({
  id: Type.String(),
  integrationId: Type.Union([Type.String(), Type.Null()]),
  connectionId: Type.Union([Type.String(), Type.Null()]),
  model: Type.String(),
  fields: Type.Array(FieldMappingSchema),
  conflictStrategy: Type.String(),
  sourcePriority: Type.String(),
  conflictRules: Type.Array(ConflictRuleSchema),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
const view = (m: Mapping) => ({
  id: m.id,
  integrationId: m.integrationId,
  connectionId: m.connectionId,
  model: m.model,
  fields: m.fields,
  conflictStrategy: m.conflictStrategy,
  sourcePriority: m.sourcePriority,
  conflictRules: m.conflictRules,
  createdAt: iso(m.createdAt)!,
  updatedAt: iso(m.updatedAt)!,
});

const Settings = {
  fields: Type.Array(FieldMappingSchema, { minItems: 1, maxItems: 200 }),
  conflictStrategy: Type.Optional(Strategy),
  sourcePriority: Type.Optional(SourceSchema),
  conflictRules: Type.Optional(Type.Array(ConflictRuleSchema, { maxItems: 200 })),
};

export const mappingRoutes =
  (services: () => SyncServices): FastifyPluginAsyncTypebox =>
  async (app) => {
    const tags = ['mappings'];

    /** The connector a mapping is for, found from its connection or integration. */
    async function connectorFor(scope: TenantScope, owner: { connectionId: string | null; integrationId: string | null }): Promise<Connector> {
      const { resolver } = services();
      if (owner.connectionId) {
        const connection = await resolver.resolve(scope, owner.connectionId);
        if (!connection) throw problems.notFound('Connection', owner.connectionId);
        return connection.connector;
      }
      const connector = owner.integrationId ? await resolver.connectorOfIntegration?.(scope, owner.integrationId) : undefined;
      if (!connector) throw problems.notFound('Integration', owner.integrationId ?? '');
      return connector;
    }

    /** Throws a 422 listing every problem of the mapping. */
    function check(connector: Connector, model: string, fields: FieldMapping[], rules: ConflictRule[]): void {
      const definition = connector.syncs.find((s) => s.model === model);
      if (!definition) throw problems.unprocessable(`${connector.manifest.name} has no model "${model}"; it has: ${connector.syncs.map((s) => s.model).join(', ') || 'none'}.`, [{ field: '/model', message: 'is not a model of the connector' }]);
      const errors = validateMapping(fields, rules, definition);
      if (errors.length > 0) throw problems.unprocessable('The mapping does not fit the model.', errors);
    }

    app.get(
      '/mappings',
      {
        config: { scope: 'syncs:read' },
        schema: {
          operationId: 'listMappings',
          tags,
          summary: 'Field mappings, newest first',
          querystring: Type.Object({ ...PageQuery, integrationId: Type.Optional(Type.String()), connectionId: Type.Optional(Type.String()), model: Type.Optional(Type.String()) }),
          response: { 200: Page(MappingView), ...problemResponses(...AUTHENTICATED_PROBLEMS) },
        },
      },
      async (request) => {
        const limit = request.query.limit ?? 50;
        const rows = await listMappings(app.deps.database.db, tenantOf(request), { ...request.query, limit: limit + 1, before: decodeCursor(request.query.cursor) });
        const result = page(rows, limit, (m) => m.id);
        return { data: result.data.map(view), nextCursor: result.nextCursor };
      },
    );

    app.post(
      '/mappings',
      {
        config: { scope: 'syncs:write' },
        schema: {
          operationId: 'createMapping',
          tags,
          summary: 'Map a model’s provider fields to Patchbay fields, for an integration or one connection; checked against the model',
          body: Type.Object(
            { integrationId: Type.Optional(Type.String({ minLength: 1 })), connectionId: Type.Optional(Type.String({ minLength: 1 })), model: Type.String({ minLength: 1, maxLength: 64 }), ...Settings },
            { additionalProperties: false },
          ),
          response: { 201: MappingView, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 409, 422) },
        },
      },
      async (request, reply) => {
        const scope = tenantOf(request);
        const body = request.body;
        if (Boolean(body.integrationId) === Boolean(body.connectionId)) {
          throw problems.validation([{ field: '/integrationId', message: 'give exactly one of integrationId and connectionId' }]);
        }
        await checkReferences([
          { field: '/connectionId', what: 'connection', id: body.connectionId, find: (id) => services().resolver.resolve(scope, id) },
          { field: '/integrationId', what: 'integration', id: body.integrationId, find: async (id) => services().resolver.connectorOfIntegration?.(scope, id) },
        ]);
        const connector = await connectorFor(scope, { connectionId: body.connectionId ?? null, integrationId: body.integrationId ?? null });
        check(connector, body.model, body.fields, body.conflictRules ?? []);
        try {
          const mapping = await app.deps.database.db.transaction(async (tx) => {
            const created = await createMapping(tx, scope, body, app.deps.clock);
            await recordAudit(tx, { ...scope, actor: actorOf(request), action: 'mapping.created', targetType: 'mapping', targetId: created.id, details: { model: body.model } });
            return created;
          });
          return reply.status(201).send(view(mapping));
        } catch (err) {
          if (isUniqueViolation(err)) throw problems.conflict(`A mapping of ${body.model} exists already for this ${body.connectionId ? 'connection' : 'integration'}: change it instead.`);
          throw err;
        }
      },
    );

    app.get(
      '/mappings/:id',
      { config: { scope: 'syncs:read' }, schema: { operationId: 'getMapping', tags, summary: 'One mapping', params: IdParams, response: { 200: MappingView, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) } } },
      async (request) => {
        const mapping = await getMapping(app.deps.database.db, tenantOf(request), request.params.id);
        if (!mapping) throw problems.notFound('Mapping', request.params.id);
        return view(mapping);
      },
    );

    app.put(
      '/mappings/:id',
      {
        config: { scope: 'syncs:write' },
        schema: {
          operationId: 'updateMapping',
          tags,
          summary: 'Replace a mapping’s fields and conflict settings (checked again)',
          params: IdParams,
          body: Type.Object(Settings, { additionalProperties: false }),
          response: { 200: MappingView, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 422) },
        },
      },
      async (request) => {
        const scope = tenantOf(request);
        const { db } = app.deps.database;
        const existing = await getMapping(db, scope, request.params.id);
        if (!existing) throw problems.notFound('Mapping', request.params.id);
        check(await connectorFor(scope, existing), existing.model, request.body.fields, request.body.conflictRules ?? existing.conflictRules);
        const mapping = await db.transaction(async (tx) => {
          const updated = await updateMapping(tx, scope, existing.id, request.body, app.deps.clock);
          await recordAudit(tx, { ...scope, actor: actorOf(request), action: 'mapping.updated', targetType: 'mapping', targetId: existing.id });
          return updated!;
        });
        return view(mapping);
      },
    );

    app.delete(
      '/mappings/:id',
      {
        config: { scope: 'syncs:write' },
        schema: { operationId: 'deleteMapping', tags, summary: 'Delete a mapping (records keep their data; later syncs store provider fields as they come)', params: IdParams, response: { 204: Type.Null(), ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) } },
      },
      async (request, reply) => {
        const scope = tenantOf(request);
        const deleted = await app.deps.database.db.transaction(async (tx) => {
          const done = await deleteMapping(tx, scope, request.params.id);
          if (done) await recordAudit(tx, { ...scope, actor: actorOf(request), action: 'mapping.deleted', targetType: 'mapping', targetId: request.params.id });
          return done;
        });
        if (!deleted) throw problems.notFound('Mapping', request.params.id);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/mappings/:id/preview',
      {
        config: { scope: 'syncs:read' },
        schema: {
          operationId: 'previewMapping',
          tags,
          summary: 'Apply the mapping to sample records — given, or read live from a connection’s provider — and write nothing',
          params: IdParams,
          body: Type.Optional(
            Type.Object(
              {
                samples: Type.Optional(Type.Array(Type.Record(Type.String(), Type.Unknown()), { minItems: 1, maxItems: 50 })),
                connectionId: Type.Optional(Type.String({ minLength: 1, description: 'Read samples from this connection (default: the mapping’s)' })),
                limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 20, default: 5 })),
              },
              { additionalProperties: false },
            ),
          ),
          response: {
            200: Type.Object({
              data: Type.Array(
                Type.Object({
                  input: Type.Record(Type.String(), Type.Unknown()),
                  output: Type.Record(Type.String(), Type.Unknown()),
                  exported: Type.Record(Type.String(), Type.Unknown()),
                  errors: Type.Array(Type.Object({ field: Type.String(), message: Type.String() })),
                }),
              ),
            }),
            ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 422),
          },
        },
      },
      async (request) => {
        const scope = tenantOf(request);
        const mapping = await getMapping(app.deps.database.db, scope, request.params.id);
        if (!mapping) throw problems.notFound('Mapping', request.params.id);
        let samples = request.body?.samples;
        if (!samples) {
          const connectionId = request.body?.connectionId ?? mapping.connectionId;
          if (!connectionId) throw problems.unprocessable('Give samples, or a connectionId to read samples from (this mapping belongs to an integration).');
          await checkReferences([{ field: '/connectionId', what: 'connection', id: request.body?.connectionId, find: (id) => services().resolver.resolve(scope, id) }]);
          const connection = await services().resolver.resolve(scope, connectionId);
          if (!connection) throw problems.notFound('Connection', connectionId);
          const read = await sampleRecords(services().proxy, connection, mapping.model, request.body?.limit ?? 5, request.log as unknown as Logger);
          samples = read.map((r) => ({ ...r.data }));
        }
        return { data: previewMapping(mapping.fields, samples) };
      },
    );
  };
