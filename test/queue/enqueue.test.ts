import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { enqueue, enqueueMany } from '../../src/queue/index.ts';
import { batchClaimJobs } from '../../src/queue/sql/claim.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { allJobs, clearQueue } from './helpers.ts';

describe('enqueue', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });
  beforeEach(async () => {
    await clearQueue(database);
  });

  it('adds a pending job with its tenant, priority and run time', async () => {
    const runAt = new Date(Date.now() + 60_000);
    const job = await enqueue(database.db, {
      type: 'test.job',
      payload: { a: 1 },
      runAt,
      priority: 3,
      maxAttempts: 4,
      organizationId: 'org_1',
      environmentId: 'env_1',
    });
    expect(job.id).toMatch(/^job_/);
    expect(job).toMatchObject({ type: 'test.job', payload: { a: 1 }, state: 'pending', attempts: 0, priority: 3, maxAttempts: 4, organizationId: 'org_1', environmentId: 'env_1' });
    expect(job.runAt.getTime()).toBe(runAt.getTime());
    expect(await allJobs(database)).toEqual([job]);
  });

  it('adds nothing when the caller transaction rolls back', async () => {
    await database.db
      .transaction(async (tx) => {
        await enqueue(tx, { type: 'test.job', payload: {} });
        await tx.execute(sql`select 1`);
        throw new Error('roll back');
      })
      .catch(() => undefined);
    expect(await allJobs(database)).toEqual([]);
    const kept = await database.db.transaction((tx) => enqueue(tx, { type: 'test.job', payload: { kept: true } }));
    expect((await allJobs(database)).map((j) => j.id)).toEqual([kept.id]);
  });

  it('notifies listeners only when the transaction commits', async () => {
    const heard: string[] = [];
    const unlisten = await database.listen('patchbay_jobs', (payload) => heard.push(payload));
    await database.db
      .transaction(async (tx) => {
        await enqueue(tx, { type: 'test.job', payload: {} });
        throw new Error('roll back');
      })
      .catch(() => undefined);
    const runAt = new Date(Date.now() + 5_000);
    await database.db.transaction((tx) => enqueue(tx, { type: 'test.job', payload: {}, runAt }));
    await expect.poll(() => heard.length).toBe(1);
    expect(Number(heard[0])).toBe(runAt.getTime());
    await unlisten();
  });

  it('keeps the pending job when a dedupe key repeats', async () => {
    const first = await enqueue(database.db, { type: 'test.job', payload: { v: 1 }, key: 'k1' });
    const second = await enqueue(database.db, { type: 'test.job', payload: { v: 2 }, key: 'k1', runAt: new Date(Date.now() + 60_000) });
    expect(second.id).toBe(first.id);
    expect(second.payload).toEqual({ v: 1 });
    expect(await allJobs(database)).toHaveLength(1);
  });

  it('updates the pending job when a replace key repeats', async () => {
    const first = await enqueue(database.db, { type: 'test.job', payload: { v: 1 }, key: 'k2' });
    const later = new Date(Date.now() + 60_000);
    const second = await enqueue(database.db, { type: 'test.job', payload: { v: 2 }, key: 'k2', keyMode: 'replace', runAt: later, priority: 7 });
    expect(second.id).toBe(first.id);
    expect(second).toMatchObject({ payload: { v: 2 }, priority: 7 });
    expect(second.runAt.getTime()).toBe(later.getTime());
    expect(await allJobs(database)).toHaveLength(1);
  });

  it('adds a new job when the key is held by a running job, which lets go of it', async () => {
    const running = await enqueue(database.db, { type: 'test.job', payload: { v: 1 }, key: 'k3' });
    const now = new Date(Date.now() + 1_000);
    await batchClaimJobs(database.db, { workerId: 'w1', types: ['test.job'], limit: 1, now, lockedUntil: new Date(now.getTime() + 30_000) });
    const next = await enqueue(database.db, { type: 'test.job', payload: { v: 2 }, key: 'k3' });
    expect(next.id).not.toBe(running.id);
    const [old, fresh] = await allJobs(database);
    expect(old).toMatchObject({ id: running.id, state: 'running', key: null });
    expect(fresh).toMatchObject({ id: next.id, state: 'pending', key: 'k3', payload: { v: 2 } });
  });

  it('enqueues many at once, in order, applying repeated keys in turn', async () => {
    const jobs = await enqueueMany(database.db, [
      { type: 'a', payload: 1 },
      { type: 'b', payload: 2, key: 'same' },
      { type: 'c', payload: 3 },
      { type: 'b', payload: 4, key: 'same', keyMode: 'replace' },
      { type: 'b', payload: 5, key: 'same' },
    ]);
    expect(jobs.map((j) => j.type)).toEqual(['a', 'b', 'c', 'b', 'b']);
    expect(jobs[3]!.id).toBe(jobs[1]!.id);
    expect(jobs[4]!.id).toBe(jobs[1]!.id);
    expect(jobs[4]!.payload).toBe(4);
    expect(await allJobs(database)).toHaveLength(3);
  });

  it('rejects a job without a type or with a bad priority', async () => {
    await expect(enqueue(database.db, { type: '', payload: {} })).rejects.toThrow(/type/);
    await expect(enqueue(database.db, { type: 'x', payload: {}, priority: 1.5 })).rejects.toThrow(/priority/);
    await expect(enqueue(database.db, { type: 'x', payload: {}, maxAttempts: 0 })).rejects.toThrow(/maxAttempts/);
  });
});
