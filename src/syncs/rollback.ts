/**
 * Rolling back a run: every record it touched returns to its version before the run, the sync's
 * checkpoint goes back to where the run started, and the revert is itself a run (trigger
 * `rollback`, naming the run it reverts) with its own counts, in the run log and the feed.
 *
 * Only the sync's latest run that changed anything can be rolled back: a later run may have
 * built on its records. Roll back the later ones first.
 */
import { and, desc, eq, gt, isNull, ne, sql } from 'drizzle-orm';
import { newId, type Clock } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import { publish } from '../events/index.ts';
import type { Scope } from './connections.ts';
import { lockRecords, revertRun } from './records/store.ts';
import { syncRuns, syncs } from './schema.ts';
import type { SyncRun } from './syncs.ts';

export class RollbackError extends Error {
  constructor(
    readonly reason: 'not_found' | 'active' | 'already_rolled_back' | 'later_runs' | 'not_a_records_run' | 'versions_pruned',
    message: string,
  ) {
    super(message);
    this.name = 'RollbackError';
  }
}

export async function rollbackRun(db: Db, scope: Scope, runId: string, clock: Clock): Promise<{ reverted: SyncRun; rollback: SyncRun }> {
  return db.transaction(async (tx) => {
    const [run] = await tx
      .select()
      .from(syncRuns)
      .where(and(eq(syncRuns.id, runId), eq(syncRuns.organizationId, scope.organizationId), eq(syncRuns.environmentId, scope.environmentId)))
      .for('update');
    if (!run) throw new RollbackError('not_found', `Sync run ${runId} not found.`);
    if (run.model.startsWith('$')) throw new RollbackError('not_a_records_run', 'Only runs of records can be rolled back.');
    if (run.status === 'queued' || run.status === 'running') throw new RollbackError('active', 'The run has not ended: cancel it first.');
    if (run.rolledBackBy) throw new RollbackError('already_rolled_back', `The run was rolled back already (by ${run.rolledBackBy}).`);
    if (run.versionsPrunedAt) {
      throw new RollbackError('versions_pruned', `The record versions this run replaced were deleted by retention (PATCHBAY_RETENTION_DAYS) on ${run.versionsPrunedAt.toISOString()}: it can no longer be rolled back.`);
    }
    const [later] = await tx
      .select({ id: syncRuns.id })
      .from(syncRuns)
      .where(
        and(
          eq(syncRuns.syncId, run.syncId),
          gt(syncRuns.id, run.id),
          isNull(syncRuns.rolledBackBy),
          ne(syncRuns.trigger, 'rollback'),
          sql`(${syncRuns.added} + ${syncRuns.updated} + ${syncRuns.deleted} > 0 or ${syncRuns.status} in ('queued', 'running'))`,
        ),
      )
      .orderBy(desc(syncRuns.id))
      .limit(1);
    if (later) throw new RollbackError('later_runs', `A later run (${later.id}) changed records of this sync: roll it back first.`);

    const now = clock.now();
    const target = { ...scope, connectionId: run.connectionId, model: run.model };
    // The rollback is a run too; it holds the sync's one active slot while it works.
    const [started] = await tx
      .insert(syncRuns)
      .values({
        id: newId('run'),
        ...scope,
        syncId: run.syncId,
        connectionId: run.connectionId,
        model: run.model,
        status: 'running',
        trigger: 'rollback',
        full: false,
        revertsRunId: run.id,
        checkpointBefore: run.checkpoint,
        startedAt: now,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing()
      .returning();
    if (!started) throw new RollbackError('active', 'Another run of this sync is queued or running.');
    await lockRecords(tx, target);
    const result = await revertRun(tx, target, run.id, started.id, now);
    const [rollback] = await tx
      .update(syncRuns)
      .set({ status: 'succeeded', deleted: result.removed, updated: result.restored, checkpoint: run.checkpointBefore, finishedAt: now, updatedAt: now })
      .where(eq(syncRuns.id, started.id))
      .returning();
    const [reverted] = await tx.update(syncRuns).set({ rolledBackBy: started.id, updatedAt: now }).where(eq(syncRuns.id, run.id)).returning();
    await tx.update(syncs).set({ checkpoint: run.checkpointBefore, updatedAt: now }).where(eq(syncs.id, run.syncId));
    await publish(tx, {
      ...scope,
      type: 'sync.rolled_back',
      data: { syncId: run.syncId, runId: run.id, rollbackRunId: started.id, connectionId: run.connectionId, model: run.model, removed: result.removed, restored: result.restored },
      occurredAt: now,
    });
    return { reverted: reverted!, rollback: rollback! };
  });
}
