/**
 * Record writes, in the caller's transaction, a batch per statement. Every writer of a
 * connection's records first takes that connection's advisory lock (`lockRecords`), so changes
 * of one connection commit in the order of their feed numbers.
 *
 * Invariants:
 * - A record whose content hash (md5 of its JSON) did not change keeps its version and feed
 *   position; only a full run marks it seen.
 * - Every replaced version is kept in `record_versions` with the run that replaced it, in the
 *   same statement as the change: a rollback can always find what was there before.
 */
import { sql } from 'drizzle-orm';
import { rows, type Db } from '../../db/index.ts';
import type { Scope } from '../connections.ts';

/** Advisory lock namespace for record writes (any fixed number unused elsewhere). */
const RECORDS_LOCK = 724_191_700;

export interface RecordTarget extends Scope {
  connectionId: string;
  model: string;
}

export interface IncomingRecord {
  externalId: string;
  data: Readonly<Record<string, unknown>>;
  /** The provider's modification time (ISO 8601). */
  updatedAt?: string | undefined;
}

export interface SaveOptions {
  /** The run making the change (null: the API). */
  runId: string | null;
  /** A full run: unchanged records are marked seen by it. */
  full: boolean;
  /** Keep fields the incoming data does not carry (export-only fields of a mapping). */
  merge: boolean;
  now: Date;
}

export interface SaveResult {
  added: number;
  updated: number;
  unchanged: number;
  /** Records with Patchbay-side edits pending: not written; the caller resolves the conflicts. */
  held: string[];
}

