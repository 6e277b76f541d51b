/**
 * Retention for record versions. Every change keeps the version it replaced, for rollback and
 * the records browser; kept forever they outgrow the records themselves. Versions replaced more
 * than `retentionDays` ago are deleted, except those of each sync's latest run that changed
 * anything (the one run a rollback may revert next, however old). A run whose versions were
 * deleted is marked (`versions_pruned_at`) and refused by rollback with that reason, never
 * half reverted.
 */
import { sql } from 'drizzle-orm';
import type { Clock } from '../core/index.ts';
import { rows, type Db } from '../db/index.ts';

export const PRUNE_RECORD_VERSIONS_JOB = 'syncs.prune-versions';

/** Deleted per statement, so a large backlog never holds locks for long. */
const BATCH = 5_000;

export interface VersionPruneReport {
  deleted: number;
  runsMarked: number;
}

export async function pruneRecordVersions(db: Db, clock: Clock, options: { retentionDays: number }): Promise<VersionPruneReport> {
  const now = clock.now();
  const cutoff = new Date(now.getTime() - options.retentionDays * 86_400_000).toISOString();
  let deleted = 0;
  let runsMarked = 0;
  for (;;) {
    const batch = await db.transaction(async (tx) => {
      const gone = await rows<{ run: string | null }>(
        tx,
        sql`with latest as (
              select distinct on (sync_id) id from sync_runs
              where rolled_back_by is null and trigger <> 'rollback' and added + updated + deleted > 0
              order by sync_id, id desc
            ),
            doomed as (
              select environment_id, connection_id, model, external_id, version from record_versions v
              where v.replaced_at < ${cutoff}
                and (v.replaced_by_run_id is null or v.replaced_by_run_id not in (select id from latest))
              limit ${BATCH}
            )
            delete from record_versions v using doomed d
            where v.environment_id = d.environment_id and v.connection_id = d.connection_id and v.model = d.model
              and v.external_id = d.external_id and v.version = d.version
            returning v.replaced_by_run_id as run`,
      );
      const runs = [...new Set(gone.map((g) => g.run).filter((r): r is string => r !== null))];
      let marked = 0;
      if (runs.length > 0) {
        const updated = await rows<{ id: string }>(
          tx,
          sql`update sync_runs set versions_pruned_at = ${now.toISOString()} where id in (${sql.join(runs.map((r) => sql`${r}`), sql`, `)}) and versions_pruned_at is null returning id`,
        );
        marked = updated.length;
      }
      return { count: gone.length, marked };
    });
    deleted += batch.count;
    runsMarked += batch.marked;
    if (batch.count < BATCH) return { deleted, runsMarked };
  }
}
