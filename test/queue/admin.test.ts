import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProblemError } from '../../src/core/index.ts';
import { enqueue, enqueueMany, getJob, listJobs, retryJob } from '../../src/queue/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { allJobs, clearQueue, queues, waitFor } from './helpers.ts';

describe('job administration', () => {
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

  const acme = { organizationId: 'org_acme', environmentId: 'env_acme_prod' };
  const other = { organizationId: 'org_other', environmentId: 'env_other_prod' };

  it('lists a tenant only its own jobs, newest first, a page at a time', async () => {
    const mine = await enqueueMany(
      database.db,
      Array.from({ length: 5 }, (_, i) => ({ type: 'a.job', payload: i, ...acme })),
    );
    await enqueueMany(database.db, [
      { type: 'a.job', payload: 'theirs', ...other },
      { type: 'a.job', payload: 'system' },
      { type: 'a.job', payload: 'acme dev', organizationId: acme.organizationId, environmentId: 'env_acme_dev' },
    ]);
    const first = await listJobs(database.db, { ...acme, limit: 2 });
    expect(first.data.map((j) => j.payload)).toEqual([4, 3]);
    const second = await listJobs(database.db, { ...acme, limit: 2, cursor: first.nextCursor! });
    expect(second.data.map((j) => j.payload)).toEqual([2, 1]);
    const third = await listJobs(database.db, { ...acme, limit: 2, cursor: second.nextCursor! });
    expect(third.data.map((j) => j.id)).toEqual([mine[0]!.id]);
    expect(third.nextCursor).toBeNull();
    expect((await listJobs(database.db, { organizationId: acme.organizationId, limit: 50 })).data).toHaveLength(6);
    expect((await listJobs(database.db, { limit: 50 })).data).toHaveLength(8);
  });

  it('filters by state and type', async () => {
    await enqueueMany(database.db, [
      { type: 'x.one', payload: 1, ...acme },
      { type: 'x.two', payload: 2, ...acme },
    ]);
    await q.start({
      setup: (queue) =>
        queue.register(
          'x.one',
          () => {
            throw new Error('nope');
          },
          { maxAttempts: 1 },
        ),
    });
    await waitFor(async () => (await allJobs(database)).some((j) => j.state === 'failed'));
    const failed = await listJobs(database.db, { ...acme, state: 'failed', limit: 10 });
    expect(failed.data.map((j) => [j.type, j.lastError])).toEqual([['x.one', 'Error: nope']]);
    expect((await listJobs(database.db, { ...acme, type: 'x.two', limit: 10 })).data.map((j) => j.state)).toEqual(['pending']);
  });

  it('gets a job only within its scope', async () => {
    const job = await enqueue(database.db, { type: 'g.job', payload: {}, ...acme });
    expect((await getJob(database.db, job.id, acme))?.id).toBe(job.id);
    expect(await getJob(database.db, job.id, other)).toBeUndefined();
    expect((await getJob(database.db, job.id))?.id).toBe(job.id);
  });

  it('retries a failed job: pending again with attempts reset, and a worker runs it', async () => {
    let fail = true;
    const ran: number[] = [];
    await q.start({
      setup: (queue) =>
        queue.register(
          'r.job',
          ({ job }) => {
            ran.push(job.attempts);
            if (fail) throw new Error('down');
          },
          { maxAttempts: 2, backoff: () => 0 },
        ),
    });
    const job = await enqueue(database.db, { type: 'r.job', payload: {}, ...acme });
    await waitFor(async () => (await getJob(database.db, job.id))?.state === 'failed');
    expect(ran).toEqual([1, 2]);

    await expect(retryJob(database.db, job.id, other)).rejects.toMatchObject({ status: 404 });
    fail = false;
    const retried = await retryJob(database.db, job.id, acme);
    expect(retried).toMatchObject({ id: job.id, attempts: 0, lastError: 'Error: down' });
    await waitFor(async () => (await getJob(database.db, job.id)) === undefined, 5_000, 'the retried job to complete');
    expect(ran).toEqual([1, 2, 1]);
  });

  it('refuses to retry a job that has not failed', async () => {
    const job = await enqueue(database.db, { type: 'r.pending', payload: {}, ...acme });
    const error = await retryJob(database.db, job.id, acme).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ProblemError);
    expect(error).toMatchObject({ status: 409 });
    await expect(retryJob(database.db, 'job_missing')).rejects.toMatchObject({ status: 404 });
  });

  it('retries a failed job without its key when another job holds the key', async () => {
    await q.start({
      setup: (queue) =>
        queue.register(
          'k.job',
          () => {
            throw new Error('x');
          },
          { maxAttempts: 1 },
        ),
    });
    const failed = await enqueue(database.db, { type: 'k.job', payload: 1, key: 'k' });
    await waitFor(async () => (await getJob(database.db, failed.id))?.state === 'failed');
    await q.stopAll();
    const live = await enqueue(database.db, { type: 'k.job', payload: 2, key: 'k' });
    expect(live.id).not.toBe(failed.id);
    const retried = await retryJob(database.db, failed.id);
    expect(retried).toMatchObject({ state: 'pending', key: null });
    expect((await getJob(database.db, live.id))?.key).toBe('k');
  });
});
