import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { rows } from '../../src/db/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { clearQueue, queues, sleep } from './helpers.ts';

describe('recurring jobs', () => {
  let database: TestDatabase;
  let q: ReturnType<typeof queues>;
  beforeAll(async () => {
    database = await createTestDatabase();
    q = queues(database);
    await clearQueue(database);
  });
  afterAll(async () => {
    await database.drop();
  });
  afterEach(async () => {
    await q.stopAll();
  });

  it('runs each cron tick exactly once across two queue instances', async () => {
    const runs: { worker: string; tick: string }[] = [];
    for (const worker of ['one', 'two']) {
      await q.start({
        workerId: worker,
        setup: (queue) => {
          queue.register('cron.tick', ({ job }) => void runs.push({ worker, tick: job.runAt.toISOString() }));
          queue.schedule('every-second', '* * * * * *', 'cron.tick', { from: 'cron' });
        },
      });
    }
    await sleep(3_300);
    await q.stopAll();
    const ticks = runs.map((r) => r.tick);
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(new Set(ticks).size).toBe(ticks.length);
    for (const tick of ticks) expect(tick).toMatch(/:\d\d\.000Z$/);
    const schedules = await rows<{ name: string }>(database.db, sql`select name from job_schedules`);
    expect(schedules.map((s) => s.name)).toEqual(['every-second']);
  });

  it('rejects a malformed cron expression when it is scheduled', async () => {
    await expect(q.start({ setup: (queue) => queue.schedule('bad', 'every day', 'cron.tick') })).rejects.toThrow(/CronPattern/);
  });
});
