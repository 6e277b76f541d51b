/**
 * One record, read and changed through the API. A change is a new version (the old one kept),
 * a feed entry, and — for fields that go back to the provider — a pending local change with its
 * export job, in one transaction.
 */
import { isDeepStrictEqual } from 'node:util';
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Clock } from '../../core/index.ts';
import type { Db } from '../../db/index.ts';
import { enqueueExport } from '../conflicts.ts';
import { getPath, setPath } from '../mapping/apply.ts';
import { records, recordVersions, type LocalChanges } from '../schema.ts';
import { lockRecords, type RecordTarget } from './store.ts';

export type StoredRecord = typeof records.$inferSelect;
export type RecordVersion = typeof recordVersions.$inferSelect;

const where = (t: RecordTarget & { externalId: string }) =>
  and(eq(records.environmentId, t.environmentId), eq(records.connectionId, t.connectionId), eq(records.model, t.model), eq(records.externalId, t.externalId), eq(records.organizationId, t.organizationId));

export async function getRecord(db: Db, target: RecordTarget & { externalId: string }): Promise<StoredRecord | undefined> {
  const [row] = await db.select().from(records).where(where(target));
  return row;
}

/** Earlier versions of a record, newest first. */
export async function listVersions(db: Db, target: RecordTarget & { externalId: string }, limit = 20): Promise<RecordVersion[]> {
  return db
    .select()
    .from(recordVersions)
    .where(
      and(
        eq(recordVersions.environmentId, target.environmentId),
        eq(recordVersions.connectionId, target.connectionId),
        eq(recordVersions.model, target.model),
        eq(recordVersions.externalId, target.externalId),
      ),
    )
    .orderBy(desc(recordVersions.version))
    .limit(limit);
}

export interface UpdateResult {
  record: StoredRecord;
  /** Fields whose value changed. */
  changed: string[];
  exportQueued: boolean;
}

/**
 * Sets fields of a live record (`changes`: field → value; fields not named keep their values).
 * Changed fields in `exported` become pending local changes and a write-back job is queued.
 * Returns undefined when there is no live record.
 */
export async function updateRecord(
  db: Db,
  target: RecordTarget & { externalId: string },
  changes: Readonly<Record<string, unknown>>,
  options: { exported: (field: string) => boolean; clock: Clock },
): Promise<UpdateResult | undefined> {
  return db.transaction(async (tx) => {
    await lockRecords(tx, target);
    const [current] = await tx.select().from(records).where(where(target));
    if (!current || current.deletedAt) return undefined;
    const now = options.clock.now();
    const data = structuredClone(current.data);
    const pending: LocalChanges = { ...(current.localChanges ?? {}) };
    const changed: string[] = [];
    for (const [field, value] of Object.entries(changes)) {
      const before = getPath(current.data, field);
      if (isDeepStrictEqual(before, value)) continue;
      changed.push(field);
      setPath(data, field, value);
      // `base` is the provider's value: an edit on top of an unconfirmed edit keeps the first base.
      if (options.exported(field)) pending[field] = { value, base: pending[field]?.base ?? before ?? null, at: now.toISOString() };
    }
    if (changed.length === 0) return { record: current, changed, exportQueued: false };
    await tx.insert(recordVersions).values({
      organizationId: target.organizationId,
      environmentId: target.environmentId,
      connectionId: target.connectionId,
      model: target.model,
      externalId: target.externalId,
      version: current.version,
      data: current.data,
      hash: current.hash,
      deletedAt: null,
      replacedByRunId: null,
      replacedAt: now,
    });
    const localChanges = Object.keys(pending).length > 0 ? pending : null;
    const [record] = await tx
      .update(records)
      .set({
        data,
        version: current.version + 1,
        localChanges,
        lastRunId: null,
        lastChange: 'UPDATED',
        changeTxid: sql`pg_current_xact_id()`,
        changeSeq: sql`nextval('record_change_seq')`,
      })
      .where(where(target))
      .returning();
    const exportQueued = changed.some(options.exported);
    if (exportQueued) await enqueueExport(tx, target, options.clock);
    return { record: record!, changed, exportQueued };
  });
}
