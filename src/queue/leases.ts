/**
 * Leases, the worker's half: a heartbeat renews the lease of every job this worker holds (every
 * third of a lease), and a reaper takes back the jobs of workers that died holding theirs,
 * sleeping until the next lease could expire.
 *
 * Invariant: a job whose lease was lost is aborted and never written by this worker again; the
 * worker that claims it next owns its outcome.
 */
import type { Clock, Logger } from '../core/index.ts';
import { toError } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import { JobAbortedError } from './errors.ts';
import type { Job } from './job.ts';
import type { HeldJob } from './sql/complete.ts';
import { batchExtendLeases } from './sql/extend.ts';
import { reapExpiredLeases } from './sql/reap.ts';

/** A job this worker has claimed: waiting for a slot, then running. */
export interface Held {
  job: Job;
  controller: AbortController;
  /** Settles when the handler is done; unset while the job waits for a slot. */
  done?: Promise<void>;
  /** Given back (at shutdown): its outcome is no longer ours to write. */
  released: boolean;
  leaseLost: boolean;
}

/** The claim as the SQL checks it (id and attempt). */
export const heldJob = (h: Held): HeldJob => ({ id: h.job.id, attempts: h.job.attempts });

export interface LeaseOptions {
  db: Db;
  clock: Clock;
  logger: Logger;
  workerId: string;
  leaseMs: number;
  /** Every job the worker holds a lease on (read, never changed here). */
  held: ReadonlySet<Held>;
  /** A held job's lease was lost: the worker forgets it (before it is aborted). */
  onLost(h: Held): void;
  /** Longest sleep of the reaper. */
  maxSleepMs: number;
}

export class Leases {
  readonly #options: LeaseOptions;
  #heartbeatTimer: NodeJS.Timeout | undefined;
  #heartbeating = false;
  #reaperTimer: NodeJS.Timeout | undefined;
  #reaping = false;

  constructor(options: LeaseOptions) {
    this.#options = options;
  }

  startHeartbeat(): void {
    this.#heartbeatTimer = setInterval(() => void this.#heartbeat(), Math.max(100, this.#options.leaseMs / 3));
  }

  /** Runs last at stop: jobs still finishing in the grace period keep their leases until then. */
  stopHeartbeat(): void {
    clearInterval(this.#heartbeatTimer);
  }

  /** Reaps once now, then again whenever the next lease could expire, until `stopReaping`. */
  async startReaping(): Promise<void> {
    this.#reaping = true;
    await this.#reap();
  }

  stopReaping(): void {
    this.#reaping = false;
    clearTimeout(this.#reaperTimer);
  }

  /** Renews the leases of the jobs we hold; aborts (or drops, if waiting) the ones it lost. */
  async #heartbeat(): Promise<void> {
    const { db, clock, logger, workerId, leaseMs, held, onLost } = this.#options;
    const holding = [...held].filter((h) => !h.leaseLost && !h.released);
    if (holding.length === 0 || this.#heartbeating) return;
    this.#heartbeating = true;
    try {
      const now = clock.now();
      const kept = await batchExtendLeases(db, { workerId, held: holding.map(heldJob), now, lockedUntil: new Date(now.getTime() + leaseMs) });
      for (const h of holding) {
        // Finished while the heartbeat was in flight: its row may be gone already.
        if (kept.has(h.job.id) || !held.has(h)) continue;
        h.leaseLost = true;
        onLost(h);
        h.controller.abort(new JobAbortedError('lease-lost', 'the job lease expired; another worker may run it'));
        logger.warn({ jobId: h.job.id, type: h.job.type }, 'lost the lease of a job');
      }
    } catch (err) {
      logger.error({ err: toError(err) }, 'could not renew job leases');
    } finally {
      this.#heartbeating = false;
    }
  }

  /** Makes jobs of dead workers claimable again, then sleeps until the next lease could expire. */
  async #reap(): Promise<void> {
    const { db, clock, logger, leaseMs, maxSleepMs } = this.#options;
    let nextExpiry: Date | null = null;
    try {
      const result = await reapExpiredLeases(db, clock.now());
      nextExpiry = result.nextExpiry;
      if (result.reaped > 0) logger.warn({ count: result.reaped }, 'took back jobs whose lease expired');
    } catch (err) {
      logger.error({ err: toError(err) }, 'could not check for expired leases');
    }
    if (!this.#reaping) return;
    const now = clock.now().getTime();
    // A lease taken after this check expires at least a lease from now.
    const at = Math.min(nextExpiry ? nextExpiry.getTime() + 10 : Infinity, now + leaseMs);
    this.#reaperTimer = setTimeout(() => void this.#reap(), Math.min(Math.max(at - now, 0), maxSleepMs));
  }
}
