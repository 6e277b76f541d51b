import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { ManualClock, createLogger } from '../../src/core/index.ts';
import { enqueue, enqueueMany, exponentialBackoff, JobAbortedError, type Job } from '../../src/queue/index.ts';
import { batchClaimJobs } from '../../src/queue/sql/claim.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { allJobs, clearQueue, countJobs, queues, sleep, waitFor } from './helpers.ts';

describe('queue worker', () => {
  let database: TestDatabase;
  let q: ReturnType<typeof queues>;
  beforeAll(async () => {
    database = await createTestDatabase();
    q = queues(database);
  });
  afterAll(async () => {
    await database.drop();
  });
  beforeEach(async () => {
    await clearQueue(database);
  });
  afterEach(async () => {
    await q.stopAll();
  });

  it('runs an enqueued job within milliseconds and deletes it', async () => {
    const ran: { job: Job; at: number }[] = [];
    await q.start({ setup: (queue) => queue.register('t.run', ({ job }) => void ran.push({ job, at: Date.now() })) });
    const before = Date.now();
    const job = await enqueue(database.db, { type: 't.run', payload: { n: 1 } });
    await waitFor(() => ran.length === 1);
    expect(ran[0]!.job).toMatchObject({ id: job.id, payload: { n: 1 }, attempts: 1, state: 'running' });
    expect(ran[0]!.at - before).toBeLessThan(1_000);
    await waitFor(async () => (await countJobs(database)) === 0, 5_000, 'the completed job to be deleted');
  });

  it('wakes on a job committed in a transaction', async () => {
    const ran: string[] = [];
    await q.start({ setup: (queue) => queue.register('t.tx', ({ job }) => void ran.push(job.id)) });
    const job = await database.db.transaction((tx) => enqueue(tx, { type: 't.tx', payload: {} }));
    await waitFor(() => ran.length === 1);
    expect(ran).toEqual([job.id]);
  });

  it('does not run a job before its run_at, and runs it when due without being woken', async () => {
    const ran: number[] = [];
    await q.start({ setup: (queue) => queue.register('t.later', () => void ran.push(Date.now())) });
    const runAt = new Date(Date.now() + 400);
    await enqueue(database.db, { type: 't.later', payload: {}, runAt });
    await sleep(200);
    expect(ran).toEqual([]);
    await waitFor(() => ran.length === 1, 3_000);
    expect(ran[0]!).toBeGreaterThanOrEqual(runAt.getTime());
  });

  it('runs a job scheduled an hour ahead once the clock reaches it', async () => {
    const clock = new ManualClock(Date.now());
    const ran: string[] = [];
    await q.start({ clock, setup: (queue) => queue.register('t.hour', ({ job }) => void ran.push(job.payload as string)) });
    await enqueue(database.db, { type: 't.hour', payload: 'later', runAt: new Date(clock.now().getTime() + 3_600_000) }, { clock });
    await enqueue(database.db, { type: 't.hour', payload: 'now' }, { clock });
    await waitFor(() => ran.length === 1);
    clock.advance(3_600_000);
    await enqueue(database.db, { type: 't.hour', payload: 'wake' }, { clock });
    await waitFor(() => ran.length === 3);
    expect(ran.sort()).toEqual(['later', 'now', 'wake']);
  });

  it('runs higher priorities (lower numbers) first, then older run_at first', async () => {
    const order: string[] = [];
    const base = Date.now() - 10_000;
    await enqueueMany(database.db, [
      { type: 't.prio', payload: 'p5', priority: 5, runAt: new Date(base) },
      { type: 't.prio', payload: 'p0-late', priority: 0, runAt: new Date(base + 2) },
      { type: 't.prio', payload: 'p10', priority: 10, runAt: new Date(base) },
      { type: 't.prio', payload: 'p0-early', priority: 0, runAt: new Date(base + 1) },
      { type: 't.prio', payload: 'p-1', priority: -1, runAt: new Date(base + 3) },
    ]);
    await q.start({ concurrency: 1, setup: (queue) => queue.register('t.prio', ({ job }) => void order.push(job.payload as string)) });
    await waitFor(() => order.length === 5);
    expect(order).toEqual(['p-1', 'p0-early', 'p0-late', 'p5', 'p10']);
  });

  it('retries a failing job with backoff, then keeps it failed with its last error', async () => {
    const attempts: { attempt: number; at: number }[] = [];
    await q.start({
      setup: (queue) =>
        queue.register(
          't.fail',
          ({ job }) => {
            attempts.push({ attempt: job.attempts, at: Date.now() });
            throw new Error(`boom ${job.attempts} for alice@example.com`);
          },
          { maxAttempts: 3, backoff: (attempt) => attempt * 100 },
        ),
    });
    const job = await enqueue(database.db, { type: 't.fail', payload: {} });
    await waitFor(async () => (await allJobs(database))[0]?.state === 'failed', 5_000, 'the job to fail');
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(95);
    expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(195);
    const [failed] = await allJobs(database);
    expect(failed).toMatchObject({ id: job.id, state: 'failed', attempts: 3, lockedBy: null, lockedUntil: null });
    // The error is kept, without the personal data it carried.
    expect(failed!.lastError).toBe('Error: boom 3 for [email]');
  });

  it('schedules the retry at now + backoff and keeps the error in the pending job', async () => {
    const clock = new ManualClock(Date.now());
    await q.start({
      clock,
      setup: (queue) =>
        queue.register(
          't.backoff',
          () => {
            throw new Error('not yet');
          },
          { backoff: () => 3_600_000 },
        ),
    });
    await enqueue(database.db, { type: 't.backoff', payload: {} }, { clock });
    const job = await waitFor(async () => (await allJobs(database)).find((j) => j.state === 'pending' && j.attempts === 1), 5_000, 'the retry');
    expect(job.runAt.getTime()).toBe(clock.now().getTime() + 3_600_000);
    expect(job.lastError).toBe('Error: not yet');
  });

  it('lets a job override its type maximum of attempts', async () => {
    let runs = 0;
    await q.start({
      setup: (queue) =>
        queue.register(
          't.once',
          () => {
            runs++;
            throw new Error('no');
          },
          { maxAttempts: 5, backoff: () => 0 },
        ),
    });
    await enqueue(database.db, { type: 't.once', payload: {}, maxAttempts: 1 });
    await waitFor(async () => (await allJobs(database))[0]?.state === 'failed');
    expect(runs).toBe(1);
  });

  it('fails an attempt that outlives its timeout and aborts its signal', async () => {
    let reason: unknown;
    await q.start({
      setup: (queue) =>
        queue.register(
          't.slow',
          ({ signal }) =>
            new Promise<void>((resolve) =>
              signal.addEventListener('abort', () => {
                reason = signal.reason;
                resolve();
              }),
            ),
          { timeoutMs: 100, maxAttempts: 1 },
        ),
    });
    await enqueue(database.db, { type: 't.slow', payload: {} });
    const job = await waitFor(async () => (await allJobs(database)).find((j) => j.state === 'failed'));
    expect(job.lastError).toBe('JobAbortedError: timed out after 100 ms');
    expect(reason).toBeInstanceOf(JobAbortedError);
    expect((reason as JobAbortedError).reason).toBe('timeout');
  });

  it('gives the handler a logger that carries the job, its type and its tenant', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger({ level: 'info', destination });
    await q.start({ logger, setup: (queue) => queue.register('t.log', ({ logger: log }) => log.info('hello from the job')) });
    const job = await enqueue(database.db, { type: 't.log', payload: {}, organizationId: 'org_1', environmentId: 'env_1' });
    const line = await waitFor(() => lines.find((l) => l.includes('hello from the job')));
    expect(JSON.parse(line)).toMatchObject({ jobId: job.id, jobType: 't.log', organizationId: 'org_1', environmentId: 'env_1' });
  });

  it('never runs more jobs at once than its concurrency', async () => {
    let active = 0;
    let peak = 0;
    await q.start({
      concurrency: 3,
      setup: (queue) =>
        queue.register('t.conc', async () => {
          peak = Math.max(peak, ++active);
          await sleep(20);
          active--;
        }),
    });
    await enqueueMany(database.db, Array.from({ length: 30 }, (_, i) => ({ type: 't.conc', payload: i })));
    await waitFor(async () => (await countJobs(database)) === 0, 10_000);
    expect(peak).toBe(3);
  });

  it('finishes running jobs within the grace period at stop and releases the rest', async () => {
    const started = new Set<string>();
    let reason: unknown;
    const queue = await q.start({
      concurrency: 2,
      setup: (queue) =>
        queue.register('t.stop', async ({ job, signal }) => {
          started.add(job.payload as string);
          if (job.payload === 'quick') return sleep(100);
          await new Promise<void>((_, reject) =>
            signal.addEventListener('abort', () => {
              reason = signal.reason;
              reject(signal.reason as Error);
            }),
          );
        }),
    });
    const [quick, stuck] = await enqueueMany(database.db, [
      { type: 't.stop', payload: 'quick' },
      { type: 't.stop', payload: 'stuck' },
    ]);
    await waitFor(() => started.size === 2);
    await queue.stop({ graceMs: 300 });
    expect((reason as JobAbortedError).reason).toBe('shutdown');
    const left = await allJobs(database);
    expect(left.map((j) => j.id)).toEqual([stuck!.id]);
    expect(left[0]).toMatchObject({ state: 'pending', attempts: 0, lockedBy: null, lockedUntil: null, lastError: null });
    expect(quick).toBeDefined();

    // Released means claimable at once by another worker.
    const ranElsewhere: string[] = [];
    await q.start({ setup: (other) => other.register('t.stop', ({ job }) => void ranElsewhere.push(job.id)) });
    await waitFor(() => ranElsewhere.length === 1, 2_000);
    expect(ranElsewhere).toEqual([stuck!.id]);
  });

  it('claims ahead while a backlog lasts, and gives back at stop the jobs it had not started', async () => {
    const started: string[] = [];
    const queue = await q.start({
      concurrency: 1,
      prefetch: 2,
      setup: (queue) =>
        queue.register('t.ahead', ({ job, signal }) => {
          started.push(job.id);
          return new Promise<void>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)));
        }),
    });
    await enqueueMany(database.db, Array.from({ length: 5 }, (_, i) => ({ type: 't.ahead', payload: i })));
    // One running, two more claimed ahead of a free slot, two left for other workers.
    await waitFor(async () => (await allJobs(database)).filter((j) => j.state === 'running').length === 3);
    expect(started).toHaveLength(1);
    await queue.stop({ graceMs: 0 });
    const after = await allJobs(database);
    expect(after.map((j) => [j.state, j.attempts, j.lockedBy])).toEqual(Array.from({ length: 5 }, () => ['pending', 0, null]));
  });

  it('hands a job held by a dead worker to another once its lease expires', async () => {
    const clock = new ManualClock(Date.now());
    const job = await enqueue(database.db, { type: 't.lease', payload: {} }, { clock });
    // A worker claims it and dies: no heartbeat ever renews the lease.
    const now = clock.now();
    await batchClaimJobs(database.db, { workerId: 'dead', types: ['t.lease'], limit: 1, now, lockedUntil: new Date(now.getTime() + 30_000) });
    const ran: Job[] = [];
    await q.start({ clock, leaseSeconds: 30, setup: (queue) => queue.register('t.lease', ({ job: j }) => void ran.push(j)) });
    await sleep(100);
    expect(ran).toEqual([]);

    clock.advance(30_001);
    // A worker checks leases when it starts and whenever its lease timer fires; start one now.
    await q.start({ clock, setup: (queue) => queue.register('t.lease', ({ job: j }) => void ran.push(j)) });
    await waitFor(() => ran.length === 1);
    expect(ran[0]).toMatchObject({ id: job.id, attempts: 2, lastError: 'lease expired: worker dead stopped renewing it' });
  });

  it('keeps the lease of a long job alive with heartbeats', async () => {
    let runs = 0;
    await q.start({
      leaseSeconds: 1,
      setup: (queue) =>
        queue.register('t.long', async () => {
          runs++;
          await sleep(2_500);
        }),
    });
    await enqueue(database.db, { type: 't.long', payload: {} });
    await waitFor(() => runs === 1);
    // A second worker would take the job if the lease lapsed (its start looks for expired leases).
    await q.start({ leaseSeconds: 1, setup: (queue) => queue.register('t.long', () => void runs++) });
    await waitFor(async () => (await countJobs(database)) === 0, 5_000);
    expect(runs).toBe(1);
  });

  it('aborts a handler whose lease was lost', async () => {
    const clock = new ManualClock(Date.now());
    let reason: unknown;
    await q.start({
      clock,
      leaseSeconds: 1,
      setup: (queue) =>
        queue.register('t.lost', ({ signal }) => new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(void (reason = signal.reason))))),
    });
    await enqueue(database.db, { type: 't.lost', payload: {} }, { clock });
    await waitFor(async () => (await allJobs(database))[0]?.state === 'running');
    clock.advance(5_000);
    await waitFor(() => reason !== undefined, 3_000, 'the abort');
    expect((reason as JobAbortedError).reason).toBe('lease-lost');
  });

  it('exports queue depth, durations and outcomes', async () => {
    const registry = new Registry();
    await q.start({
      registry,
      setup: (queue) =>
        queue.register(
          't.metrics',
          ({ job }) => {
            if (job.payload === 'bad') throw new Error('bad');
          },
          { maxAttempts: 1 },
        ),
    });
    await enqueueMany(database.db, [
      { type: 't.metrics', payload: 'good' },
      { type: 't.metrics', payload: 'bad' },
      { type: 't.metrics.other', payload: 'waiting' },
    ]);
    await waitFor(async () => (await allJobs(database)).some((j) => j.state === 'failed'));
    await waitFor(async () => (await countJobs(database)) === 2);
    const text = await registry.metrics();
    expect(text).toContain('patchbay_jobs_total{type="t.metrics",outcome="completed"} 1');
    expect(text).toContain('patchbay_jobs_total{type="t.metrics",outcome="failed"} 1');
    expect(text).toContain('patchbay_job_duration_seconds_count{type="t.metrics",outcome="completed"} 1');
    expect(text).toContain('patchbay_queue_jobs{type="t.metrics",state="failed"} 1');
    expect(text).toContain('patchbay_queue_jobs{type="t.metrics.other",state="pending"} 1');
  });
});

describe('exponential backoff', () => {
  it('doubles from its base up to its cap, spread by the jitter', () => {
    const middle = exponentialBackoff({ baseMs: 1_000, maxMs: 10_000, random: () => 0.5 });
    expect([1, 2, 3, 4, 5, 6].map((n) => middle(n, new Error()))).toEqual([1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
    const low = exponentialBackoff({ baseMs: 1_000, jitter: 0.2, random: () => 0 });
    const high = exponentialBackoff({ baseMs: 1_000, jitter: 0.2, random: () => 1 });
    expect(low(1, new Error())).toBe(800);
    expect(high(1, new Error())).toBe(1_200);
  });
});
