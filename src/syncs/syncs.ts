/**
 * Syncs and their runs: configuration per connection and model, triggers (manual, schedule,
 * webhook, reconcile), cancellation, and the scheduler's tick. A run is created with its job in
 * one transaction; the `sync_runs_one_active` index keeps one queued or running run per sync, so
 * a trigger while a run is active returns that run.
 */
import { and, desc, eq, inArray, lt, lte, sql } from 'drizzle-orm';
import { newId, type Clock } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import { enqueue } from '../queue/index.ts';
import type { DataStrategy } from '../connectors/index.ts';
import type { Scope } from './connections.ts';
import { isRealTime, nextRunAt } from './schedule.ts';
import { syncRuns, syncs, type RunTrigger, type SyncKind } from './schema.ts';

export type Sync = typeof syncs.$inferSelect;
export type SyncRun = typeof syncRuns.$inferSelect;

export const SYNC_RUN_JOB = 'sync.run';
export const METRICS_MODEL = '$metrics';

export interface SyncSettings {
  frequency?: string | null | undefined;
  dataStrategy?: DataStrategy | undefined;
  shouldBackfill?: boolean | undefined;
  historicalDays?: number | null | undefined;
  enabled?: boolean | undefined;
}

/**
 * Creates or changes the sync of one model of a connection. A new sync takes the connector's
 * defaults for what the input leaves out (`defaults`: the model's frequency and strategy).
 */
export async function configureSync(
  tx: Db,
  scope: Scope,
  input: { connectionId: string; model: string; kind?: SyncKind; defaults?: { frequency?: string | undefined; dataStrategy?: DataStrategy | undefined } } & SyncSettings,
  clock: Clock,
): Promise<Sync> {
  const now = clock.now();
  const [existing] = await tx
    .select()
    .from(syncs)
    .where(and(eq(syncs.environmentId, scope.environmentId), eq(syncs.connectionId, input.connectionId), eq(syncs.model, input.model)));
  const frequency = input.frequency === undefined ? (existing ? existing.frequency : (input.defaults?.frequency ?? null)) : input.frequency;
  const enabled = input.enabled ?? existing?.enabled ?? true;
  const values = {
    frequency,
    dataStrategy: input.dataStrategy ?? existing?.dataStrategy ?? input.defaults?.dataStrategy ?? 'events',
    shouldBackfill: input.shouldBackfill ?? existing?.shouldBackfill ?? true,
    historicalDays: input.historicalDays === undefined ? (existing?.historicalDays ?? null) : input.historicalDays,
    enabled,
    // A new or changed schedule counts from now; the first run of a new sync is due at once.
    nextRunAt: !enabled || !frequency ? null : existing && existing.frequency === frequency ? existing.nextRunAt : existing ? nextRunAt(frequency, now) : now,
    updatedAt: now,
  };
  if (existing) {
    const [updated] = await tx.update(syncs).set(values).where(eq(syncs.id, existing.id)).returning();
    return updated!;
  }
  const [created] = await tx
    .insert(syncs)
    .values({ id: newId('sync'), ...scope, connectionId: input.connectionId, model: input.model, kind: input.kind ?? 'records', ...values, createdAt: now })
    .returning();
  return created!;
}

export async function getSync(db: Db, scope: Scope, syncId: string): Promise<Sync | undefined> {
  const [sync] = await db
    .select()
    .from(syncs)
    .where(and(eq(syncs.id, syncId), eq(syncs.organizationId, scope.organizationId), eq(syncs.environmentId, scope.environmentId)));
  return sync;
}

export async function listSyncs(db: Db, scope: Scope, connectionId: string): Promise<Sync[]> {
  return db
    .select()
    .from(syncs)
    .where(and(eq(syncs.organizationId, scope.organizationId), eq(syncs.environmentId, scope.environmentId), eq(syncs.connectionId, connectionId)))
    .orderBy(syncs.model);
}

/** Whether a run reads everything: a sync's first run, every snapshot run, a hybrid sync's reconcile. */
function isFull(sync: Sync, trigger: RunTrigger, asked: boolean | undefined): boolean {
  if (asked !== undefined) return asked || sync.checkpoint === null;
  if (sync.checkpoint === null || sync.dataStrategy === 'snapshot') return true;
  return sync.dataStrategy === 'hybrid' && (trigger === 'schedule' || trigger === 'reconcile');
}

/**
 * Queues a run (and its job) in the caller's transaction. While a run is queued or running, that
 * run is returned instead (`created: false`).
 */
