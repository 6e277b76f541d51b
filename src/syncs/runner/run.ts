/**
 * One attempt of a sync run (the `sync.run` job). It claims the run, resolves the connection,
 * runs the connector's `exec` with a context bound to the run, commits the rest, deletes what a
 * full run did not see, and ends the run with its event — or records why it stopped:
 *
 * - cancelled through the API: `cancelled`, keeping what was committed;
 * - the worker stopping: nothing recorded; the job runs again and resumes from the checkpoint;
 * - a transient failure (429, 5xx, network) with attempts left: the error is logged on the run
 *   and the job retries, resuming from the checkpoint;
 * - anything else (a malformed page, an invalid record, 401): `failed`, with the page.
 */
import { and, eq, inArray, ne, sql } from 'drizzle-orm';
import { ProblemError, toError, type Clock, type Logger } from '../../core/index.ts';
import { rows, type Db } from '../../db/index.ts';
import { publish } from '../../events/index.ts';
import { failureSubject, type ConnectorContext, type SyncDefinition } from '../../connectors/index.ts';
import { providerContext } from '../provider.ts';
import type { ProviderProxy } from '../../proxy/index.ts';
import type { ConnectionResolver, ResolvedConnection, Scope } from '../connections.ts';
import { countLive, deleteUnseen, lockRecords, type RecordTarget } from '../records/store.ts';
import { syncRuns, syncs, type RunError, type RunStatus } from '../schema.ts';
import { triggerSync, type Sync, type SyncRun } from '../syncs.ts';
import { createSyncContext } from './context.ts';
import { classifyRunError, isShutdown, SyncCancelledError, type ClassifiedError } from './errors.ts';
import { RunWriter, type RunMapping } from './writer.ts';

export interface RunnerDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  proxy: ProviderProxy;
  resolver: ConnectionResolver;
  /** Records per write transaction; at least 1,000 in production. */
  batchSize: number;
  /** How often a running run looks for a cancellation. */
  cancelCheckMs: number;
  /** The mapping and conflict handling of a model, when it has one. */
  mappingFor?(db: Db, connection: ResolvedConnection, model: string): Promise<RunMapping | undefined>;
  /** Metrics runs are handed here (metrics.ts); returns the points written. */
  runMetrics?(run: SyncRun, sync: Sync, connection: ResolvedConnection, ctx: ConnectorContext): Promise<number>;
}

export interface AttemptInfo {
  attempt: number;
  maxAttempts: number;
  signal: AbortSignal;
  logger: Logger;
  jobId?: string;
}

const DELETE_CHUNK = 5_000;

