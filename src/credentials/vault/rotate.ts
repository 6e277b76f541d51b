/**
 * Master-key rotation: re-wraps every data key that is not under the current master key, while
 * the hub keeps serving. Each batch is one short transaction that claims rows with
 * `FOR UPDATE SKIP LOCKED`, so it never waits on (or blocks for long) a request replacing a
 * secret; a row that was locked is picked up by a later pass. Values are not re-encrypted, only
 * their 60-byte wrapped keys, so a batch of 100 takes milliseconds.
 *
 * Readers are never blocked: a row is readable under its old key until its batch commits and
 * under the new key after, as long as both keys are configured — which is why every process must
 * run with the new key listed first (and the old one after it) before rotation starts.
 */
import { and, eq, gt, ne, sql } from 'drizzle-orm';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger, type Logger } from '../../core/index.ts';
import { rows, type Db } from '../../db/index.ts';
import { secrets } from '../schema.ts';
import { rewrapDataKey } from './crypto.ts';
import { MasterKeyNotConfiguredError } from './errors.ts';
import { keyringOf, type Vault } from './vault.ts';

export interface RotateOptions {
  /** Rows per transaction. Default 100. */
  batchSize?: number;
  logger?: Logger;
  /** After every batch: for a progress bar (`total` is counted once, at the start). */
  onProgress?: (progress: { rewrapped: number; total: number }) => void;
  /** Passes over rows other transactions held locked before giving up on them. Default 50. */
  lockedPasses?: number;
  /** Pause between such passes. Default 100 ms. */
  passDelayMs?: number;
  signal?: AbortSignal;
}

export interface RotationReport {
  currentKeyId: string;
  /** Data keys re-wrapped by this run, in total and by the key they were under. */
  rewrapped: number;
  fromKeys: Record<string, number>;
  batches: number;
  /** Secrets whose data key would not unwrap (altered rows): left as they were, listed by id. */
  failed: string[];
  /** Still under an older key at the end: rows locked throughout, or sealed meanwhile by a process not yet on the new key. */
  remaining: number;
  /** Secrets per master key id after the run: an id absent here can be dropped from PATCHBAY_SECRET_KEYS. */
  keysInUse: Record<string, number>;
}

/** How many secrets each master key wraps. */
export async function keyUsage(db: Db): Promise<Record<string, number>> {
  const found = await rows<{ master_key_id: string; n: number }>(
    db,
    sql`select ${secrets.masterKeyId} as master_key_id, count(*)::int as n from ${secrets} group by 1 order by 1`,
  );
  return Object.fromEntries(found.map((r) => [r.master_key_id, r.n]));
}

/**
 * @example
 * const report = await rotateMasterKey(db, vault, { batchSize: 200, onProgress: (p) => bar.update(p.rewrapped) });
 * if (report.remaining === 0 && report.failed.length === 0) console.log('old keys can be dropped:', report.keysInUse);
 */
export async function rotateMasterKey(db: Db, vault: Vault, options: RotateOptions = {}): Promise<RotationReport> {
  const keyring = keyringOf(vault);
  const current = keyring.current;
  const batchSize = options.batchSize ?? 100;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive whole number, got ${batchSize}`);
  const logger = options.logger ?? silentLogger;

  // Refuse before touching anything when some rows are under a key we do not have.
  const before = await keyUsage(db);
  const missing = Object.keys(before).filter((id) => !keyring.has(id));
  if (missing.length > 0) {
    const count = missing.reduce((n, id) => n + before[id]!, 0);
    throw new MasterKeyNotConfiguredError(missing, `${count} secret${count === 1 ? ' is' : 's are'}`);
  }

  const report: RotationReport = { currentKeyId: current.id, rewrapped: 0, fromKeys: {}, batches: 0, failed: [], remaining: 0, keysInUse: {} };
  const failed = new Set<string>();
  const countRemaining = async () => {
    const [row] = await rows<{ n: number }>(db, sql`select count(*)::int as n from ${secrets} where ${secrets.masterKeyId} <> ${current.id}`);
    return row!.n - failed.size;
  };
  const total = Object.entries(before).reduce((n, [id, count]) => (id === current.id ? n : n + count), 0);
  logger.info({ currentKeyId: current.id, keysInUse: before }, 'master-key rotation started');

  for (let pass = 0; ; pass++) {
    // One pass walks the ids in order; rows skipped because they were locked wait for the next.
    let cursor = '';
    for (;;) {
      options.signal?.throwIfAborted();
      const batch = await db.transaction(async (tx) => {
        const claimed = await tx
          .select({ id: secrets.id, masterKeyId: secrets.masterKeyId, wrappedKey: secrets.wrappedKey })
          .from(secrets)
          .where(and(ne(secrets.masterKeyId, current.id), gt(secrets.id, cursor)))
          .orderBy(secrets.id)
          .limit(batchSize)
          .for('update', { skipLocked: true });
        const now = new Date();
        for (const row of claimed) {
          let wrappedKey: Buffer;
          try {
            wrappedKey = rewrapDataKey(keyring.get(row.masterKeyId, row.id), current, row.wrappedKey, row.id);
          } catch (err) {
            if (err instanceof MasterKeyNotConfiguredError) throw err;
            failed.add(row.id);
            continue;
          }
          await tx.update(secrets).set({ wrappedKey, masterKeyId: current.id, keyWrappedAt: now }).where(eq(secrets.id, row.id));
          report.fromKeys[row.masterKeyId] = (report.fromKeys[row.masterKeyId] ?? 0) + 1;
          report.rewrapped++;
        }
        return claimed;
      });
      if (batch.length === 0) break;
      cursor = batch[batch.length - 1]!.id;
      report.batches++;
      options.onProgress?.({ rewrapped: report.rewrapped, total });
    }
    report.remaining = await countRemaining();
    if (report.remaining <= 0 || pass >= (options.lockedPasses ?? 50)) break;
    await sleep(options.passDelayMs ?? 100, undefined, options.signal ? { signal: options.signal } : undefined);
  }

  report.failed = [...failed];
  report.remaining = Math.max(0, report.remaining);
  report.keysInUse = await keyUsage(db);
  const level = report.failed.length > 0 || report.remaining > 0 ? 'warn' : 'info';
  logger[level](
    { currentKeyId: current.id, rewrapped: report.rewrapped, batches: report.batches, failed: report.failed, remaining: report.remaining, keysInUse: report.keysInUse },
    'master-key rotation finished',
  );
  return report;
}
