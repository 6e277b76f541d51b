/**
 * Conflicts: a field changed in Patchbay (not yet confirmed by the provider) that the provider
 * changed too. When a sync brings such a record, each of its pending fields is settled:
 *
 * - the provider now has Patchbay's value → confirmed;
 * - the provider still has the value it had when Patchbay's edit was made → Patchbay's edit stays
 *   (it is still to be written back);
 * - otherwise it is a conflict, settled by the field's rule (`{ field, prioritySource,
 *   mergeStrategy }`) or the mapping's strategy: `last_modified` (the later change wins, by the
 *   edit's time and the provider's modification time), `source_priority` (the named side wins),
 *   `manual_review` (kept for a person to accept or reject; Patchbay's value stays meanwhile and
 *   is not written back).
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import { isDeepStrictEqual } from 'node:util';
import { newId, type Clock } from '../core/index.ts';
import { rows, type Db } from '../db/index.ts';
import { enqueue } from '../queue/index.ts';
import type { Scope } from './connections.ts';
import { getPath, setPath } from './mapping/apply.ts';
import type { ConflictRule } from './mapping/types.ts';
import type { IncomingRecord, RecordTarget } from './records/store.ts';
import { lockRecords } from './records/store.ts';
import { conflicts, records, type ConflictStrategy, type LocalChanges, type Source } from './schema.ts';

export type Conflict = typeof conflicts.$inferSelect;

export const EXPORT_JOB = 'records.export';

export interface ConflictPolicy {
  strategy: ConflictStrategy;
  sourcePriority: Source;
  rules: readonly ConflictRule[];
  /** Keep fields the provider does not send. */
  merge: boolean;
}

export const DEFAULT_POLICY: ConflictPolicy = { strategy: 'last_modified', sourcePriority: 'provider', rules: [], merge: false };

/** Queues the write-back of a record's pending fields (one job per record at a time). */
export async function enqueueExport(tx: Db, target: RecordTarget & { externalId: string }, clock: Clock): Promise<void> {
  await enqueue(
    tx,
    {
      type: EXPORT_JOB,
      payload: { connectionId: target.connectionId, model: target.model, externalId: target.externalId },
      key: `export:${target.environmentId}:${target.connectionId}:${target.model}:${target.externalId}`,
      organizationId: target.organizationId,
      environmentId: target.environmentId,
    },
    { clock },
  );
}

function combine(strategy: ConflictRule['mergeStrategy'], winner: Source, patchbay: unknown, provider: unknown): unknown {
  const [win, lose] = winner === 'patchbay' ? [patchbay, provider] : [provider, patchbay];
  if (strategy === 'append') {
    if (Array.isArray(win) && Array.isArray(lose)) return [...lose, ...win.filter((v) => !lose.some((l) => isDeepStrictEqual(l, v)))];
    if (typeof win === 'string' && typeof lose === 'string') return lose === '' ? win : win === '' ? lose : `${lose}\n${win}`;
  }
  if (strategy === 'merge' && isPlainObject(win) && isPlainObject(lose)) return deepMerge(lose, win);
  return win;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isPlainObject(v) && isPlainObject(out[k]) ? deepMerge(out[k] as Record<string, unknown>, v) : v;
  return out;
}

interface HeldRow {
  external_id: string;
  data: Record<string, unknown>;
  version: number;
  hash: string;
  deleted_at: Date | string | null;
  local_changes: LocalChanges;
}

/**
 * Settles records with pending Patchbay edits against what the provider sent (already mapped).
 * Runs in the sync's write transaction, after `lockRecords`.
 */
