/**
 * A run's writes. Records wait in memory until a checkpoint follows them and at least a batch
 * (1,000 by default) has gathered; then records, deletions, the checkpoint and the run's counters
 * commit in one transaction. So a crash never leaves records without the checkpoint that follows
 * them, nor a checkpoint ahead of its records: a resumed run starts from the last checkpoint and
 * finds the records before it saved.
 *
 * A connector that never saves a checkpoint still gets its records written, every
 * `5 × batchSize`: records ahead of the checkpoint are only read again, never lost.
 *
 * Commits are pipelined: while one batch commits, the connector reads the next pages (at most
 * one commit in flight, so at most two batches in memory). Commits stay in order, and a failed
 * commit fails the next save, checkpoint or `flush` — nothing after it commits.
 */
import { and, eq, isNull, sql } from 'drizzle-orm';
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
  /** The commit in flight, if any, and the checkpoint it carries. */
  #inFlight: Promise<void> | undefined;
  #committing: { value: unknown } | undefined;
  #failed: unknown;

  constructor(private readonly options: RunWriterOptions) {}

  /** The checkpoint last saved by the connector (committed or not). */
  get checkpoint(): { value: unknown } | undefined {
    return this.#staged ?? this.#committing ?? this.#committed;
  }

  /** Starts from a checkpoint already committed (a resumed run). */
  resumeFrom(value: unknown): void {
    this.#committed = { value };
  }

  async save(records: readonly IncomingRecord[]): Promise<void> {
    for (const record of records) this.#records.push(record);
    if (this.#records.length >= this.options.batchSize * 5) await this.#startCommit();
  }

  async delete(externalIds: readonly string[]): Promise<void> {
    this.#deletes.push(...externalIds);
    if (this.#deletes.length >= this.options.batchSize * 5) await this.#startCommit();
  }

  async saveCheckpoint(value: unknown): Promise<void> {
    this.#staged = { value };
    if (this.#records.length + this.#deletes.length >= this.options.batchSize) await this.#startCommit();
  }

  /** Commits everything buffered, with the latest checkpoint, and waits; `phase` moves the run on in the same transaction. */
  async flush(phase?: RunPhase): Promise<void> {
    await this.#startCommit(phase);
    await this.#settle();
  }

  /** Waits for the commit in flight; its failure is thrown here, and at every later call. */
  async #settle(): Promise<void> {
    if (this.#failed) throw this.#failed;
    const inFlight = this.#inFlight;
    this.#inFlight = undefined;
    try {
      await inFlight;
    } catch (err) {
      this.#failed = err;
      throw err;
    }
  }

  /** The run stopped: lets the commit in flight end either way, so the run's state is settled. */
  async abandon(): Promise<void> {
    await this.#inFlight?.catch(() => undefined);
    this.#inFlight = undefined;
  }

  /** Takes the buffer into a commit, once the previous commit has succeeded; does not wait for it. */
  async #startCommit(phase?: RunPhase): Promise<void> {
    await this.#settle();
    const records = this.#records;
    const deletes = this.#deletes;
    const staged = this.#staged;
    this.#records = [];
    this.#deletes = [];
    this.#staged = undefined;
    if (staged) this.#committing = staged;
    const commit = this.#commit(records, deletes, staged, phase);
    // Observed at once so an early failure is not "unhandled"; thrown at the next settle.
    commit.catch(() => undefined);
    this.#inFlight = commit;
  }

  async #commit(records: IncomingRecord[], deletes: string[], staged: { value: unknown } | undefined, phase: RunPhase | undefined): Promise<void> {
    const { db, clock, target, runId, syncId, full, mapping } = this.options;
    const progress = this.options.progress();
    const now = clock.now();
    const delta: Totals = { added: 0, updated: 0, unchanged: 0, deleted: 0, conflicts: 0 };
    await db.transaction(async (tx) => {
      await lockRecords(tx, target);
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
      // The run's progress, written only while it still runs: a cancelled run commits nothing more.
      const [running] = await tx
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
        .where(and(eq(syncRuns.id, runId), eq(syncRuns.status, 'running'), isNull(syncRuns.cancelRequestedAt)))
        .returning({ id: syncRuns.id });
      if (!running) throw new SyncCancelledError();
      // An incremental run moves the sync's position with every commit: progress survives a later failure.
      if (staged && !full) await tx.update(syncs).set({ checkpoint: staged.value, updatedAt: now }).where(eq(syncs.id, syncId));
    });
    // A failed commit leaves nothing half-written, and nothing after it commits (settle throws).
    if (staged) {
      this.#committed = staged;
      if (this.#committing === staged) this.#committing = undefined;
    }
    this.#written = progress;
    for (const key of Object.keys(delta) as (keyof Totals)[]) this.totals[key] += delta[key];
  }
}
