/**
 * `patchbay syncs …` and `patchbay records …`: a connection's syncs, triggering one and following
 * its run, the run log, cancel and rollback; the records a sync wrote. Bodies are checked with the
 * API routes' own schemas, the domain functions and views are the routes', so every way in
 * answers alike. A run triggered here is executed by a hub's worker (the running hub's, over its
 * socket, or any worker on the same PostgreSQL).
 */
import { recordAudit, type Actor } from '../../auth/index.ts';
import { problems } from '../../core/index.ts';
import { loadRegistry } from '../../connectors/index.ts';
import { connections } from '../../connections/index.ts';
import {
  cancelRun,
  configureSync,
  FeedCursorError,
  getRecord,
  getRun,
  getSync,
  listRuns,
  listSyncs,
  listVersions,
  readChanges,
  rollbackRun,
  RollbackError,
  syncRuns,
  syncs,
  triggerSync,
} from '../../syncs/index.ts';
import { connectionOr404, runView, SyncSettings, syncInput, syncView, TriggerBody } from '../../api/routes/syncs.ts';
import { changeView, recordView, versionView } from '../../api/routes/records.ts';
import { decodeCursor, page } from '../../api/pagination.ts';
import { connectionResolver } from '../connection-resolver.ts';
import { bodyOf, limitOf, scopeOfRow, type EnvironmentScope } from './args.ts';
import { OperationError, required, text, type Operation, type OperationContext } from './index.ts';

const CLI: Actor = { type: 'cli', id: null };

/** The connection (`args.connection`) with its connector, as the sync routes resolve it. */
async function connectionOf(context: OperationContext, args: Record<string, unknown>) {
  await loadRegistry();
  const scope = await scopeOfRow(context, args, connections, 'connection', 'connection');
  const resolver = connectionResolver({ db: context.database.db, vault: context.vault, clock: context.clock, logger: context.logger });
  return { scope, connection: await connectionOr404({ resolver }, scope, required(args, 'connection')) };
}

const list: Operation = async (context, args) => {
  const { scope, connection } = await connectionOf(context, args);
  const { connector } = connection;
  return {
    data: (await listSyncs(context.database.db, scope, connection.id)).map(syncView),
    models: connector.syncs.map((s) => ({ model: s.model, description: s.description ?? null, frequency: s.frequency ?? null, dataStrategy: s.dataStrategy ?? 'events', writable: Boolean(s.update) })),
    metrics: connector.metrics.length > 0,
  };
};

const configure: Operation = async (context, args) => {
  const body = bodyOf<Parameters<typeof syncInput>[2]>(args, SyncSettings);
  const { scope, connection } = await connectionOf(context, args);
  const model = required(args, 'model');
  const input = syncInput(connection, model, body);
  const sync = await context.database.db.transaction(async (tx) => {
    const saved = await configureSync(tx, scope, input, context.clock);
    await recordAudit(tx, { ...scope, actor: CLI, action: 'sync.configured', targetType: 'sync', targetId: saved.id, details: { connectionId: connection.id, model, ...body } });
    return saved;
  });
  return syncView(sync);
};

const trigger: Operation = async (context, args) => {
  const body = bodyOf<{ full?: boolean }>(args, TriggerBody);
  const scope = await scopeOfRow(context, args, syncs, 'sync');
  const id = required(args, 'id');
  const result = await context.database.db.transaction(async (tx) => {
    const sync = await getSync(tx, scope, id);
    if (!sync) throw new OperationError(`no sync ${id}`, 404);
    const triggered = await triggerSync(tx, sync, 'manual', { clock: context.clock, full: body.full });
    if (triggered.created) await recordAudit(tx, { ...scope, actor: CLI, action: 'sync.triggered', targetType: 'sync', targetId: sync.id, details: { runId: triggered.run.id } });
    return triggered;
  });
  return { run: runView(result.run), created: result.created };
};

