/**
 * Records: the change feed of a connection (ADDED / UPDATED / DELETED in order, from a cursor),
 * one record with its earlier versions, and changing a record — which writes the change back to
 * the provider per the model's mapping.
 */
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problems } from '../../core/index.ts';
import { recordAudit } from '../../auth/index.ts';
import {
  exportChanges,
  FeedCursorError,
  getRecord,
  listVersions,
  mappingFor,
  readChanges,
  updateRecord,
  type Change,
  type StoredRecord,
  type RecordVersion,
  type SyncServices,
} from '../../syncs/index.ts';
import { actorOf, tenantOf } from '../context.ts';
import { AUTHENTICATED_PROBLEMS, iso, NullableTimestamp, problemResponses, Timestamp } from '../schemas.ts';
import { connectionOr404 } from './syncs.ts';

const Data = Type.Record(Type.String(), Type.Unknown());

const ChangeView = Type.Object({
  externalId: Type.String(),
  model: Type.String(),
  change: Type.Enum(['ADDED', 'UPDATED', 'DELETED']),
  version: Type.Integer(),
  data: Data,
  deletedAt: NullableTimestamp,
  firstSeenAt: Timestamp,
  lastSeenAt: Timestamp,
  providerUpdatedAt: NullableTimestamp,
});

export const changeView = (c: Change) => ({ ...c, deletedAt: iso(c.deletedAt), firstSeenAt: iso(c.firstSeenAt)!, lastSeenAt: iso(c.lastSeenAt)!, providerUpdatedAt: iso(c.providerUpdatedAt) });

const RecordView = Type.Object({
  externalId: Type.String(),
  connectionId: Type.String(),
  model: Type.String(),
  version: Type.Integer(),
  data: Data,
  deletedAt: NullableTimestamp,
  firstSeenAt: Timestamp,
  lastSeenAt: Timestamp,
  providerUpdatedAt: NullableTimestamp,
  lastChange: Type.String(),
  /** Fields changed in Patchbay that the provider has not confirmed yet. */
  pendingFields: Type.Array(Type.String()),
});
export const recordView = (r: StoredRecord) => ({
  externalId: r.externalId,
  connectionId: r.connectionId,
  model: r.model,
  version: r.version,
  data: r.data,
  deletedAt: iso(r.deletedAt),
  firstSeenAt: iso(r.firstSeenAt)!,
  lastSeenAt: iso(r.lastSeenAt)!,
  providerUpdatedAt: iso(r.providerUpdatedAt),
  lastChange: r.lastChange,
  pendingFields: Object.keys(r.localChanges ?? {}),
});

export const versionView = (v: RecordVersion) => ({ version: v.version, data: v.data, deletedAt: iso(v.deletedAt), replacedByRunId: v.replacedByRunId, replacedAt: iso(v.replacedAt)! });

const RecordParams = Type.Object({
  connectionId: Type.String({ minLength: 1, maxLength: 128 }),
  model: Type.String({ minLength: 1, maxLength: 64 }),
  externalId: Type.String({ minLength: 1, maxLength: 512 }),
});