export async function executeRun(deps: RunnerDeps, runId: string, attempt: AttemptInfo): Promise<void> {
  const { db, clock } = deps;
  const claimed = await claim(db, runId, clock);
  if (!claimed) return;
  const { run, sync } = claimed;
  const scope: Scope = { organizationId: run.organizationId, environmentId: run.environmentId };
  const logger = attempt.logger.child({ runId, syncId: sync.id, connectionId: run.connectionId, model: run.model });

  let connection: ResolvedConnection | undefined;
  try {
    connection = await deps.resolver.resolve(scope, run.connectionId);
  } catch (err) {
    // The credential cannot be read or renewed, or the configuration does not fit: nothing to
    // retry until someone fixes the connection.
    const problem = err instanceof ProblemError && err.status < 500 ? err : undefined;
    if (problem || attempt.attempt >= attempt.maxAttempts) {
      await finish(deps, run, sync, 'failed', { code: 'connection_unavailable', message: problem?.detail ?? toError(err).message, page: null, transient: false }, logger);
      return;
    }
    throw toError(err);
  }
  if (!connection) {
    await finish(deps, run, sync, 'failed', { code: 'connection_not_found', message: `Connection ${run.connectionId} no longer exists.`, page: null, transient: false }, logger);
    return;
  }
  const definition = connection.connector.syncs.find((s) => s.model === run.model);
  if (sync.kind === 'records' && !definition) {
    await finish(deps, run, sync, 'failed', { code: 'unknown_model', message: `${connection.connector.manifest.name} has no model "${run.model}".`, page: null, transient: false }, logger);
    return;
  }
  await deps.resolver.setStatus(scope, run.connectionId, 'syncing').catch((err: unknown) => logger.warn({ err: toError(err) }, 'could not mark the connection syncing'));

  const controller = new AbortController();
  const onJobAbort = () => controller.abort(attempt.signal.reason);
  if (attempt.signal.aborted) controller.abort(attempt.signal.reason);
  else attempt.signal.addEventListener('abort', onJobAbort, { once: true });
  const watcher = setInterval(() => {
    db.select({ at: syncRuns.cancelRequestedAt })
      .from(syncRuns)
      .where(eq(syncRuns.id, runId))
      .then(([row]) => {
        if (row?.at) controller.abort(new SyncCancelledError());
      })
      .catch(() => undefined);
  }, deps.cancelCheckMs);

  let writer: RunWriter | undefined;
  let pages = run.pages;
  let providerCalls = run.providerCalls;
  let currentPage: number | null = null;
  const target: RecordTarget = { ...scope, connectionId: run.connectionId, model: run.model };
  const subject = failureSubject(connection.connector.manifest);
  try {
    const base = providerContext(deps.proxy, connection, { logger, signal: controller.signal, correlationId: runId, onAttempt: () => void providerCalls++ });
    if (sync.kind === 'metrics') {
      if (!deps.runMetrics) throw new Error('metrics runs are not installed');
      const points = await deps.runMetrics(run, sync, connection, base);
      await db.update(syncRuns).set({ providerCalls }).where(eq(syncRuns.id, runId));
      await finish(deps, run, sync, 'succeeded', undefined, logger);
      logger.info({ points }, 'metrics collected');
      return;
    }
    const mapping = await deps.mappingFor?.(db, connection, run.model);
    writer = new RunWriter({
      db,
      clock,
      target,
      runId,
      syncId: sync.id,
      full: run.full,
      batchSize: deps.batchSize,
      mapping,
      progress: () => ({ pages, providerCalls }),
    });
    if (run.checkpoint !== null) writer.resumeFrom(run.checkpoint);
    const ctx = createSyncContext(base, {
      model: run.model,
      schema: definition!.schema,
      full: run.full,
      since: sinceOf(sync, clock),
      writer,
      baseCheckpoint: run.full ? undefined : run.checkpointBefore,
      mapping,
      signal: controller.signal,
      logger,
      onPage: () => (currentPage = ++pages),
    });
    if (run.phase === 'fetching') {
      if (run.attempts > 1) logger.info({ checkpoint: run.checkpoint, attempt: run.attempts }, 'resuming the run from its checkpoint');
      await (definition as SyncDefinition).exec(ctx);
      controller.signal.throwIfAborted();
      await writer.flush(run.full ? 'deleting' : undefined);
    }
    let deleted = 0;
    if (run.full) deleted = await deleteWhatWasNotSeen(deps, run, target, logger);
    const totals = await readTotals(db, runId);
    await finish(deps, { ...run, ...totals, deleted: totals.deleted }, sync, 'succeeded', undefined, logger, writer?.checkpoint?.value);
    logger.info({ ...totals, deletedByDifference: deleted }, 'sync run succeeded');
  } catch (err) {
    await writer?.abandon();
    const reason = controller.signal.aborted ? controller.signal.reason : err;
    if (reason instanceof SyncCancelledError || err instanceof SyncCancelledError) {
      await finish(deps, run, sync, 'cancelled', undefined, logger);
      logger.info('sync run cancelled');
      return;
    }
    if (isShutdown(reason)) throw toError(reason);
    const error = classifyRunError(err, subject, currentPage);
    if (error.transient && attempt.attempt < attempt.maxAttempts) {
      await recordError(db, runId, error, clock);
      logger.warn({ err: toError(err), page: error.page }, 'sync run failed; it resumes from its checkpoint');
      throw toError(err);
    }
    await finish(deps, run, sync, 'failed', error, logger);
    logger.warn({ err: toError(err), code: error.code, page: error.page }, 'sync run failed');
    if (error.code === 'invalid_credentials') await deps.resolver.setStatus(scope, run.connectionId, 'error', error.message).catch(() => undefined);
  } finally {
    clearInterval(watcher);
    attempt.signal.removeEventListener('abort', onJobAbort);
  }
}