const runs: Operation = async (context, args) => {
  const scope = await scopeOfRow(context, args, syncs, 'sync');
  const id = required(args, 'id');
  const { db } = context.database;
  if (!(await getSync(db, scope, id))) throw new OperationError(`no sync ${id}`, 404);
  const limit = limitOf(args, 250, 50);
  const rows = await listRuns(db, scope, id, { limit: limit + 1, before: decodeCursor(text(args, 'cursor')) });
  const result = page(rows, limit, (r) => r.id);
  return { data: result.data.map(runView), nextCursor: result.nextCursor };
};

async function runOr404(context: OperationContext, scope: EnvironmentScope, id: string) {
  const run = await getRun(context.database.db, scope, id);
  if (!run) throw new OperationError(`no sync run ${id}`, 404);
  return run;
}

const run: Operation = async (context, args) => {
  const scope = await scopeOfRow(context, args, syncRuns, 'sync run');
  return runView(await runOr404(context, scope, required(args, 'id')));
};

const cancel: Operation = async (context, args) => {
  const scope = await scopeOfRow(context, args, syncRuns, 'sync run');
  const id = required(args, 'id');
  const cancelled = await context.database.db.transaction(async (tx) => {
    const row = await cancelRun(tx, scope, id, context.clock);
    if (row) await recordAudit(tx, { ...scope, actor: CLI, action: 'sync_run.cancelled', targetType: 'sync_run', targetId: row.id });
    return row;
  });
  if (cancelled) return runView(cancelled);
  const existing = await runOr404(context, scope, id);
  throw new OperationError(`the run has ended already (${existing.status})`, 409);
};

const rollback: Operation = async (context, args) => {
  const scope = await scopeOfRow(context, args, syncRuns, 'sync run');
  const id = required(args, 'id');
  try {
    const result = await rollbackRun(context.database.db, scope, id, context.clock);
    await recordAudit(context.database.db, {
      ...scope,
      actor: CLI,
      action: 'sync_run.rolled_back',
      targetType: 'sync_run',
      targetId: result.reverted.id,
      details: { rollbackRunId: result.rollback.id, removed: result.rollback.deleted, restored: result.rollback.updated },
    });
    return { reverted: runView(result.reverted), rollback: runView(result.rollback) };
  } catch (err) {
    if (!(err instanceof RollbackError)) throw err;
    if (err.reason === 'not_found') throw new OperationError(`no sync run ${id}`, 404);
    throw new OperationError(err.message, 409);
  }
};

// Records

const records: Operation = async (context, args) => {
  const scope = await scopeOfRow(context, args, connections, 'connection', 'connection');
  try {
    const feed = await readChanges(context.database.db, scope, { connectionId: required(args, 'connection'), model: text(args, 'model'), cursor: text(args, 'cursor'), limit: limitOf(args, 1000, 100) });
    return { data: feed.data.map(changeView), nextCursor: feed.cursor, hasMore: feed.hasMore };
  } catch (err) {
    if (err instanceof FeedCursorError) throw problems.validation([{ field: '--cursor', message: err.message }]);
    throw err;
  }
};

const record: Operation = async (context, args) => {
  const scope = await scopeOfRow(context, args, connections, 'connection', 'connection');
  const target = { ...scope, connectionId: required(args, 'connection'), model: required(args, 'model'), externalId: required(args, 'externalId') };
  const found = await getRecord(context.database.db, target);
  if (!found) throw new OperationError(`no ${target.model} record ${target.externalId} in connection ${target.connectionId}`, 404);
  return { ...recordView(found), versions: (await listVersions(context.database.db, target)).map(versionView) };
};

export const syncOperations = {
  'syncs.list': list,
  'syncs.configure': configure,
  'syncs.trigger': trigger,
  'syncs.runs': runs,
  'syncs.run': run,
  'syncs.cancel': cancel,
  'syncs.rollback': rollback,
  'records.list': records,
  'records.show': record,
};
