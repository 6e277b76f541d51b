/**
 * A run's writes. Records wait in memory until a checkpoint follows them and at least a batch
 * (1,000 by default) has gathered; then records, deletions, the checkpoint and the run's counters
 * commit in one transaction. So a crash never leaves records without the checkpoint that follows
 * them, nor a checkpoint ahead of its records: a resumed run starts from the last checkpoint and
 * finds the records before it saved.
 *
 * A connector that never saves a checkpoint still gets its records written, every
 * `5 × batchSize`: records ahead of the checkpoint are only read again, never lost.
 */
import { eq, sql } from 'drizzle-orm';
import type { Clock } from '../../core/index.ts';
import type { Db } from '../../db/index.ts';
import { deleteRecords, lockRecords, saveRecords, type IncomingRecord, type RecordTarget } from '../records/store.ts';
import { syncRuns, syncs, type RunPhase } from '../schema.ts';
import { SyncCancelledError } from './errors.ts';

export interface RunMapping {
  /** Provider data → the record Patchbay keeps. */
  toPatchbay(data: Readonly<Record<string, unknown>>): Record<string, unknown>;
  /** Keep fields the provider does not send (a mapping's export-only fields). */
  merge: boolean;
  /** Records with Patchbay-side edits pending, and what the provider sent now: the conflicts. */
  resolveHeld(tx: Db, target: RecordTarget, held: IncomingRecord[], runId: string, now: Date): Promise<{ updated: number; conflicts: number }>;
}

export interface RunWriterOptions {
  db: Db;
  clock: Clock;
  target: RecordTarget;
  runId: string;
  syncId: string;
  full: boolean;
  batchSize: number;
  mapping: RunMapping | undefined;
  /** Totals so far (pages read, provider calls), written as progress with each commit. */
  progress(): { pages: number; providerCalls: number };
}

export interface Totals {
  added: number;
  updated: number;
  unchanged: number;
  deleted: number;
  conflicts: number;
}

const STATEMENT_ROWS = 5_000;

export class RunWriter {
  #records: IncomingRecord[] = [];
  #deletes: string[] = [];
  #staged: { value: unknown } | undefined;
  #committed: { value: unknown } | undefined;
  #written = { pages: 0, providerCalls: 0 };
  readonly totals: Totals = { added: 0, updated: 0, unchanged: 0, deleted: 0, conflicts: 0 };

  constructor(private readonly options: RunWriterOptions) {}

  /** The checkpoint last saved by the connector (committed or not). */
  get checkpoint(): { value: unknown } | undefined {
    return this.#staged ?? this.#committed;
  }

  /** Starts from a checkpoint already committed (a resumed run). */
  resumeFrom(value: unknown): void {
    this.#committed = { value };
  }

  async save(records: readonly IncomingRecord[]): Promise<void> {
    for (const record of records) this.#records.push(record);
    if (this.#records.length >= this.options.batchSize * 5) await this.flush();
  }

  async delete(externalIds: readonly string[]): Promise<void> {
    this.#deletes.push(...externalIds);
    if (this.#deletes.length >= this.options.batchSize * 5) await this.flush();
  }

  async saveCheckpoint(value: unknown): Promise<void> {
    this.#staged = { value };
    if (this.#records.length + this.#deletes.length >= this.options.batchSize) await this.flush();
  }

  /** Commits what is buffered, with the latest checkpoint; `phase` moves the run on in the same transaction. */
  async flush(phase?: RunPhase): Promise<void> {
    const { db, clock, target, runId, syncId, full, mapping } = this.options;
    const records = this.#records;
    const deletes = this.#deletes;
    const staged = this.#staged;
    const progress = this.options.progress();
    const now = clock.now();
    const delta: Totals = { added: 0, updated: 0, unchanged: 0, deleted: 0, conflicts: 0 };
    await db.transaction(async (tx) => {
      await lockRecords(tx, target);
      const [run] = await tx
        .select({ status: syncRuns.status, cancelRequestedAt: syncRuns.cancelRequestedAt })
        .from(syncRuns)
        .where(eq(syncRuns.id, runId))
        .for('update');
      if (!run || run.status !== 'running' || run.cancelRequestedAt) throw new SyncCancelledError();
      for (let i = 0; i < records.length; i += STATEMENT_ROWS) {
        const saved = await saveRecords(tx, target, records.slice(i, i + STATEMENT_ROWS), { runId, full, merge: mapping?.merge ?? false, now });
        delta.added += saved.added;
        delta.updated += saved.updated;
        delta.unchanged += saved.unchanged;
        if (saved.held.length > 0 && mapping) {
          const held = new Set(saved.held);
          const outcome = await mapping.resolveHeld(tx, target, records.slice(i, i + STATEMENT_ROWS).filter((r) => held.has(r.externalId)), runId, now);
          delta.updated += outcome.updated;
          delta.conflicts += outcome.conflicts;
        }
      }
      if (deletes.length > 0) delta.deleted += await deleteRecords(tx, target, deletes, runId, now);
      await tx
        .update(syncRuns)
        .set({
          ...(staged ? { checkpoint: staged.value } : {}),
          ...(phase ? { phase } : {}),
          pages: sql`${syncRuns.pages} + ${progress.pages - this.#written.pages}`,
          providerCalls: sql`${syncRuns.providerCalls} + ${progress.providerCalls - this.#written.providerCalls}`,
          added: sql`${syncRuns.added} + ${delta.added}`,
          updated: sql`${syncRuns.updated} + ${delta.updated}`,
          unchanged: sql`${syncRuns.unchanged} + ${delta.unchanged}`,
          deleted: sql`${syncRuns.deleted} + ${delta.deleted}`,
          conflicts: sql`${syncRuns.conflicts} + ${delta.conflicts}`,
          updatedAt: now,
        })
        .where(eq(syncRuns.id, runId));
      // An incremental run moves the sync's position with every commit: progress survives a later failure.
      if (staged && !full) await tx.update(syncs).set({ checkpoint: staged.value, updatedAt: now }).where(eq(syncs.id, syncId));
    });
    // Only once committed does the buffer empty: a failed commit leaves nothing half-written.
    this.#records = this.#records.slice(records.length);
    this.#deletes = this.#deletes.slice(deletes.length);
    if (staged && this.#staged === staged) {
      this.#committed = staged;
      this.#staged = undefined;
    }
    this.#written = progress;
    for (const key of Object.keys(delta) as (keyof Totals)[]) this.totals[key] += delta[key];
  }
}
