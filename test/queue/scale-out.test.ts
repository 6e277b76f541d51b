import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { rows } from '../../src/db/index.ts';
import { enqueue, enqueueMany } from '../../src/queue/index.ts';
import { createTestDatabase, onPostgres, type TestDatabase } from '../support/db.ts';
import { countJobs, waitFor } from './helpers.ts';

const FIXTURE = path.resolve('test/queue/fixtures/worker.ts');

interface Run {
  job_id: string;
  worker_id: string;
  phase: 'start' | 'done';
  attempt: number;
  last_error: string | null;
}

describe.runIf(onPostgres())('scale-out: worker processes on one PostgreSQL', () => {
  let database: TestDatabase;
  let workers: ChildProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    await database.db.execute(sql`create table scale_runs (
      job_id text not null, worker_id text not null, phase text not null, attempt int not null,
      last_error text, at timestamptz not null default clock_timestamp())`);
  });
  afterAll(async () => {
    await database.drop();
  });
  beforeEach(async () => {
    await database.db.execute(sql`delete from scale_runs`);
    await database.db.execute(sql`delete from jobs`);
  });
  afterEach(async () => {
    await Promise.all(workers.map(stopWorker));
    workers = [];
  });

  /** Starts a worker process and resolves once it is listening. */
  async function startWorker(id: string, leaseSeconds: number, concurrency: number): Promise<ChildProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, database.url!, id, String(leaseSeconds), String(concurrency)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    workers.push(child);
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (chunk) => String(chunk).includes('ready') && resolve());
      child.once('exit', (code) => reject(new Error(`worker ${id} exited with ${code} before it was ready: ${stderr}`)));
    });
    return child;
  }

  async function stopWorker(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  const runs = () => rows<Run>(database.db, sql`select job_id, worker_id, phase, attempt, last_error from scale_runs order by at`);

  it('runs each of 2,000 jobs exactly once across two worker processes', async () => {
    await Promise.all([startWorker('alpha', 30, 10), startWorker('beta', 30, 10)]);
    // 2,000 jobs in 20 transactions of 100, as requests would add them.
    for (let batch = 0; batch < 20; batch++) {
      await database.db.transaction((tx) =>
        enqueueMany(tx, Array.from({ length: 100 }, (_, i) => ({ type: 'scale.record', payload: { n: batch * 100 + i } }))),
      );
    }
    await waitFor(async () => (await countJobs(database)) === 0, 25_000, 'every job to complete');

    const [counts] = await rows<{ done: number; distinct_done: number; starts: number }>(
      database.db,
      sql`select count(*) filter (where phase = 'done')::int as done,
        count(distinct job_id) filter (where phase = 'done')::int as distinct_done,
        count(*) filter (where phase = 'start')::int as starts
      from scale_runs`,
    );
    expect(counts).toEqual({ done: 2_000, distinct_done: 2_000, starts: 2_000 });
    const byWorker = await rows<{ worker_id: string; n: number }>(
      database.db,
      sql`select worker_id, count(*)::int as n from scale_runs where phase = 'done' group by worker_id order by worker_id`,
    );
    expect(byWorker.map((w) => w.worker_id)).toEqual(['alpha', 'beta']);
    expect(byWorker.every((w) => w.n > 0)).toBe(true);
  });

  it('completes a job in the other process after SIGKILL took its worker mid-job and the lease expired', async () => {
    const leaseSeconds = 2;
    const [alpha, beta] = await Promise.all([startWorker('alpha', leaseSeconds, 2), startWorker('beta', leaseSeconds, 2)]);
    const job = await enqueue(database.db, { type: 'scale.record', payload: { sleepMs: 1_500 } });

    const first = await waitFor(async () => (await runs())[0], 5_000, 'the job to start');
    const victim = first.worker_id === 'alpha' ? alpha! : beta!;
    const survivor = first.worker_id === 'alpha' ? 'beta' : 'alpha';
    const killedAt = Date.now();
    victim.kill('SIGKILL');

    await waitFor(async () => (await runs()).some((r) => r.phase === 'done'), 15_000, 'the job to complete elsewhere');
    const doneAfterMs = Date.now() - killedAt;
    const history = (await runs()).map((r) => [r.worker_id, r.phase, r.attempt]);
    expect(history).toEqual([
      [first.worker_id, 'start', 1],
      [survivor, 'start', 2],
      [survivor, 'done', 2],
    ]);
    const second = (await runs())[1]!;
    expect(second.last_error).toBe(`lease expired: worker ${first.worker_id} stopped renewing it`);
    // The survivor could take the job only once the dead worker's lease had run out.
    expect(doneAfterMs).toBeGreaterThan(1_500);
    expect(doneAfterMs).toBeLessThan(leaseSeconds * 1000 + 1_500 + 6_000); // well before the 30 s safety poll
    expect(await countJobs(database)).toBe(0);
    expect(job.id).toBe(first.job_id);
  });
});