/** Serialises record writes of one connection until the transaction ends. */
export async function lockRecords(tx: Db, target: Pick<RecordTarget, 'environmentId' | 'connectionId'>): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${RECORDS_LOCK}, hashtext(${target.environmentId} || '/' || ${target.connectionId}))`);
}

/** Last occurrence wins: a statement may not change one row twice. */
function lastById<T extends { externalId: string }>(items: readonly T[]): T[] {
  const byId = new Map<string, T>();
  for (const item of items) byId.set(item.externalId, item);
  return [...byId.values()];
}

/**
 * Upserts a batch: new records are ADDED, changed ones UPDATED (the old version kept), unchanged
 * ones left alone. Call `lockRecords` first in the same transaction.
 */
export async function saveRecords(tx: Db, target: RecordTarget, incoming: readonly IncomingRecord[], options: SaveOptions): Promise<SaveResult> {
  const batch = lastById(incoming).map((r) => ({ external_id: r.externalId, data: r.data, updated_at: r.updatedAt ?? null }));
  if (batch.length === 0) return { added: 0, updated: 0, unchanged: 0, held: [] };
  const { organizationId: org, environmentId: env, connectionId: conn, model } = target;
  const now = options.now.toISOString();
  const run = options.runId;
  // Changed: deleted before, or new content that is not what the record holds already (an edit
  // written back and now read again is new content from the provider, but no change).
  const newData = options.merge ? sql`r.data || excluded.data` : sql`excluded.data`;
  const changed = sql`(r.deleted_at is not null or (r.hash <> excluded.hash and ${newData} is distinct from r.data))`;
  const priorNew = options.merge ? sql`p.data || h.data` : sql`h.data`;
  const [result] = await rows<{ added: number; updated: number; held: string[] }>(
    tx,
    sql`with hashed as (
      select i.external_id, i.data, md5(i.data::text) as hash, i.updated_at
      from jsonb_to_recordset(${JSON.stringify(batch)}::jsonb) as i(external_id text, data jsonb, updated_at timestamptz)
    ), prior as (
      -- One primary-key probe per incoming record. A plain join lets the planner, misled by
      -- statistics taken before a large first sync, scan the connection's records every batch.
      select r.external_id, r.version, r.data, r.hash, r.deleted_at, r.local_changes is not null as held
      from hashed h cross join lateral (
        select r.external_id, r.version, r.data, r.hash, r.deleted_at, r.local_changes from records r
        where r.environment_id = ${env} and r.connection_id = ${conn} and r.model = ${model} and r.external_id = h.external_id
        limit 1
      ) r
    ), history as (
      insert into record_versions (organization_id, environment_id, connection_id, model, external_id, version, data, hash, deleted_at, replaced_by_run_id, replaced_at)
      select ${org}::text, ${env}::text, ${conn}::text, ${model}::text, p.external_id, p.version, p.data, p.hash, p.deleted_at, ${run}::text, ${now}::timestamptz
      from prior p join hashed h on h.external_id = p.external_id
      where not p.held and (p.deleted_at is not null or (p.hash <> h.hash and ${priorNew} is distinct from p.data))
    ), saved as (
      insert into records as r (organization_id, environment_id, connection_id, model, external_id, data, hash, version, provider_updated_at,
        first_seen_at, last_seen_at, created_run_id, last_run_id, seen_run_id, last_change)
      select ${org}::text, ${env}::text, ${conn}::text, ${model}::text, h.external_id, h.data, h.hash, 1, h.updated_at, ${now}::timestamptz, ${now}::timestamptz, ${run}::text, ${run}::text, ${run}::text, 'ADDED'
      from hashed h
      where not exists (select 1 from prior p where p.external_id = h.external_id and p.held)
      on conflict (environment_id, connection_id, model, external_id) do update set
        data = case when ${changed} then ${newData} else r.data end,
        hash = excluded.hash,
        version = case when ${changed} then r.version + 1 else r.version end,
        provider_updated_at = coalesce(excluded.provider_updated_at, r.provider_updated_at),
        last_seen_at = excluded.last_seen_at,
        seen_run_id = case when ${options.full}::boolean then excluded.seen_run_id else r.seen_run_id end,
        deleted_at = null,
        last_run_id = case when ${changed} then excluded.last_run_id else r.last_run_id end,
        last_change = case when r.deleted_at is not null then 'ADDED' when ${changed} then 'UPDATED' else r.last_change end,
        change_txid = case when ${changed} then pg_current_xact_id() else r.change_txid end,
        change_seq = case when ${changed} then nextval('record_change_seq') else r.change_seq end
      where r.hash <> excluded.hash or r.deleted_at is not null or ${options.full}::boolean
      returning r.external_id, r.version
    )
    select
      (select count(*)::int from saved s left join prior p on p.external_id = s.external_id where p.external_id is null or p.deleted_at is not null) as added,
      (select count(*)::int from saved s join prior p on p.external_id = s.external_id where p.deleted_at is null and s.version > p.version) as updated,
      (select coalesce(jsonb_agg(external_id), '[]'::jsonb) from prior where held) as held`,
  );
  const added = result?.added ?? 0;
  const updated = result?.updated ?? 0;
  const held = result?.held ?? [];
  return { added, updated, unchanged: batch.length - added - updated - held.length, held };
}

/** Marks records deleted (the provider deleted them); returns how many were live. */
export async function deleteRecords(tx: Db, target: RecordTarget, externalIds: readonly string[], runId: string | null, now: Date): Promise<number> {
  if (externalIds.length === 0) return 0;
  return markDeleted(tx, target, sql`r.external_id in (select jsonb_array_elements_text(${JSON.stringify([...new Set(externalIds)])}::jsonb))`, runId, now);
}

/** After a full run: deletes up to `limit` live records the run did not see. */
export async function deleteUnseen(tx: Db, target: RecordTarget, runId: string, now: Date, limit: number): Promise<number> {
  return markDeleted(tx, target, sql`r.seen_run_id is distinct from ${runId}`, runId, now, limit);
}

async function markDeleted(tx: Db, target: RecordTarget, where: ReturnType<typeof sql>, runId: string | null, now: Date, limit?: number): Promise<number> {
  const { organizationId: org, environmentId: env, connectionId: conn, model } = target;
  const at = now.toISOString();
  const [result] = await rows<{ deleted: number }>(
    tx,
    sql`with target as (
      select r.external_id, r.version, r.data, r.hash from records r
      where r.environment_id = ${env} and r.connection_id = ${conn} and r.model = ${model} and r.deleted_at is null and ${where}
      ${limit === undefined ? sql`` : sql`limit ${limit}`}
    ), history as (
      insert into record_versions (organization_id, environment_id, connection_id, model, external_id, version, data, hash, deleted_at, replaced_by_run_id, replaced_at)
      select ${org}::text, ${env}::text, ${conn}::text, ${model}::text, t.external_id, t.version, t.data, t.hash, null, ${runId}::text, ${at}::timestamptz from target t
    ), gone as (
      update records r set deleted_at = ${at}::timestamptz, version = r.version + 1, last_run_id = ${runId}::text, local_changes = null,
        last_change = 'DELETED', change_txid = pg_current_xact_id(), change_seq = nextval('record_change_seq')
      from target t where r.environment_id = ${env} and r.connection_id = ${conn} and r.model = ${model} and r.external_id = t.external_id
      returning 1
    )
    select count(*)::int as deleted from gone`,
  );
  return result?.deleted ?? 0;
}

/** How many live records a connection has for a model. */
export async function countLive(db: Db, target: RecordTarget): Promise<number> {
  const [row] = await rows<{ n: number }>(
    db,
    sql`select count(*)::int as n from records
      where environment_id = ${target.environmentId} and connection_id = ${target.connectionId} and model = ${target.model} and deleted_at is null`,
  );
  return row?.n ?? 0;
}

export interface RevertResult {
  /** Records the run created, deleted again. */
  removed: number;
  /** Records the run changed or deleted, back to their version before it. */
  restored: number;
}

/**
 * Puts every record `runId` touched back as it was before that run, as new versions made by
 * `revertingRunId` (so the feed reports the revert and it can itself be traced). Call
 * `lockRecords` first.
 */
export async function revertRun(tx: Db, target: RecordTarget, runId: string, revertingRunId: string, now: Date): Promise<RevertResult> {
  const { organizationId: org, environmentId: env, connectionId: conn, model } = target;
  const removed = await markDeleted(tx, target, sql`r.created_run_id = ${runId}`, revertingRunId, now);
  const at = now.toISOString();
  const [result] = await rows<{ restored: number }>(
    tx,
    sql`with before as (
      select distinct on (v.external_id) v.external_id, v.data, v.hash, v.deleted_at
      from record_versions v
      where v.environment_id = ${env} and v.connection_id = ${conn} and v.model = ${model} and v.replaced_by_run_id = ${runId}
      order by v.external_id, v.version
    ), current as (
      select r.external_id, r.version, r.data, r.hash, r.deleted_at from records r join before b on b.external_id = r.external_id
      where r.environment_id = ${env} and r.connection_id = ${conn} and r.model = ${model} and r.created_run_id is distinct from ${runId}
    ), history as (
      insert into record_versions (organization_id, environment_id, connection_id, model, external_id, version, data, hash, deleted_at, replaced_by_run_id, replaced_at)
      select ${org}::text, ${env}::text, ${conn}::text, ${model}::text, c.external_id, c.version, c.data, c.hash, c.deleted_at, ${revertingRunId}::text, ${at}::timestamptz from current c
    ), restored as (
      update records r set data = b.data, hash = b.hash, deleted_at = b.deleted_at, version = r.version + 1, last_run_id = ${revertingRunId}::text,
        local_changes = null,
        last_change = case when b.deleted_at is not null then 'DELETED' when r.deleted_at is not null then 'ADDED' else 'UPDATED' end,
        change_txid = pg_current_xact_id(), change_seq = nextval('record_change_seq')
      from before b join current c on c.external_id = b.external_id
      where r.environment_id = ${env} and r.connection_id = ${conn} and r.model = ${model} and r.external_id = b.external_id
      returning 1
    )
    select count(*)::int as restored from restored`,
  );
  return { removed, restored: result?.restored ?? 0 };
}
