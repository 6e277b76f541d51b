/**
 * The worker side of the queue. One loop per process claims due jobs in batches (as many as it
 * has free slots), runs their handlers, and writes outcomes in batches. It has no polling floor
 * for new work: it claims when woken (an enqueue in this process, a NOTIFY from another, a slot
 * coming free) and otherwise sleeps until the next known `run_at` or lease expiry.
 *
 * Invariants:
 * - A job's outcome is written only where this worker still holds that claim (`locked_by` and
 *   `attempts` match), so a worker that lost its lease cannot overwrite the next claim.
 * - A handler's failure is recorded in the job's row and never escapes the loop.
 * - At stop, a job still running after the grace period MUST be released, so another worker can
 *   take it at once instead of waiting for the lease to expire.
 */
import os from 'node:os';
import type { Registry } from 'prom-client';
import { randomToken, scrubString, systemClock, toError, type Clock, type Logger } from '../core/index.ts';
import type { Database, Db } from '../db/index.ts';
import { Batcher } from './batcher.ts';
import { defaultBackoff, type Backoff } from './backoff.ts';
import { JobAbortedError } from './errors.ts';
import type { Job } from './job.ts';
import { queueMetrics, type JobOutcome, type QueueMetrics } from './metrics.ts';
import { Scheduler } from './schedules.ts';
import { batchClaimJobs } from './sql/claim.ts';
import { batchCompleteJobs, type HeldJob } from './sql/complete.ts';
import { batchExtendLeases } from './sql/extend.ts';
import { batchFailJobs, type FailedJob } from './sql/fail.ts';
import { nextDueAt } from './sql/next-due.ts';
import { reapExpiredLeases } from './sql/reap.ts';
import { batchReleaseJobs } from './sql/release.ts';
import { JOBS_CHANNEL, onLocalWake, parseNotifyPayload } from './wake.ts';

export interface JobContext<P = unknown> {
  job: Job<P>;
  /** Carries jobId, type, organizationId and environmentId on every line. */
  logger: Logger;
  /** Aborted at shutdown (after the grace period), when the lease is lost, or at the timeout. */
  signal: AbortSignal;
}

export type JobHandler<P = unknown> = (context: JobContext<P>) => Promise<void> | void;

export interface JobTypeOptions {
  /** Attempts before the job is kept as `failed`; a job's own `maxAttempts` wins. Default 10. */
  maxAttempts?: number;
  /** Delay before each retry; exponential with ±20 % jitter by default (see backoff.ts). */
  backoff?: Backoff;
  /** The attempt fails (and `signal` aborts) after this long. */
  timeoutMs?: number;
}

export interface QueueOptions {
  database: Database;
  logger: Logger;
  clock?: Clock;
  /** Names this process in `locked_by`; host, pid and a random part by default. */
  workerId?: string;
  /** Jobs run at the same time. */
  concurrency: number;
  /** How long a claim holds without a heartbeat; heartbeats renew it every third of it. */
  leaseSeconds: number;
  registry?: Registry;
}

export interface Queue {
  readonly workerId: string;
  /** Handles jobs of `type`. The queue knows no type until one is registered. */
  register<P = unknown>(type: string, handler: JobHandler<P>, options?: JobTypeOptions): void;
  /** A recurring job: at each tick of `cron` (UTC, 5 or 6 fields), one job of `type`, once in the cluster. */
  schedule(name: string, cron: string, type: string, payload?: unknown): void;
  start(): Promise<void>;
  /** Stops claiming, lets running jobs finish for `graceMs` (10 s by default), releases the rest. */
  stop(options?: { graceMs?: number }): Promise<void>;
}

export const DEFAULT_MAX_ATTEMPTS = 10;
// Longest sleep without checking the database: a safety net (a NOTIFY lost while the listening
// connection reconnected), not the way new work is found.
const MAX_IDLE_MS = 30_000;
const RETRY_AFTER_ERROR_MS = 1_000;

interface JobType {
  handler: JobHandler;
  maxAttempts: number;
  backoff: Backoff;
  timeoutMs: number | undefined;
}

interface Running {
  job: Job;
  controller: AbortController;
  /** Given back at shutdown: its outcome is no longer ours to write. */
  released: boolean;
  leaseLost: boolean;
  done?: Promise<void>;
}

export function createQueue(options: QueueOptions): Queue {
  return new Worker(options);
}