export async function resolveHeld(
  tx: Db,
  target: RecordTarget,
  held: readonly IncomingRecord[],
  policy: ConflictPolicy,
  runId: string,
  now: Date,
  clock: Clock,
): Promise<{ updated: number; conflicts: number }> {
  let updated = 0;
  let found = 0;
  const ids = held.map((r) => r.externalId);
  const current = await rows<HeldRow>(
    tx,
    sql`select external_id, data, version, hash, deleted_at, local_changes from records
      where environment_id = ${target.environmentId} and connection_id = ${target.connectionId} and model = ${target.model}
        and external_id in (select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))`,
  );
  const byId = new Map(current.map((r) => [r.external_id, r]));
  for (const incoming of held) {
    const row = byId.get(incoming.externalId);
    if (!row) continue;
    const pending: LocalChanges = { ...row.local_changes };
    const next: Record<string, unknown> = policy.merge ? { ...row.data, ...incoming.data } : { ...incoming.data };
    const providerTime = incoming.updatedAt ? Date.parse(incoming.updatedAt) : now.getTime();
    let needsExport = false;
    for (const [field, local] of Object.entries(row.local_changes)) {
      const provider = getPath(incoming.data, field);
      if (isDeepStrictEqual(provider, local.value)) {
        delete pending[field];
        continue;
      }
      if (provider === undefined || isDeepStrictEqual(provider, local.base)) {
        setPath(next, field, local.value);
        needsExport = true;
        continue;
      }
      found++;
      const rule = policy.rules.find((r) => r.field === field);
      if (!rule && policy.strategy === 'manual_review') {
        await tx
          .insert(conflicts)
          .values({
            id: newId('cfl'),
            ...target,
            externalId: incoming.externalId,
            field,
            patchbayValue: local.value ?? null,
            providerValue: provider ?? null,
            patchbayModifiedAt: new Date(local.at),
            providerModifiedAt: incoming.updatedAt ? new Date(incoming.updatedAt) : null,
            runId,
          })
          .onConflictDoUpdate({
            target: [conflicts.environmentId, conflicts.connectionId, conflicts.model, conflicts.externalId, conflicts.field],
            targetWhere: sql`status = 'pending'`,
            set: { providerValue: provider ?? null, providerModifiedAt: incoming.updatedAt ? new Date(incoming.updatedAt) : null, runId },
          });
        setPath(next, field, local.value);
        continue;
      }
      const winner: Source = rule
        ? rule.prioritySource
        : policy.strategy === 'source_priority'
          ? policy.sourcePriority
          : Date.parse(local.at) >= providerTime
            ? 'patchbay'
            : 'provider';
      const value = combine(rule?.mergeStrategy ?? 'overwrite', winner, local.value, provider);
      setPath(next, field, value);
      if (isDeepStrictEqual(value, provider)) delete pending[field];
      else {
        pending[field] = { value, base: provider, at: now.toISOString() };
        needsExport = true;
      }
    }
    const changed = !isDeepStrictEqual(next, row.data) || row.deleted_at !== null;
    const localChanges = Object.keys(pending).length > 0 ? pending : null;
    await writeSettled(tx, target, incoming, row, next, localChanges, changed, runId, now);
    if (changed) updated++;
    if (needsExport) await enqueueExport(tx, { ...target, externalId: incoming.externalId }, clock);
  }
  return { updated, conflicts: found };
}

async function writeSettled(
  tx: Db,
  target: RecordTarget,
  incoming: IncomingRecord,
  row: HeldRow,
  data: Record<string, unknown>,
  localChanges: LocalChanges | null,
  changed: boolean,
  runId: string,
  now: Date,
): Promise<void> {
  const { organizationId: org, environmentId: env, connectionId: conn, model } = target;
  const at = now.toISOString();
  if (changed) {
    await tx.execute(sql`insert into record_versions (organization_id, environment_id, connection_id, model, external_id, version, data, hash, deleted_at, replaced_by_run_id, replaced_at)
      values (${org}, ${env}, ${conn}, ${model}, ${incoming.externalId}, ${row.version}, ${JSON.stringify(row.data)}::jsonb, ${row.hash}, ${row.deleted_at === null ? null : new Date(row.deleted_at).toISOString()}::timestamptz, ${runId}, ${at}::timestamptz)`);
  }
  await tx.execute(sql`update records set
      data = ${JSON.stringify(data)}::jsonb,
      hash = md5(${JSON.stringify(incoming.data)}::jsonb::text),
      local_changes = ${localChanges === null ? null : JSON.stringify(localChanges)}::jsonb,
      provider_updated_at = coalesce(${incoming.updatedAt ?? null}::timestamptz, provider_updated_at),
      last_seen_at = ${at}::timestamptz,
      seen_run_id = ${runId}
      ${changed ? sql`, version = version + 1, deleted_at = null, last_run_id = ${runId}, last_change = case when deleted_at is not null then 'ADDED' else 'UPDATED' end,
        change_txid = pg_current_xact_id(), change_seq = nextval('record_change_seq')` : sql``}
    where environment_id = ${env} and connection_id = ${conn} and model = ${model} and external_id = ${incoming.externalId}`);
}