/** Marks the run running (a resumed attempt keeps its counters); undefined when it has ended or was cancelled. */
async function claim(db: Db, runId: string, clock: Clock): Promise<{ run: SyncRun; sync: Sync } | undefined> {
  return db.transaction(async (tx) => {
    const [run] = await tx.select().from(syncRuns).where(eq(syncRuns.id, runId)).for('update');
    if (!run || (run.status !== 'queued' && run.status !== 'running')) return undefined;
    const [sync] = await tx.select().from(syncs).where(eq(syncs.id, run.syncId));
    if (!sync) return undefined;
    const now = clock.now();
    if (run.cancelRequestedAt) {
      await tx.update(syncRuns).set({ status: 'cancelled', finishedAt: now, updatedAt: now }).where(eq(syncRuns.id, runId));
      return undefined;
    }
    const [started] = await tx
      .update(syncRuns)
      .set({ status: 'running', startedAt: run.startedAt ?? now, attempts: run.attempts + 1, updatedAt: now })
      .where(eq(syncRuns.id, runId))
      .returning();
    return { run: started!, sync };
  });
}

/** The oldest modification a run wants when it has no checkpoint. */
function sinceOf(sync: Sync, clock: Clock): Date | undefined {
  if (sync.historicalDays !== null) return new Date(clock.now().getTime() - sync.historicalDays * 86_400_000);
  if (!sync.shouldBackfill) return sync.createdAt;
  return undefined;
}

/**
 * A full run deletes the live records it did not see, in chunks. It never empties a model
 * because a provider returned nothing: a run that saw no record deletes nothing.
 */
async function deleteWhatWasNotSeen(deps: RunnerDeps, run: SyncRun, target: RecordTarget, logger: Logger): Promise<number> {
  const { db, clock } = deps;
  const [seen] = await rows<{ n: number }>(
    db,
    sql`select count(*)::int as n from records
      where environment_id = ${target.environmentId} and connection_id = ${target.connectionId} and model = ${target.model} and seen_run_id = ${run.id}`,
  );
  if ((seen?.n ?? 0) === 0) {
    const live = await countLive(db, target);
    if (live > 0) logger.warn({ live }, 'the full run saw no record; nothing is deleted by difference');
    return 0;
  }
  let total = 0;
  for (;;) {
    const deleted = await db.transaction(async (tx) => {
      await lockRecords(tx, target);
      const n = await deleteUnseen(tx, target, run.id, clock.now(), DELETE_CHUNK);
      if (n > 0) await tx.update(syncRuns).set({ deleted: sql`${syncRuns.deleted} + ${n}` }).where(eq(syncRuns.id, run.id));
      return n;
    });
    total += deleted;
    if (deleted < DELETE_CHUNK) return total;
  }
}

async function readTotals(db: Db, runId: string) {
  const [row] = await db
    .select({
      pages: syncRuns.pages,
      providerCalls: syncRuns.providerCalls,
      added: syncRuns.added,
      updated: syncRuns.updated,
      deleted: syncRuns.deleted,
      unchanged: syncRuns.unchanged,
      conflicts: syncRuns.conflicts,
    })
    .from(syncRuns)
    .where(eq(syncRuns.id, runId));
  return row!;
}

