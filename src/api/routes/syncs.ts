/**
 * Syncs and their runs: a connection's syncs (one per model, plus `$metrics`), configuring one,
 * triggering, the run log, cancelling and rolling back a run.
 */
import { Type, type Static } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problems } from '../../core/index.ts';
import { recordAudit } from '../../auth/index.ts';
import { DATA_STRATEGIES } from '../../connectors/index.ts';
import {
  cancelRun,
  checkFrequency,
  configureSync,
  FrequencyError,
  getRun,
  getSync,
  listRuns,
  listSyncs,
  METRICS_MODEL,
  rollbackRun,
  RollbackError,
  triggerSync,
  type ResolvedConnection,
  type Sync,
  type SyncRun,
  type SyncServices,
} from '../../syncs/index.ts';
import { actorOf, tenantOf } from '../context.ts';
import { decodeCursor, Page, page, PageQuery } from '../pagination.ts';
import { AUTHENTICATED_PROBLEMS, IdParams, iso, NullableTimestamp, problemResponses, Timestamp } from '../schemas.ts';

const SyncView = Type.Object({
  id: Type.String(),
  connectionId: Type.String(),
  model: Type.String({ description: 'The connector’s model, or `$metrics` for its metrics' }),
  kind: Type.String(),
  frequency: Type.Union([Type.String(), Type.Null()]),
  dataStrategy: Type.String(),
  shouldBackfill: Type.Boolean(),
  historicalDays: Type.Union([Type.Integer(), Type.Null()]),
  enabled: Type.Boolean(),
  checkpoint: Type.Unknown(),
  nextRunAt: NullableTimestamp,
  lastRunId: Type.Union([Type.String(), Type.Null()]),
  lastRunAt: NullableTimestamp,
  lastStatus: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export const syncView = (s: Sync) => ({
  id: s.id,
  connectionId: s.connectionId,
  model: s.model,
  kind: s.kind,
  frequency: s.frequency,
  dataStrategy: s.dataStrategy,
  shouldBackfill: s.shouldBackfill,
  historicalDays: s.historicalDays,
  enabled: s.enabled,
  checkpoint: s.checkpoint ?? null,
  nextRunAt: iso(s.nextRunAt),
  lastRunId: s.lastRunId,
  lastRunAt: iso(s.lastRunAt),
  lastStatus: s.lastStatus,
  createdAt: iso(s.createdAt)!,
  updatedAt: iso(s.updatedAt)!,
});

export const RunView = Type.Object({
  id: Type.String(),
  syncId: Type.String(),
  connectionId: Type.String(),
  model: Type.String(),
  status: Type.Enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']),
  trigger: Type.String(),
  full: Type.Boolean({ description: 'Read everything (first run, snapshot, reconcile) rather than continue from the checkpoint' }),
  phase: Type.String(),
  pages: Type.Integer(),
  providerCalls: Type.Integer(),
  added: Type.Integer(),
  updated: Type.Integer(),
  deleted: Type.Integer(),
  unchanged: Type.Integer(),
  conflicts: Type.Integer(),
  errors: Type.Array(Type.Object({ page: Type.Union([Type.Integer(), Type.Null()]), code: Type.String(), message: Type.String(), at: Type.String() })),
  attempts: Type.Integer(),
  revertsRunId: Type.Union([Type.String(), Type.Null()]),
  rolledBackBy: Type.Union([Type.String(), Type.Null()]),
  cancelRequestedAt: NullableTimestamp,
  startedAt: NullableTimestamp,
  finishedAt: NullableTimestamp,
  createdAt: Timestamp,
});
export const runView = (r: SyncRun) => ({
  id: r.id,
  syncId: r.syncId,
  connectionId: r.connectionId,
  model: r.model,
  status: r.status,
  trigger: r.trigger,
  full: r.full,
  phase: r.phase,
  pages: r.pages,
  providerCalls: r.providerCalls,
  added: r.added,
  updated: r.updated,
  deleted: r.deleted,
  unchanged: r.unchanged,
  conflicts: r.conflicts,
  errors: r.errors,
  attempts: r.attempts,
  revertsRunId: r.revertsRunId,
  rolledBackBy: r.rolledBackBy,
  cancelRequestedAt: iso(r.cancelRequestedAt),
  startedAt: iso(r.startedAt),
  finishedAt: iso(r.finishedAt),
  createdAt: iso(r.createdAt)!,
});

const ModelView = Type.Object({
  model: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  frequency: Type.Union([Type.String(), Type.Null()]),
  dataStrategy: Type.String(),
  writable: Type.Boolean({ description: 'Records changed through the API are written back to the provider' }),
});

export const SyncSettings = Type.Object(
  {
    frequency: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 100, description: '`every 30m`, `hourly`, `daily`, `real-time` or a cron expression (UTC)' }), Type.Null()])),
    dataStrategy: Type.Optional(Type.Enum(DATA_STRATEGIES)),
    shouldBackfill: Type.Optional(Type.Boolean()),
    historicalDays: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 3650 }), Type.Null()])),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const TriggerBody = Type.Object({ full: Type.Optional(Type.Boolean({ description: 'Read everything, not only what changed' })) }, { additionalProperties: false });

