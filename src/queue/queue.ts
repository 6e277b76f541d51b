/**
 * The worker side of the queue. One loop per process claims due jobs in batches — as many as it
 * has free slots, plus `prefetch` more while a backlog lasts — runs their handlers, and writes
 * outcomes in batches (a claim also deletes the jobs completed since the one before). It has no
 * polling floor for new work: it claims when woken (an enqueue in this process, a NOTIFY from
 * another, a slot coming free) and otherwise sleeps until the next known `run_at`. Its leases
 * (heartbeat, reaping dead workers' jobs) are kept by leases.ts.
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
import { Batcher, randomToken, systemClock, toError, withOwnLogContext, withoutLogContext, type Clock, type Logger } from '../core/index.ts';
import type { Database, Db } from '../db/index.ts';
import { JobAbortedError } from './errors.ts';
import { failSpan, inSpan, SpanKind, storedParent, tracingEnabled } from '../core/tracing.ts';
import { describeError, jobLogContext, jobType, runAttempt, type JobHandler, type JobType, type JobTypeOptions } from './handler.ts';
import type { Job } from './job.ts';
import { heldJob, Leases, type Held } from './leases.ts';
import { queueMetrics, type JobOutcome, type QueueMetrics } from './metrics.ts';
import { Scheduler } from './schedules.ts';
import { batchClaimJobs } from './sql/claim.ts';
import { batchCompleteJobs, type HeldJob } from './sql/complete.ts';
import { batchFailJobs, type FailedJob } from './sql/fail.ts';
import { nextDueAt } from './sql/next-due.ts';
import { batchReleaseJobs } from './sql/release.ts';
import { ensureStatistics } from './sql/statistics.ts';
import { JOBS_CHANNEL, onLocalWake, parseNotifyPayload } from './wake.ts';

export interface QueueOptions {
  database: Database;
  logger: Logger;
  clock?: Clock;
  /** Names this process in `locked_by`; host, pid and a random part by default. */
  workerId?: string;
  /** Jobs run at the same time. */
  concurrency: number;
  /**
   * While a backlog lasts, jobs claimed ahead of a free slot, waiting in this process (leased):
   * claims get bigger, so each costs less per job. `concurrency` by default; 0 turns it off.
   */
  prefetch?: number;
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