function runError(error: ClassifiedError, clock: Clock): RunError {
  return { page: error.page, code: error.code, message: error.message, at: clock.now().toISOString() };
}

async function recordError(db: Db, runId: string, error: ClassifiedError, clock: Clock): Promise<void> {
  await db
    .update(syncRuns)
    .set({ errors: sql`${syncRuns.errors} || ${JSON.stringify([runError(error, clock)])}::jsonb`, updatedAt: clock.now() })
    .where(eq(syncRuns.id, runId));
}

/**
 * Ends a run: its status, the sync's last run (and, for a full run that succeeded, its final
 * checkpoint), the `sync.completed` / `sync.failed` event, a follow-up run a webhook asked for,
 * and the connection's status once no other run of it is active.
 */
async function finish(
  deps: RunnerDeps,
  run: SyncRun,
  sync: Sync,
  status: Exclude<RunStatus, 'queued' | 'running'>,
  error: ClassifiedError | undefined,
  logger: Logger,
  finalCheckpoint?: unknown,
): Promise<void> {
  const { db, clock } = deps;
  const now = clock.now();
  const scope: Scope = { organizationId: run.organizationId, environmentId: run.environmentId };
  const othersActive = await db.transaction(async (tx) => {
    const [ended] = await tx
      .update(syncRuns)
      .set({
        status,
        finishedAt: now,
        updatedAt: now,
        ...(error ? { errors: sql`${syncRuns.errors} || ${JSON.stringify([runError(error, clock)])}::jsonb` } : {}),
      })
      .where(and(eq(syncRuns.id, run.id), inArray(syncRuns.status, ['queued', 'running'])))
      .returning();
    if (!ended) return true;
    const [before] = await tx.select({ rerunRequested: syncs.rerunRequested }).from(syncs).where(eq(syncs.id, sync.id)).for('update');
    const [current] = await tx
      .update(syncs)
      .set({
        lastRunId: run.id,
        lastRunAt: now,
        lastStatus: status,
        rerunRequested: false,
        ...(status === 'succeeded' && run.full && finalCheckpoint !== undefined ? { checkpoint: finalCheckpoint } : {}),
        updatedAt: now,
      })
      .where(eq(syncs.id, sync.id))
      .returning();
    if (status !== 'cancelled') {
      await publish(tx, {
        ...scope,
        type: status === 'succeeded' ? 'sync.completed' : 'sync.failed',
        data: {
          syncId: sync.id,
          runId: run.id,
          connectionId: run.connectionId,
          model: run.model,
          trigger: run.trigger,
          full: run.full,
          added: ended.added,
          updated: ended.updated,
          deleted: ended.deleted,
          pages: ended.pages,
          providerCalls: ended.providerCalls,
          ...(error ? { error: { code: error.code, message: error.message, page: error.page } } : {}),
        },
        occurredAt: now,
      });
    }
    if (before?.rerunRequested && current) await triggerSync(tx, current, 'webhook', { clock });
    const [active] = await tx
      .select({ id: syncRuns.id })
      .from(syncRuns)
      .where(and(eq(syncRuns.environmentId, run.environmentId), eq(syncRuns.connectionId, run.connectionId), ne(syncRuns.id, run.id), inArray(syncRuns.status, ['queued', 'running'])))
      .limit(1);
    return Boolean(active);
  });
  if (status !== 'cancelled' && deps.resolver.recordOutcome) {
    await deps.resolver
      .recordOutcome(scope, run.connectionId, { at: now, error: error ? error.message : null })
      .catch((err: unknown) => logger.warn({ err: toError(err) }, 'could not record the sync outcome on the connection'));
  }
  if (!othersActive) {
    await deps.resolver.setStatus(scope, run.connectionId, 'connected').catch((err: unknown) => logger.warn({ err: toError(err) }, 'could not set the connection status'));
  }
}