class Worker implements Queue {
  readonly workerId: string;
  readonly #database: Database;
  readonly #db: Db;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #concurrency: number;
  readonly #leaseMs: number;
  readonly #metrics: QueueMetrics;
  readonly #types = new Map<string, JobType>();
  readonly #running = new Set<Running>();
  readonly #scheduler: Scheduler;
  readonly #completions: Batcher<HeldJob>;
  readonly #failures: Batcher<FailedJob>;

  #state: 'new' | 'started' | 'stopping' | 'stopped' = 'new';
  #stopped: Promise<void> | undefined;
  #claiming: Promise<void> | undefined;
  #claimAgain = false;
  #pumpScheduled = false;
  #dueTimer: NodeJS.Timeout | undefined;
  #dueAt = Infinity;
  #leaseTimer: NodeJS.Timeout | undefined;
  #heartbeatTimer: NodeJS.Timeout | undefined;
  #heartbeating = false;
  #unlisten: (() => Promise<void>) | undefined;
  #unwake: (() => void) | undefined;

  constructor(options: QueueOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) throw new TypeError('concurrency must be a whole number ≥ 1');
    if (!(options.leaseSeconds > 0)) throw new TypeError('leaseSeconds must be positive');
    this.#database = options.database;
    this.#db = options.database.db;
    this.#clock = options.clock ?? systemClock;
    this.workerId = options.workerId ?? `${os.hostname()}:${process.pid}:${randomToken(4)}`;
    this.#logger = options.logger.child({ workerId: this.workerId });
    this.#concurrency = options.concurrency;
    this.#leaseMs = options.leaseSeconds * 1000;
    this.#metrics = queueMetrics(options.registry, this.#db);
    this.#scheduler = new Scheduler(this.#db, this.#clock, this.#logger);
    this.#completions = new Batcher(
      (held) => batchCompleteJobs(this.#db, this.workerId, held),
      // The jobs stay `running` until their leases expire; then they run again (at least once).
      (err, held) => this.#logger.error({ err: toError(err), jobIds: held.map((h) => h.id) }, 'could not record completed jobs'),
    );
    this.#failures = new Batcher(
      (failed) => batchFailJobs(this.#db, this.workerId, failed, this.#clock.now()),
      (err, failed) => this.#logger.error({ err: toError(err), jobIds: failed.map((f) => f.id) }, 'could not record failed jobs'),
    );
  }

  register<P>(type: string, handler: JobHandler<P>, options: JobTypeOptions = {}): void {
    if (this.#types.has(type)) throw new Error(`job type ${type} has a handler already`);
    const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new TypeError(`maxAttempts of ${type} must be a whole number ≥ 1`);
    this.#types.set(type, {
      handler: handler as JobHandler,
      maxAttempts,
      backoff: options.backoff ?? defaultBackoff,
      timeoutMs: options.timeoutMs,
    });
    if (this.#state === 'started') this.#schedulePump();
  }

  schedule(name: string, cron: string, type: string, payload: unknown = {}): void {
    this.#scheduler.add(name, cron, type, payload);
  }

  async start(): Promise<void> {
    if (this.#state !== 'new') throw new Error('a queue starts once');
    this.#state = 'started';
    this.#unwake = onLocalWake((runAtMs) => this.#heard(runAtMs));
    this.#unlisten = await this.#database.listen(JOBS_CHANNEL, (payload) => {
      const runAtMs = parseNotifyPayload(payload);
      if (runAtMs !== undefined) this.#heard(runAtMs);
    });
    this.#heartbeatTimer = setInterval(() => void this.#heartbeat(), Math.max(100, this.#leaseMs / 3));
    await this.#checkLeases();
    await this.#armDueTimer(this.#clock.now());
    this.#scheduler.start();
    this.#pump();
    this.#logger.info({ concurrency: this.#concurrency, types: [...this.#types.keys()] }, 'queue started');
  }

  stop(options: { graceMs?: number } = {}): Promise<void> {
    if (this.#state === 'new') this.#state = 'stopped';
    this.#stopped ??= this.#state === 'stopped' ? Promise.resolve() : this.#shutdown(options.graceMs ?? 10_000);
    return this.#stopped;
  }

  async #shutdown(graceMs: number): Promise<void> {
    this.#state = 'stopping';
    this.#scheduler.stop();
    clearTimeout(this.#dueTimer);
    clearTimeout(this.#leaseTimer);
    this.#unwake?.();
    await this.#unlisten?.().catch(() => undefined);
    await this.#claiming;

    if (this.#running.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
      await Promise.race([Promise.allSettled([...this.#running].map((r) => r.done)), grace]);
      clearTimeout(timer);
    }
    const left = [...this.#running];
    for (const running of left) {
      running.released = true;
      running.controller.abort(new JobAbortedError('shutdown', 'the worker is shutting down'));
    }
    await Promise.all([this.#completions.drain(), this.#failures.drain()]);
    if (left.length > 0) {
      try {
        await batchReleaseJobs(this.#db, this.workerId, left.map(held), this.#clock.now());
        this.#logger.info({ jobIds: left.map((r) => r.job.id) }, 'released running jobs at shutdown');
      } catch (err) {
        this.#logger.error({ err: toError(err) }, 'could not release jobs at shutdown; they run again when their leases expire');
      }
    }
    clearInterval(this.#heartbeatTimer);
    this.#state = 'stopped';
    this.#logger.info('queue stopped');
  }

  /** A job became claimable at `runAtMs`: claim now, or arm the timer for it. */
  #heard(runAtMs: number): void {
    if (this.#state !== 'started') return;
    if (runAtMs <= this.#clock.now().getTime()) this.#schedulePump();
    else this.#armTimerAt(runAtMs);
  }

  #schedulePump(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    // Wake-ups and completions of the same tick make one claim.
    setImmediate(() => {
      this.#pumpScheduled = false;
      this.#pump();
    });
  }

  #pump(): void {
    if (this.#state !== 'started') return;
    if (this.#claiming) {
      this.#claimAgain = true;
      return;
    }
    const free = this.#concurrency - this.#running.size;
    if (free <= 0 || this.#types.size === 0) return;
    this.#claimAgain = false;
    this.#claiming = this.#claim(free).finally(() => {
      this.#claiming = undefined;
      if (this.#claimAgain) this.#schedulePump();
    });
  }

  async #claim(limit: number): Promise<void> {
    const now = this.#clock.now();
    let jobs: Job[];
    try {
      jobs = await batchClaimJobs(this.#db, {
        workerId: this.workerId,
        types: [...this.#types.keys()],
        limit,
        now,
        lockedUntil: new Date(now.getTime() + this.#leaseMs),
      });
    } catch (err) {
      this.#logger.error({ err: toError(err) }, 'could not claim jobs; trying again shortly');
      this.#armTimerAt(this.#clock.now().getTime() + RETRY_AFTER_ERROR_MS);
      return;
    }
    if (this.#state !== 'started') {
      await batchReleaseJobs(this.#db, this.workerId, jobs.map((job) => ({ id: job.id, attempts: job.attempts })), this.#clock.now()).catch(
        (err: unknown) => this.#logger.error({ err: toError(err) }, 'could not release jobs claimed during shutdown'),
      );
      return;
    }
    for (const job of jobs) this.#run(job);
  }

  #run(job: Job): void {
    const running: Running = { job, controller: new AbortController(), released: false, leaseLost: false };
    this.#running.add(running);
    running.done = this.#execute(running).finally(() => {
      this.#running.delete(running);
      this.#schedulePump();
    });
  }

  async #execute(running: Running): Promise<void> {
    const { job, controller } = running;
    const type = this.#types.get(job.type)!;
    const maxAttempts = job.maxAttempts ?? type.maxAttempts;
    // A job claimed past its limit ran out of attempts by dying with its workers (leases expired).
    if (job.attempts > maxAttempts) {
      this.#failures.add({ ...held(running), error: job.lastError ?? 'no attempt left', retryAt: null });
      this.#metrics.observe(job.type, 'failed', 0);
      return;
    }
    const logger = this.#logger.child({
      jobId: job.id,
      type: job.type,
      ...(job.organizationId ? { organizationId: job.organizationId } : {}),
      ...(job.environmentId ? { environmentId: job.environmentId } : {}),
    });
    const started = performance.now();
    let error: Error | undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      const run = Promise.resolve().then(() => type.handler({ job, logger, signal: controller.signal }));
      if (type.timeoutMs === undefined) {
        await run;
      } else {
        const ms = type.timeoutMs;
        run.catch(() => undefined); // it may still settle after the timeout
        await Promise.race([
          run,
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
              const timeout = new JobAbortedError('timeout', `timed out after ${ms} ms`);
              controller.abort(timeout);
              reject(timeout);
            }, ms);
          }),
        ]);
      }
    } catch (err) {
      error = toError(err);
    } finally {
      clearTimeout(timer);
    }
    const seconds = (performance.now() - started) / 1000;
    if (running.released) return;
    if (!error) {
      this.#completions.add(held(running));
      this.#observe(job, 'completed', seconds);
      logger.debug({ ms: Math.round(seconds * 1000) }, 'job completed');
      return;
    }
    const retryAt = job.attempts < maxAttempts ? new Date(this.#clock.now().getTime() + type.backoff(job.attempts, error)) : null;
    this.#failures.add({ ...held(running), error: describe(error), retryAt });
    this.#observe(job, retryAt ? 'retried' : 'failed', seconds);
    if (retryAt) logger.warn({ err: error, attempt: job.attempts, retryAt }, 'job failed; it will be retried');
    else logger.error({ err: error, attempt: job.attempts }, 'job failed; no attempt left');
  }

  #observe(job: Job, outcome: JobOutcome, seconds: number): void {
    this.#metrics.observe(job.type, outcome, seconds);
  }

  /** Renews the leases of running jobs; aborts the ones whose lease was lost. */
  async #heartbeat(): Promise<void> {
    const holding = [...this.#running].filter((r) => !r.leaseLost && !r.released);
    if (holding.length === 0 || this.#heartbeating) return;
    this.#heartbeating = true;
    try {
      const now = this.#clock.now();
      const kept = await batchExtendLeases(this.#db, {
        workerId: this.workerId,
        held: holding.map(held),
        now,
        lockedUntil: new Date(now.getTime() + this.#leaseMs),
      });
      for (const running of holding) {
        // Finished while the heartbeat was in flight: its row may be gone already.
        if (kept.has(running.job.id) || !this.#running.has(running)) continue;
        running.leaseLost = true;
        running.controller.abort(new JobAbortedError('lease-lost', 'the job lease expired; another worker may run it'));
        this.#logger.warn({ jobId: running.job.id, type: running.job.type }, 'lost the lease of a running job');
      }
    } catch (err) {
      this.#logger.error({ err: toError(err) }, 'could not renew job leases');
    } finally {
      this.#heartbeating = false;
    }
  }

  /** Makes jobs of dead workers claimable again, then sleeps until the next lease could expire. */
  async #checkLeases(): Promise<void> {
    let nextExpiry: Date | null = null;
    try {
      const result = await reapExpiredLeases(this.#db, this.#clock.now());
      nextExpiry = result.nextExpiry;
      if (result.reaped > 0) this.#logger.warn({ count: result.reaped }, 'took back jobs whose lease expired');
    } catch (err) {
      this.#logger.error({ err: toError(err) }, 'could not check for expired leases');
    }
    if (this.#state !== 'started') return;
    const now = this.#clock.now().getTime();
    // A lease taken after this check expires at least a lease from now.
    const at = Math.min(nextExpiry ? nextExpiry.getTime() + 10 : Infinity, now + this.#leaseMs);
    this.#leaseTimer = setTimeout(() => void this.#checkLeases(), clamp(at - now));
  }

  /**
   * Arms the timer for the first `run_at` after `after`. The caller claims with a clock reading
   * taken no earlier than `after`, so every job is either due for that claim or found here —
   * even when a timer fires a millisecond early by the wall clock, as Node's timers may.
   */
  async #armDueTimer(after: Date): Promise<void> {
    let next: Date | null = null;
    try {
      next = await nextDueAt(this.#db, [...this.#types.keys()], after);
    } catch (err) {
      this.#logger.error({ err: toError(err) }, 'could not read the next due job');
    }
    this.#armTimerAt(next ? next.getTime() : this.#clock.now().getTime() + MAX_IDLE_MS);
  }

  #armTimerAt(runAtMs: number): void {
    if (this.#state !== 'started' || runAtMs >= this.#dueAt) return;
    clearTimeout(this.#dueTimer);
    this.#dueAt = runAtMs;
    this.#dueTimer = setTimeout(() => {
      const now = this.#clock.now();
      this.#dueAt = Infinity;
      this.#dueTimer = undefined;
      this.#pump();
      void this.#armDueTimer(now);
    }, clamp(runAtMs - this.#clock.now().getTime()));
  }
}

const held = (running: Running): HeldJob => ({ id: running.job.id, attempts: running.job.attempts });

const clamp = (ms: number): number => Math.min(Math.max(ms, 0), MAX_IDLE_MS);

/** `last_error`: the error's name and message, without secrets, bounded. */
function describe(error: Error): string {
  const text = `${error.name}: ${error.message}`;
  return scrubString(text.length > 2_000 ? `${text.slice(0, 2_000)}…` : text);
}
