/**
 * Erasing an end customer (`DELETE /end-customers/{id}`, see connections/delete.ts) erases what
 * syncs kept of their connections — those being erased and those deleted earlier, which still
 * have all of it: no table here has a foreign key to `connections`. That is their syncs, runs,
 * records and every earlier version, conflicts, metric points, the mappings made for one of
 * those connections, and the write-back and run jobs still waiting or dead-lettered.
 *
 * A run in progress cannot write after this: its writer commits only while its run row is
 * `running` (runner/writer.ts), and the connection's records lock is taken first, so a commit in
 * flight either lands before the erasure (and is erased) or waits for it and finds its run gone.
 * The job of a running run or write-back is left to end by itself; it finds nothing to do.
 */
import { sql } from 'drizzle-orm';
import { rows, type Db } from '../db/index.ts';
import type { EndCustomerSubject } from '../connections/index.ts';
import { EXPORT_JOB } from './conflicts.ts';
import { lockRecords } from './records/store.ts';
import { SYNC_RUN_JOB } from './syncs.ts';

/** Rows erased, by kind (a type, not an interface: it is a `Record<string, number>`). */
export type SyncsErased = {
  syncs: number;
  syncRuns: number;
  records: number;
  recordVersions: number;
  conflicts: number;
  metricPoints: number;
  mappings: number;
};

/** Deletes every row syncs keep of the subject's connections, in the erasing transaction. */
export async function eraseSyncDataOf(tx: Db, subject: EndCustomerSubject): Promise<SyncsErased> {
  const none: SyncsErased = { syncs: 0, syncRuns: 0, records: 0, recordVersions: 0, conflicts: 0, metricPoints: 0, mappings: 0 };
  if (subject.connectionIds.length === 0) return none;
  const { organizationId, environmentId } = subject;
  // In one order, so that two erasures never wait for each other's locks.
  for (const connectionId of [...subject.connectionIds].sort()) await lockRecords(tx, { environmentId, connectionId });
  const theirs = sql`organization_id = ${organizationId} and environment_id = ${environmentId}
    and connection_id in (select jsonb_array_elements_text(${JSON.stringify(subject.connectionIds)}::jsonb))`;
  // Every data-modifying CTE runs to completion, read or not (the jobs are not counted).
  const [counts] = await rows<SyncsErased>(
    tx,
    sql`with
      s as (delete from syncs where ${theirs} returning id),
      r as (delete from sync_runs where ${theirs} returning id),
      rec as (delete from records where ${theirs} returning 1),
      v as (delete from record_versions where ${theirs} returning 1),
      c as (delete from conflicts where ${theirs} returning 1),
      m as (delete from metric_points where ${theirs} returning 1),
      map as (delete from mappings where ${theirs} returning 1),
      run_jobs as (
        delete from jobs where type = ${SYNC_RUN_JOB} and state <> 'running'
          and organization_id = ${organizationId} and environment_id = ${environmentId}
          and payload->>'runId' in (select id from r)
        returning 1
      ),
      export_jobs as (
        delete from jobs where type = ${EXPORT_JOB} and state <> 'running'
          and organization_id = ${organizationId} and environment_id = ${environmentId}
          and payload->>'connectionId' in (select jsonb_array_elements_text(${JSON.stringify(subject.connectionIds)}::jsonb))
        returning 1
      )
    select (select count(*) from s)::int as "syncs", (select count(*) from r)::int as "syncRuns",
      (select count(*) from rec)::int as "records", (select count(*) from v)::int as "recordVersions",
      (select count(*) from c)::int as "conflicts", (select count(*) from m)::int as "metricPoints",
      (select count(*) from map)::int as "mappings"`,
  );
  return counts ?? none;
}
