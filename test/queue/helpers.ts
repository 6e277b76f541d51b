import { sql } from 'drizzle-orm';
import { silentLogger, type Logger } from '../../src/core/index.ts';
import { rows, type Database } from '../../src/db/index.ts';
import { createQueue, type Job, type Queue, type QueueOptions } from '../../src/queue/index.ts';

type Falsy = undefined | null | false | 0 | '';

/** Polls `check` until it returns a truthy value (or throws after `timeoutMs`). */
export async function waitFor<T>(check: () => Promise<T | Falsy> | T | Falsy, timeoutMs = 5_000, label = 'condition'): Promise<Exclude<T, Falsy>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as Exclude<T, Falsy>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${label}`);
    await sleep(20);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts queues and stops whatever a test left running. */
export function queues(database: Database) {
  const started: Queue[] = [];
  return {
    async start(
      options: Partial<Omit<QueueOptions, 'database'>> & { setup?: (queue: Queue) => void } = {},
    ): Promise<Queue> {
      const { setup, ...rest } = options;
      const queue = createQueue({ database, logger: silentLogger as Logger, concurrency: 5, leaseSeconds: 30, ...rest });
      setup?.(queue);
      await queue.start();
      started.push(queue);
      return queue;
    },
    async stopAll(): Promise<void> {
      await Promise.all(started.splice(0).map((q) => q.stop({ graceMs: 0 })));
    },
  };
}

export async function allJobs(database: Database): Promise<Job[]> {
  const { jobs } = await import('../../src/queue/index.ts');
  return database.db.select().from(jobs).orderBy(jobs.id);
}

export async function clearQueue(database: Database): Promise<void> {
  await database.db.execute(sql`delete from jobs`);
  await database.db.execute(sql`delete from job_schedules`);
}

export async function countJobs(database: Database): Promise<number> {
  const [row] = await rows<{ n: number }>(database.db, sql`select count(*)::int as n from jobs`);
  return row!.n;
}