/** The connection in the request's scope, or a 404. */
export async function connectionOr404(services: Pick<SyncServices, 'resolver'>, scope: { organizationId: string; environmentId: string }, id: string): Promise<ResolvedConnection> {
  const connection = await services.resolver.resolve(scope, id);
  if (!connection) throw problems.notFound('Connection', id);
  return connection;
}

/**
 * What `configureSync` is given for one model of a connection: its kind and the connector's
 * defaults. Refuses a model the connector does not sync and a frequency it cannot read (the CLI
 * checks the same).
 */
export function syncInput(connection: ResolvedConnection, model: string, settings: Static<typeof SyncSettings>) {
  const metrics = model === METRICS_MODEL;
  const definition = connection.connector.syncs.find((s) => s.model === model);
  if (metrics ? connection.connector.metrics.length === 0 : !definition) {
    const known = connection.connector.syncs.map((s) => s.model).concat(connection.connector.metrics.length ? [METRICS_MODEL] : []);
    throw problems.unprocessable(`${connection.connector.manifest.name} has no model "${model}"; it syncs: ${known.join(', ') || 'nothing'}.`);
  }
  if (settings.frequency) {
    try {
      checkFrequency(settings.frequency);
    } catch (err) {
      if (err instanceof FrequencyError) throw problems.validation([{ field: '/frequency', message: err.message }]);
      throw err;
    }
  }
  return {
    connectionId: connection.id,
    model,
    kind: metrics ? ('metrics' as const) : ('records' as const),
    defaults: metrics ? { frequency: 'daily' } : { frequency: definition!.frequency, dataStrategy: definition!.dataStrategy },
    ...settings,
  };
}

