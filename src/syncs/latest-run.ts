/**
 * The run an end customer's sync progress card follows: the newest queued or running run of
 * their connections, else their newest finished one — with how far along it is. A provider
 * rarely says how many records a run will read, so the percentage of a running run is an
 * estimate from the last run of the same sync that succeeded reading the same way (full or
 * incremental); without one it is unknown, and the card shows a bar that only moves.
 */
import { and, desc, eq, inArray, ne, sql } from 'drizzle-orm';
import type { Db } from '../db/index.ts';
import type { Scope } from './connections.ts';
import { syncRuns } from './schema.ts';
import { METRICS_MODEL, type SyncRun } from './syncs.ts';

export interface RunProgress {
  run: SyncRun;
  /** Records read so far (added, updated, unchanged, deleted). */
  fetched: number;
  /** What the last comparable run read, when there is one. */
  expected: number | null;
  /** 0–100; 100 only once the run succeeded, at most 99 while it runs; null when unknown. */
  percent: number | null;
}

const fetchedBy = (run: Pick<SyncRun, 'added' | 'updated' | 'unchanged' | 'deleted'>) => run.added + run.updated + run.unchanged + run.deleted;

/**
 * @example
 * const progress = await latestRun(db, scope, ['acme-stripe']); // the card of one connection
 */
export async function latestRun(db: Db, scope: Scope, connectionIds: string[], options: { model?: string | undefined } = {}): Promise<RunProgress | undefined> {
  if (connectionIds.length === 0) return undefined;
  const [run] = await db
    .select()
    .from(syncRuns)
    .where(
      and(
        eq(syncRuns.organizationId, scope.organizationId),
        eq(syncRuns.environmentId, scope.environmentId),
        inArray(syncRuns.connectionId, connectionIds),
        // The metrics collection is not a sync the end customer thinks of; a rollback is an operator's act.
        options.model ? eq(syncRuns.model, options.model) : ne(syncRuns.model, METRICS_MODEL),
        sql`${syncRuns.revertsRunId} is null`,
      ),
    )
    // An active run first, then the newest (ids sort by time).
    .orderBy(sql`case when ${syncRuns.status} in ('queued', 'running') then 0 else 1 end`, desc(syncRuns.id))
    .limit(1);
  if (!run) return undefined;
  const fetched = fetchedBy(run);
  if (run.status === 'succeeded') return { run, fetched, expected: fetched, percent: 100 };
  if (run.status !== 'queued' && run.status !== 'running') return { run, fetched, expected: null, percent: null };
  const [previous] = await db
    .select({ added: syncRuns.added, updated: syncRuns.updated, unchanged: syncRuns.unchanged, deleted: syncRuns.deleted })
    .from(syncRuns)
    .where(and(eq(syncRuns.environmentId, scope.environmentId), eq(syncRuns.syncId, run.syncId), eq(syncRuns.status, 'succeeded'), eq(syncRuns.full, run.full), sql`${syncRuns.revertsRunId} is null`))
    .orderBy(desc(syncRuns.id))
    .limit(1);
  const expected = previous ? fetchedBy(previous) : null;
  if (run.status === 'queued') return { run, fetched, expected, percent: 0 };
  const percent = expected ? Math.min(99, Math.floor((fetched / expected) * 100)) : null;
  return { run, fetched, expected, percent };
}