export const recordRoutes =
  (services: () => SyncServices): FastifyPluginAsyncTypebox =>
  async (app) => {
    const tags = ['records'];

    app.get(
      '/records',
      {
        config: { scope: 'syncs:read' },
        schema: {
          operationId: 'listRecordChanges',
          tags,
          summary:
            'The change feed: records as they last changed, in order, from `cursor`. Keep the `nextCursor` and ask again for what changed since; a change that commits late is never skipped.',
          querystring: Type.Object({
            connectionId: Type.String({ minLength: 1, maxLength: 128 }),
            model: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            cursor: Type.Optional(Type.String({ maxLength: 200 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
          }),
          response: {
            200: Type.Object({ data: Type.Array(ChangeView), nextCursor: Type.String({ description: 'Where to read on from; the same when nothing new was read' }), hasMore: Type.Boolean() }),
            ...problemResponses(...AUTHENTICATED_PROBLEMS),
          },
        },
      },
      async (request) => {
        try {
          const page = await readChanges(app.deps.database.db, tenantOf(request), {
            connectionId: request.query.connectionId,
            model: request.query.model,
            cursor: request.query.cursor,
            limit: request.query.limit ?? 100,
          });
          return {
            data: page.data.map(changeView),
            nextCursor: page.cursor,
            hasMore: page.hasMore,
          };
        } catch (err) {
          if (err instanceof FeedCursorError) throw problems.validation([{ field: 'querystring:/cursor', message: err.message }]);
          throw err;
        }
      },
    );

    app.get(
      '/records/:connectionId/:model/:externalId',
      {
        config: { scope: 'syncs:read' },
        schema: {
          operationId: 'getRecord',
          tags,
          summary: 'One record, with its earlier versions (newest first)',
          params: RecordParams,
          response: {
            200: Type.Intersect([RecordView, Type.Object({ versions: Type.Array(Type.Object({ version: Type.Integer(), data: Data, deletedAt: NullableTimestamp, replacedByRunId: Type.Union([Type.String(), Type.Null()]), replacedAt: Timestamp })) })]),
            ...problemResponses(...AUTHENTICATED_PROBLEMS, 404),
          },
        },
      },
      async (request) => {
        const target = { ...tenantOf(request), ...request.params };
        const record = await getRecord(app.deps.database.db, target);
        if (!record) throw problems.notFound('Record', `${request.params.model}/${request.params.externalId}`);
        const versions = await listVersions(app.deps.database.db, target);
        return {
          ...recordView(record),
          versions: versions.map(versionView),
        };
      },
    );

    app.put(
      '/records/:connectionId/:model/:externalId',
      {
        config: { scope: 'syncs:write' },
        schema: {
          operationId: 'updateRecord',
          tags,
          summary:
            'Change fields of a record (fields not named keep their values); the change is a new version, and the fields the mapping writes back are sent to the provider, with retries',
          params: RecordParams,
          body: Type.Object({ data: Type.Record(Type.String({ minLength: 1, maxLength: 200 }), Type.Unknown(), { minProperties: 1 }) }, { additionalProperties: false }),
          response: {
            200: Type.Intersect([RecordView, Type.Object({ changed: Type.Array(Type.String()), exportQueued: Type.Boolean() })]),
            ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 422),
          },
        },
      },
      async (request) => {
        const scope = tenantOf(request);
        const { connectionId, model, externalId } = request.params;
        const connection = await connectionOr404(services(), scope, connectionId);
        const definition = connection.connector.syncs.find((s) => s.model === model);
        if (!definition) throw problems.notFound('Model', model);
        if (!definition.update) throw problems.unprocessable(`${connection.connector.manifest.name} ${model} records are read-only: changes could not be written back.`);
        const { db } = app.deps.database;
        const mapping = await mappingFor(db, scope, connection.id, connection.integrationId, model);
        if (mapping) {
          const check = exportChanges(mapping.fields, request.body.data);
          const errors = [
            ...check.refused.map((field) => ({ field: `/data/${field}`, message: `is not written back by mapping ${mapping.id} (only its export and bidirectional fields are)` })),
            ...check.errors.map((e) => ({ field: `/data/${e.field}`, message: e.message })),
          ];
          if (errors.length > 0) throw problems.unprocessable('Some fields cannot be written back to the provider.', errors);
        }
        const target = { ...scope, connectionId, model, externalId };
        const result = await updateRecord(db, target, request.body.data, { exported: () => true, clock: app.deps.clock });
        if (!result) throw problems.notFound('Record', `${model}/${externalId}`);
        if (result.changed.length > 0) {
          await recordAudit(db, { ...scope, actor: actorOf(request), action: 'record.updated', targetType: 'record', targetId: `${connectionId}/${model}/${externalId}`, details: { fields: result.changed } });
        }
        return { ...recordView(result.record), changed: result.changed, exportQueued: result.exportQueued };
      },
    );
  };