export const syncRoutes =
  (services: () => SyncServices): FastifyPluginAsyncTypebox =>
  async (app) => {
    const tags = ['syncs'];

    app.get(
      '/connections/:id/syncs',
      {
        config: { scope: 'syncs:read' },
        schema: {
          operationId: 'listConnectionSyncs',
          tags,
          summary: 'A connection’s syncs, and the models its connector can sync',
          params: IdParams,
          response: { 200: Type.Object({ data: Type.Array(SyncView), models: Type.Array(ModelView), metrics: Type.Boolean() }), ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) },
        },
      },
      async (request) => {
        const scope = tenantOf(request);
        const connection = await connectionOr404(services(), scope, request.params.id);
        const { connector } = connection;
        return {
          data: (await listSyncs(app.deps.database.db, scope, connection.id)).map(syncView),
          models: connector.syncs.map((s) => ({ model: s.model, description: s.description ?? null, frequency: s.frequency ?? null, dataStrategy: s.dataStrategy ?? 'events', writable: Boolean(s.update) })),
          metrics: connector.metrics.length > 0,
        };
      },
    );

    app.put(
      '/connections/:id/syncs/:model',
      {
        config: { scope: 'syncs:write' },
        schema: {
          operationId: 'configureSync',
          tags,
          summary: 'Create or change the sync of one model (`$metrics`: the connector’s metrics); what is left out keeps its value or the connector’s default',
          params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }), model: Type.String({ minLength: 1, maxLength: 64 }) }),
          body: SyncSettings,
          response: { 200: SyncView, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 422) },
        },
      },
      async (request) => {
        const scope = tenantOf(request);
        const connection = await connectionOr404(services(), scope, request.params.id);
        const { model } = request.params;
        const sync = await app.deps.database.db.transaction(async (tx) => {
          const saved = await configureSync(tx, scope, syncInput(connection, model, request.body), app.deps.clock);
          await recordAudit(tx, { ...scope, actor: actorOf(request), action: 'sync.configured', targetType: 'sync', targetId: saved.id, details: { connectionId: connection.id, model, ...request.body } });
          return saved;
        });
        return syncView(sync);
      },
    );

    app.get(
      '/syncs/:id',
      { config: { scope: 'syncs:read' }, schema: { operationId: 'getSync', tags, summary: 'One sync', params: IdParams, response: { 200: SyncView, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) } } },
      async (request) => {
        const sync = await getSync(app.deps.database.db, tenantOf(request), request.params.id);
        if (!sync) throw problems.notFound('Sync', request.params.id);
        return syncView(sync);
      },
    );

    app.post(
      '/syncs/:id/trigger',
      {
        config: { scope: 'syncs:write' },
        schema: {
          operationId: 'triggerSync',
          tags,
          summary: 'Run a sync now; while a run is queued or running, that run is returned',
          params: IdParams,
          body: Type.Optional(TriggerBody),
          response: { 202: Type.Object({ run: RunView, created: Type.Boolean() }), ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) },
        },
      },
      async (request, reply) => {
        const scope = tenantOf(request);
        const { db } = app.deps.database;
        const result = await db.transaction(async (tx) => {
          const sync = await getSync(tx, scope, request.params.id);
          if (!sync) throw problems.notFound('Sync', request.params.id);
          const triggered = await triggerSync(tx, sync, 'manual', { clock: app.deps.clock, full: request.body?.full });
          if (triggered.created) await recordAudit(tx, { ...scope, actor: actorOf(request), action: 'sync.triggered', targetType: 'sync', targetId: sync.id, details: { runId: triggered.run.id } });
          return triggered;
        });
        return reply.status(202).send({ run: runView(result.run), created: result.created });
      },
    );

    app.get(
      '/syncs/:id/runs',
      {
        config: { scope: 'syncs:read' },
        schema: { operationId: 'listSyncRuns', tags, summary: 'The run log of a sync, newest first', params: IdParams, querystring: Type.Object(PageQuery), response: { 200: Page(RunView), ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) } },
      },
      async (request) => {
        const scope = tenantOf(request);
        const { db } = app.deps.database;
        if (!(await getSync(db, scope, request.params.id))) throw problems.notFound('Sync', request.params.id);
        const limit = request.query.limit ?? 50;
        const runs = await listRuns(db, scope, request.params.id, { limit: limit + 1, before: decodeCursor(request.query.cursor) });
        const result = page(runs, limit, (r) => r.id);
        return { data: result.data.map(runView), nextCursor: result.nextCursor };
      },
    );

    app.get(
      '/sync-runs/:id',
      { config: { scope: 'syncs:read' }, schema: { operationId: 'getSyncRun', tags, summary: 'One run, with its progress while it runs', params: IdParams, response: { 200: RunView, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) } } },
      async (request) => {
        const run = await getRun(app.deps.database.db, tenantOf(request), request.params.id);
        if (!run) throw problems.notFound('Sync run', request.params.id);
        return runView(run);
      },
    );

    app.post(
      '/sync-runs/:id/cancel',
      {
        config: { scope: 'syncs:write' },
        schema: { operationId: 'cancelSyncRun', tags, summary: 'Stop a queued or running run; what it committed stays', params: IdParams, response: { 200: RunView, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 409) } },
      },
      async (request) => {
        const scope = tenantOf(request);
        const { db } = app.deps.database;
        const run = await db.transaction(async (tx) => {
          const cancelled = await cancelRun(tx, scope, request.params.id, app.deps.clock);
          if (cancelled) await recordAudit(tx, { ...scope, actor: actorOf(request), action: 'sync_run.cancelled', targetType: 'sync_run', targetId: cancelled.id });
          return cancelled;
        });
        if (run) return runView(run);
        const existing = await getRun(db, scope, request.params.id);
        if (!existing) throw problems.notFound('Sync run', request.params.id);
        throw problems.conflict(`The run has ended already (${existing.status}).`);
      },
    );

    app.post(
      '/sync-runs/:id/rollback',
      {
        config: { scope: 'syncs:write' },
        schema: {
          operationId: 'rollbackSyncRun',
          tags,
          summary: 'Put every record the run touched back to its version before the run; the rollback is a run of its own',
          params: IdParams,
          response: { 200: Type.Object({ reverted: RunView, rollback: RunView }), ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 409) },
        },
      },
      async (request) => {
        const scope = tenantOf(request);
        try {
          const result = await rollbackRun(app.deps.database.db, scope, request.params.id, app.deps.clock);
          await recordAudit(app.deps.database.db, {
            ...scope,
            actor: actorOf(request),
            action: 'sync_run.rolled_back',
            targetType: 'sync_run',
            targetId: result.reverted.id,
            details: { rollbackRunId: result.rollback.id, removed: result.rollback.deleted, restored: result.rollback.updated },
          });
          return { reverted: runView(result.reverted), rollback: runView(result.rollback) };
        } catch (err) {
          if (!(err instanceof RollbackError)) throw err;
          if (err.reason === 'not_found') throw problems.notFound('Sync run', request.params.id);
          throw problems.conflict(err.message);
        }
      },
    );
  };