export async function triggerSync(
  tx: Db,
  sync: Sync,
  trigger: RunTrigger,
  options: { clock: Clock; full?: boolean | undefined },
): Promise<{ run: SyncRun; created: boolean }> {
  const now = options.clock.now();
  const id = newId('run');
  const inserted = await tx
    .insert(syncRuns)
    .values({
      id,
      organizationId: sync.organizationId,
      environmentId: sync.environmentId,
      syncId: sync.id,
      connectionId: sync.connectionId,
      model: sync.model,
      status: 'queued',
      trigger,
      full: isFull(sync, trigger, options.full),
      checkpointBefore: sync.checkpoint,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing()
    .returning();
  if (inserted[0]) {
    await enqueue(
      tx,
      { type: SYNC_RUN_JOB, payload: { runId: id }, key: `sync:${sync.id}`, organizationId: sync.organizationId, environmentId: sync.environmentId },
      { clock: options.clock },
    );
    return { run: inserted[0], created: true };
  }
  const [active] = await tx
    .select()
    .from(syncRuns)
    .where(and(eq(syncRuns.syncId, sync.id), inArray(syncRuns.status, ['queued', 'running'])));
  if (!active) throw new Error(`sync ${sync.id}: a run is active but could not be read`);
  return { run: active, created: false };
}

/**
 * The provider said something changed (an inbound webhook): runs an incremental sync of the
 * connection's real-time and hybrid syncs — or, while one runs, a second one after it.
 */
export async function triggerFromWebhook(tx: Db, scope: Scope, connectionId: string, clock: Clock, models?: readonly string[]): Promise<SyncRun[]> {
  const candidates = (await listSyncs(tx, scope, connectionId)).filter(
    (s) => s.enabled && s.kind === 'records' && (isRealTime(s.frequency) || s.dataStrategy === 'hybrid') && (!models || models.includes(s.model)),
  );
  const runs: SyncRun[] = [];
  for (const sync of candidates) {
    const { run, created } = await triggerSync(tx, sync, 'webhook', { clock });
    if (created) runs.push(run);
    else if (run.status === 'running') await tx.update(syncs).set({ rerunRequested: true }).where(eq(syncs.id, sync.id));
  }
  return runs;
}

export async function getRun(db: Db, scope: Scope, runId: string): Promise<SyncRun | undefined> {
  const [run] = await db
    .select()
    .from(syncRuns)
    .where(and(eq(syncRuns.id, runId), eq(syncRuns.organizationId, scope.organizationId), eq(syncRuns.environmentId, scope.environmentId)));
  return run;
}

export async function listRuns(db: Db, scope: Scope, syncId: string, options: { limit: number; before?: string | undefined }): Promise<SyncRun[]> {
  return db
    .select()
    .from(syncRuns)
    .where(
      and(
        eq(syncRuns.organizationId, scope.organizationId),
        eq(syncRuns.environmentId, scope.environmentId),
        eq(syncRuns.syncId, syncId),
        options.before ? lt(syncRuns.id, options.before) : undefined,
      ),
    )
    .orderBy(desc(syncRuns.id))
    .limit(options.limit);
}

/**
 * Asks a run to stop. A queued run is cancelled at once; a running one stops at its next check
 * (within a second) and keeps what it committed. Returns the run, or undefined if it had ended.
 */
export async function cancelRun(tx: Db, scope: Scope, runId: string, clock: Clock): Promise<SyncRun | undefined> {
  const now = clock.now();
  const [run] = await tx
    .update(syncRuns)
    .set({
      cancelRequestedAt: now,
      status: sql`case when ${syncRuns.status} = 'queued' then 'cancelled' else ${syncRuns.status} end`,
      finishedAt: sql`case when ${syncRuns.status} = 'queued' then ${now.toISOString()}::timestamptz else ${syncRuns.finishedAt} end`,
      updatedAt: now,
    })
    .where(
      and(
        eq(syncRuns.id, runId),
        eq(syncRuns.organizationId, scope.organizationId),
        eq(syncRuns.environmentId, scope.environmentId),
        inArray(syncRuns.status, ['queued', 'running']),
      ),
    )
    .returning();
  return run;
}

/**
 * The scheduler's tick: queues a run for every enabled sync whose time has come (a reconcile for
 * real-time and hybrid syncs) and moves its next run on. Syncs claimed with SKIP LOCKED, so ticks
 * in several processes share the work. Returns the runs queued.
 */
export async function runDueSyncs(db: Db, clock: Clock, limit = 200): Promise<SyncRun[]> {
  const now = clock.now();
  return db.transaction(async (tx) => {
    const due = await tx
      .select()
      .from(syncs)
      .where(and(eq(syncs.enabled, true), lte(syncs.nextRunAt, now)))
      .orderBy(syncs.nextRunAt)
      .limit(limit)
      .for('update', { skipLocked: true });
    const runs: SyncRun[] = [];
    for (const sync of due) {
      const trigger: RunTrigger = isRealTime(sync.frequency) || (sync.dataStrategy === 'hybrid' && sync.checkpoint !== null) ? 'reconcile' : 'schedule';
      const { run, created } = await triggerSync(tx, sync, trigger, { clock });
      if (created) runs.push(run);
      await tx.update(syncs).set({ nextRunAt: nextRunAt(sync.frequency, now), updatedAt: now }).where(eq(syncs.id, sync.id));
    }
    return runs;
  });
}