export async function listConflicts(
  db: Db,
  scope: Scope,
  filter: { status?: Conflict['status'] | undefined; connectionId?: string | undefined; limit: number; after?: string | undefined },
): Promise<Conflict[]> {
  return db
    .select()
    .from(conflicts)
    .where(
      and(
        eq(conflicts.organizationId, scope.organizationId),
        eq(conflicts.environmentId, scope.environmentId),
        filter.status ? eq(conflicts.status, filter.status) : undefined,
        filter.connectionId ? eq(conflicts.connectionId, filter.connectionId) : undefined,
        filter.after ? sql`${conflicts.id} > ${filter.after}` : undefined,
      ),
    )
    .orderBy(asc(conflicts.id))
    .limit(filter.limit);
}

export async function getConflict(db: Db, scope: Scope, id: string): Promise<Conflict | undefined> {
  const [row] = await db
    .select()
    .from(conflicts)
    .where(and(eq(conflicts.id, id), eq(conflicts.organizationId, scope.organizationId), eq(conflicts.environmentId, scope.environmentId)));
  return row;
}

export class ConflictStateError extends Error {
  constructor(readonly status: string) {
    super(`The conflict was ${status} already.`);
    this.name = 'ConflictStateError';
  }
}

/**
 * A person's decision: `accept` takes the provider's value (Patchbay's edit is dropped);
 * `reject` keeps Patchbay's value and writes it back to the provider.
 */
export async function resolveConflict(
  db: Db,
  scope: Scope,
  id: string,
  resolution: 'accept' | 'reject',
  by: string | null,
  clock: Clock,
): Promise<Conflict | undefined> {
  return db.transaction(async (tx) => {
    const [conflict] = await tx
      .select()
      .from(conflicts)
      .where(and(eq(conflicts.id, id), eq(conflicts.organizationId, scope.organizationId), eq(conflicts.environmentId, scope.environmentId)))
      .for('update');
    if (!conflict) return undefined;
    if (conflict.status !== 'pending') throw new ConflictStateError(conflict.status);
    const target = { ...scope, connectionId: conflict.connectionId, model: conflict.model };
    await lockRecords(tx, target);
    const now = clock.now();
    const [record] = await tx
      .select()
      .from(records)
      .where(and(eq(records.environmentId, scope.environmentId), eq(records.connectionId, conflict.connectionId), eq(records.model, conflict.model), eq(records.externalId, conflict.externalId)));
    if (record) {
      const pending: LocalChanges = { ...(record.localChanges ?? {}) };
      const data = structuredClone(record.data);
      if (resolution === 'accept') {
        setPath(data, conflict.field, conflict.providerValue);
        delete pending[conflict.field];
      } else {
        pending[conflict.field] = { value: conflict.patchbayValue, base: conflict.providerValue, at: now.toISOString() };
      }
      const changed = !isDeepStrictEqual(data, record.data);
      if (changed) {
        await tx.execute(sql`insert into record_versions (organization_id, environment_id, connection_id, model, external_id, version, data, hash, deleted_at, replaced_by_run_id, replaced_at)
          values (${scope.organizationId}, ${scope.environmentId}, ${conflict.connectionId}, ${conflict.model}, ${conflict.externalId}, ${record.version}, ${JSON.stringify(record.data)}::jsonb, ${record.hash}, null, null, ${now.toISOString()}::timestamptz)`);
      }
      await tx
        .update(records)
        .set({
          data,
          localChanges: Object.keys(pending).length > 0 ? pending : null,
          ...(changed
            ? { version: record.version + 1, lastRunId: null, lastChange: 'UPDATED', changeTxid: sql`pg_current_xact_id()`, changeSeq: sql`nextval('record_change_seq')` }
            : {}),
        })
        .where(and(eq(records.environmentId, scope.environmentId), eq(records.connectionId, conflict.connectionId), eq(records.model, conflict.model), eq(records.externalId, conflict.externalId)));
      if (resolution === 'reject') await enqueueExport(tx, { ...target, externalId: conflict.externalId }, clock);
    }
    const [resolved] = await tx
      .update(conflicts)
      .set({ status: resolution === 'accept' ? 'accepted' : 'rejected', resolvedAt: now, resolvedBy: by })
      .where(eq(conflicts.id, id))
      .returning();
    return resolved;
  });
}

/** Fields of a record held for review: the export leaves them alone. */
export async function fieldsUnderReview(db: Db, target: RecordTarget & { externalId: string }): Promise<Set<string>> {
  const pending = await db
    .select({ field: conflicts.field })
    .from(conflicts)
    .where(
      and(
        eq(conflicts.environmentId, target.environmentId),
        eq(conflicts.connectionId, target.connectionId),
        eq(conflicts.model, target.model),
        eq(conflicts.externalId, target.externalId),
        eq(conflicts.status, 'pending'),
      ),
    );
  return new Set(pending.map((p) => p.field));
}