// Longest sleep without checking the database: a safety net (a NOTIFY lost while the listening
// connection reconnected), not the way new work is found.
const MAX_IDLE_MS = 30_000;
const RETRY_AFTER_ERROR_MS = 1_000;

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
  readonly #prefetch: number;
  readonly #leaseMs: number;
  readonly #metrics: QueueMetrics;
  readonly #types = new Map<string, JobType>();
  /** Every job we hold a lease on: running, or waiting in `#waiting` for a slot. */
  readonly #held = new Set<Held>();
  #waiting: Held[] = [];
  /** The last claim came back full: more is due than we can run, so claim ahead. */
  #backlog = false;
  readonly #scheduler: Scheduler;
  readonly #failures: Batcher<FailedJob>;
  /** Completed jobs not yet deleted: the next claim deletes them, or `#writeCompleted`. */
  #completed: HeldJob[] = [];
  #writingCompleted: Promise<void> | undefined;

  #state: 'new' | 'started' | 'stopping' | 'stopped' = 'new';
  #stopped: Promise<void> | undefined;
  #claiming: Promise<void> | undefined;
  #claimAgain = false;
  #pumpScheduled = false;
  #dueTimer: NodeJS.Timeout | undefined;
  #dueAt = Infinity;
  readonly #leases: Leases;
  #statisticsChecked = false;
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
    this.#prefetch = options.prefetch ?? options.concurrency;
    if (!Number.isInteger(this.#prefetch) || this.#prefetch < 0) throw new TypeError('prefetch must be a whole number ≥ 0');
    this.#leaseMs = options.leaseSeconds * 1000;
    this.#metrics = queueMetrics(options.registry, this.#db);
    this.#scheduler = new Scheduler(this.#db, this.#clock, this.#logger);
    this.#leases = new Leases({
      db: this.#db,
      clock: this.#clock,
      logger: this.#logger,
      workerId: this.workerId,
      leaseMs: this.#leaseMs,
      held: this.#held,
      onLost: (h) => {
        // A job still waiting for a slot is dropped; a running one sees its signal abort.
        if (!h.done) {
          this.#waiting = this.#waiting.filter((w) => w !== h);
          this.#held.delete(h);
        }
      },
      maxSleepMs: MAX_IDLE_MS,
    });
    // Failures are recorded in groups; one that cannot be written is logged once per group, and
    // its jobs' leases expire so they run again.
    this.#failures = new Batcher(async (failed) => {
      try {
        await batchFailJobs(this.#db, this.workerId, failed, this.#clock.now());
      } catch (err) {
        this.#logger.error({ err: toError(err), jobIds: failed.map((f) => f.id) }, 'could not record failed jobs');
      }
    });
  }

  register<P>(type: string, handler: JobHandler<P>, options: JobTypeOptions = {}): void {
    if (this.#types.has(type)) throw new Error(`job type ${type} has a handler already`);
    this.#types.set(type, jobType(type, handler as JobHandler, options));
    if (this.#state === 'started') this.#schedulePump();
  }

  schedule(name: string, cron: string, type: string, payload: unknown = {}): void {
    this.#scheduler.add(name, cron, type, payload);
  }

  async start(): Promise<void> {
    if (this.#state !== 'new') throw new Error('a queue starts once');
    this.#state = 'started';
    // An enqueue inside a request wakes us from its async context: the loop keeps none of it.
    this.#unwake = onLocalWake((runAtMs) => withoutLogContext(() => this.#heard(runAtMs)));
    this.#unlisten = await this.#database.listen(JOBS_CHANNEL, (payload) => {
      const runAtMs = parseNotifyPayload(payload);
      if (runAtMs !== undefined) this.#heard(runAtMs);
    });
    this.#leases.startHeartbeat();
    await this.#leases.startReaping();
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
    this.#leases.stopReaping();
    this.#unwake?.();
    await this.#unlisten?.().catch(() => undefined);
    await this.#claiming;
    // Jobs that never started go back at once, for other workers to take.
    await this.#release(this.#waiting.splice(0));

    const running = [...this.#held];
    if (running.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
      await Promise.race([Promise.allSettled(running.map((h) => h.done)), grace]);
      clearTimeout(timer);
    }
    const left = [...this.#held];
    for (const h of left) h.controller.abort(new JobAbortedError('shutdown', 'the worker is shutting down'));
    await Promise.all([this.#drainCompleted(), this.#failures.drain()]);
    await this.#release(left);
    this.#leases.stopHeartbeat();
    this.#state = 'stopped';
    this.#logger.info('queue stopped');
  }

  /** Gives jobs back (pending, claimable at once); whatever they do next is not ours to write. */
  async #release(jobs: Held[]): Promise<void> {
    if (jobs.length === 0) return;
    for (const h of jobs) {
      h.released = true;
      if (!h.done) this.#held.delete(h);
    }
    try {
      await batchReleaseJobs(this.#db, this.workerId, jobs.map(heldJob), this.#clock.now());
      this.#logger.info({ jobIds: jobs.map((h) => h.job.id) }, 'released jobs at shutdown');
    } catch (err) {
      this.#logger.error({ err: toError(err) }, 'could not release jobs at shutdown; they run again when their leases expire');
    }
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
    if (this.#claiming) {
      // The claim after this one carries whatever completes meanwhile.
      this.#claimAgain = true;
      return;
    }
    const waiting = this.#waiting.length;
    const free = this.#concurrency - (this.#held.size - waiting);
    const limit = free + (this.#backlog ? this.#prefetch : 0) - waiting;
    // While jobs wait for slots, top the line up in batches rather than a job at a time.
    const worthIt = waiting === 0 ? limit > 0 : limit >= Math.max(1, this.#prefetch / 2);
    if (this.#state !== 'started' || !worthIt || this.#types.size === 0) {
      void this.#writeCompleted();
      return;
    }
    this.#claimAgain = false;
    this.#claiming = this.#claim(limit).finally(() => {
      this.#claiming = undefined;
      if (this.#claimAgain) this.#schedulePump();
    });
  }

  async #claim(limit: number): Promise<void> {
    const now = this.#clock.now();
    const completed = this.#completed.splice(0);
    let jobs: Job[];
    try {
      jobs = await batchClaimJobs(this.#db, {
        workerId: this.workerId,
        types: [...this.#types.keys()],
        limit,
        now,
        lockedUntil: new Date(now.getTime() + this.#leaseMs),
        completed,
      });
    } catch (err) {
      this.#completed.push(...completed);
      this.#logger.error({ err: toError(err) }, 'could not claim jobs; trying again shortly');
      this.#armTimerAt(this.#clock.now().getTime() + RETRY_AFTER_ERROR_MS);
      return;
    }
    const claimed = jobs.map((job): Held => ({ job, controller: new AbortController(), released: false, leaseLost: false }));
    for (const h of claimed) this.#held.add(h);
    if (this.#state !== 'started') return this.#release(claimed);
    this.#waiting.push(...claimed);
    this.#startWaiting();
    // A full batch means a backlog: claim ahead at once, and check the table has statistics,
    // since this is when the claim's plan matters (see statistics.ts).
    this.#backlog = jobs.length === limit;
    if (this.#backlog) this.#claimAgain = true;
    if (this.#backlog && !this.#statisticsChecked) {
      this.#statisticsChecked = true;
      ensureStatistics(this.#db).then(
        (analyzed) => analyzed && this.#logger.info('analyzed the jobs table, which had no statistics'),
        (err: unknown) => this.#logger.warn({ err: toError(err) }, 'could not check the statistics of the jobs table'),
      );
    }
  }

  /** Starts waiting jobs while slots are free. */
  #startWaiting(): void {
    while (this.#state === 'started' && this.#waiting.length > 0 && this.#held.size - this.#waiting.length < this.#concurrency) {
      const h = this.#waiting.shift()!;
      h.done = this.#execute(h).finally(() => {
        this.#held.delete(h);
        this.#startWaiting();
        this.#schedulePump();
      });
    }
  }

  async #execute(running: Held): Promise<void> {
    const { job, controller } = running;
    const type = this.#types.get(job.type)!;
    const maxAttempts = job.maxAttempts ?? type.maxAttempts;
    // A job claimed past its limit ran out of attempts by dying with its workers (leases expired).
    if (job.attempts > maxAttempts) {
      void this.#failures.add({ ...heldJob(running), error: job.lastError ?? 'no attempt left', retryAt: null });
      this.#metrics.observe(job.type, 'failed', 0);
      return;
    }
    // Every line logged from here on, by any logger, carries the job's ids.
    await withOwnLogContext(jobLogContext(job), () => this.#attempt(running, type, maxAttempts));
  }

  async #attempt(running: Held, type: JobType, maxAttempts: number): Promise<void> {
    const { job, controller } = running;
    const logger = this.#logger;
    const started = performance.now();
    // The run continues the trace stored with the job (the request that enqueued it), as a
    // consumer span (OTel messaging conventions); a job without one starts its own trace.
    const attributes = tracingEnabled() && { 'messaging.system': 'patchbay', 'messaging.operation.type': 'process', 'messaging.destination.name': job.type, 'messaging.message.id': job.id, 'patchbay.job.type': job.type, 'patchbay.job.attempt': job.attempts };
    const error = await inSpan(`job ${job.type}`, { kind: SpanKind.CONSUMER, parent: storedParent(job.traceContext), attributes: attributes || undefined }, async (span) => {
      const failed = await runAttempt(type, { job, logger, signal: controller.signal }, controller);
      if (failed) failSpan(span, failed.message);
      return failed;
    });
    const seconds = (performance.now() - started) / 1000;
    if (running.released) return;
    if (!error) {
      // Written by the claim this completion triggers (see #pump).
      this.#completed.push(heldJob(running));
      this.#observe(job, 'completed', seconds);
      logger.debug({ ms: Math.round(seconds * 1000) }, 'job completed');
      return;
    }
    const retryAt = job.attempts < maxAttempts ? new Date(this.#clock.now().getTime() + type.backoff(job.attempts, error)) : null;
    void this.#failures.add({ ...heldJob(running), error: describeError(error), retryAt });
    this.#observe(job, retryAt ? 'retried' : 'failed', seconds);
    if (retryAt) logger.warn({ err: error, attempt: job.attempts, retryAt }, 'job failed; it will be retried');
    else logger.error({ err: error, attempt: job.attempts }, 'job failed; no attempt left');
  }

  /** Deletes completed jobs when no claim is coming to carry them (at rest, when stopping). */
  #writeCompleted(): Promise<void> {
    if (this.#writingCompleted || this.#completed.length === 0) return this.#writingCompleted ?? Promise.resolve();
    const completed = this.#completed.splice(0);
    this.#writingCompleted = batchCompleteJobs(this.#db, this.workerId, completed)
      // The jobs stay `running` until their leases expire; then they run again (at least once).
      .catch((err: unknown) => this.#logger.error({ err: toError(err), jobIds: completed.map((h) => h.id) }, 'could not record completed jobs'))
      .finally(() => (this.#writingCompleted = undefined));
    return this.#writingCompleted;
  }

  async #drainCompleted(): Promise<void> {
    while (this.#writingCompleted || this.#completed.length > 0) await this.#writeCompleted();
  }

  #observe(job: Job, outcome: JobOutcome, seconds: number): void {
    this.#metrics.observe(job.type, outcome, seconds);
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

const clamp = (ms: number): number => Math.min(Math.max(ms, 0), MAX_IDLE_MS);
