/**
 * The job queue beside graphile-worker 0.17.3, on the same PostgreSQL in the same run:
 * - throughput: N no-op jobs enqueued up front, then drained by one worker of concurrency C,
 *   timed from the worker's start until every job is done and its completion written. Each
 *   contender runs ROUNDS times, interleaved, and the median counts: on a shared machine single
 *   runs vary by ±40 %. Both run with their defaults, and again with their claim-ahead batching
 *   at the same size (our `prefetch`, graphile-worker's `localQueue`);
 * - latency: jobs enqueued one by one at a moderate rate into an idle worker, timed from just
 *   before the enqueue call to the moment the handler starts; ROUNDS interleaved runs each, the
 *   percentiles over all their samples.
 * Before every phase both job tables are vacuumed, as autovacuum would have done by then in a
 * steady state: without it the dead rows of the previous phases (100,000s within a minute) sit
 * at the head of the claim indexes and every claim, ours and graphile-worker's, steps over them.
 * It creates its own database on the server and drops it at the end.
 */
import os from 'node:os';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { Logger as GraphileLogger, makeWorkerUtils, run as runGraphile, runMigrations, type TaskList } from 'graphile-worker';
import { silentLogger } from '../src/core/index.ts';
import { migrate, openDatabase, rows, type Database } from '../src/db/index.ts';
import { createQueue, enqueue, enqueueMany, type JobSpec } from '../src/queue/index.ts';
import { benchServerUrl, bounded, percentiles, writeResult } from './support.ts';

const THROUGHPUT_JOBS = 20_000;
const ROUNDS = 3;
const CONCURRENCY = 20;
const BATCHED = 200; // claim-ahead size for the "batched" figures
const LATENCY_JOBS = 400; // per round
const LATENCY_RATE = 200; // jobs per second
const PHASE_LIMIT_MS = 120_000;

const now = () => performance.now();
const quiet = new GraphileLogger(() => () => undefined);

interface Throughput {
  jobs: number;
  seconds: number;
  jobsPerSecond: number;
}

interface Rounds {
  /** The median round. */
  jobsPerSecond: number;
  rounds: Throughput[];
}

function median(rounds: Throughput[]): Rounds {
  const sorted = [...rounds].sort((a, b) => a.jobsPerSecond - b.jobsPerSecond);
  return { jobsPerSecond: sorted[Math.floor(sorted.length / 2)]!.jobsPerSecond, rounds };
}

function throughput(jobs: number, ms: number): Throughput {
  return { jobs, seconds: Math.round(ms) / 1000, jobsPerSecond: Math.round((jobs / ms) * 1000) };
}

/** Calls `send(i)` LATENCY_JOBS times at LATENCY_RATE per second, without waiting on each. */
async function paced(send: (i: number) => Promise<unknown>): Promise<void> {
  const interval = 1000 / LATENCY_RATE;
  const start = now();
  const sent: Promise<unknown>[] = [];
  for (let i = 0; i < LATENCY_JOBS; i++) {
    const wait = start + i * interval - now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    sent.push(send(i));
  }
  await Promise.all(sent);
}

function counter(target: number): { hit: () => void; done: Promise<void> } {
  let count = 0;
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  return { hit: () => void (++count === target && resolve()), done };
}

// ── Patchbay ────────────────────────────────────────────────────────────────────────────────

async function patchbayThroughput(database: Database, prefetch?: number): Promise<Throughput> {
  const specs: JobSpec[] = Array.from({ length: THROUGHPUT_JOBS }, (_, i) => ({ type: 'bench.noop', payload: { i } }));
  for (let i = 0; i < specs.length; i += 1_000) await enqueueMany(database.db, specs.slice(i, i + 1_000));
  const all = counter(THROUGHPUT_JOBS);
  const queue = createQueue({ database, logger: silentLogger, concurrency: CONCURRENCY, leaseSeconds: 60, prefetch });
  queue.register('bench.noop', all.hit);
  const started = now();
  await queue.start();
  await bounded(all.done, PHASE_LIMIT_MS, 'patchbay throughput');
  await queue.stop({ graceMs: 10_000 }); // writes the last completions
  const elapsed = now() - started;
  const [left] = await rows<{ n: number }>(database.db, sql`select count(*)::int as n from jobs`);
  if (left!.n !== 0) throw new Error(`${left!.n} patchbay jobs left after the run`);
  return throughput(THROUGHPUT_JOBS, elapsed);
}

async function patchbayLatency(database: Database, inTransaction: boolean): Promise<number[]> {
  const samples: number[] = [];
  const all = counter(LATENCY_JOBS);
  const queue = createQueue({ database, logger: silentLogger, concurrency: CONCURRENCY, leaseSeconds: 60 });
  queue.register<{ t0: number }>('bench.latency', ({ job }) => {
    samples.push(now() - job.payload.t0);
    all.hit();
  });
  await queue.start();
  await paced((i) => {
    const spec = { type: 'bench.latency', payload: { t0: now(), i } };
    return inTransaction ? database.db.transaction((tx) => enqueue(tx, spec)) : enqueue(database.db, spec);
  });
  await bounded(all.done, PHASE_LIMIT_MS, 'patchbay latency');
  await queue.stop();
  return samples;
}

// ── graphile-worker ─────────────────────────────────────────────────────────────────────────

async function graphileThroughput(pgPool: pg.Pool, preset: GraphileConfig.Preset): Promise<Throughput> {
  const utils = await makeWorkerUtils({ pgPool, logger: quiet });
  try {
    for (let i = 0; i < THROUGHPUT_JOBS; i += 1_000) {
      await utils.addJobs(Array.from({ length: Math.min(1_000, THROUGHPUT_JOBS - i) }, (_, k) => ({ identifier: 'noop', payload: { i: i + k } })));
    }
  } finally {
    await utils.release();
  }
  const all = counter(THROUGHPUT_JOBS);
  const taskList: TaskList = { noop: async () => all.hit() };
  const started = now();
  const runner = await runGraphile({ pgPool, concurrency: CONCURRENCY, noHandleSignals: true, taskList, logger: quiet, preset });
  await bounded(all.done, PHASE_LIMIT_MS, 'graphile-worker throughput');
  // Its last completions may still be in flight: the run ends when the table is empty.
  const left = async () => (await pgPool.query('select count(*)::int as n from graphile_worker._private_jobs')).rows[0].n as number;
  await bounded(
    (async () => {
      while ((await left()) > 0) await new Promise((resolve) => setTimeout(resolve, 2));
    })(),
    10_000,
    `graphile-worker's last completions`,
  );
  const elapsed = now() - started;
  await runner.stop();
  return throughput(THROUGHPUT_JOBS, elapsed);
}

async function graphileLatency(pgPool: pg.Pool): Promise<number[]> {
  const samples: number[] = [];
  const all = counter(LATENCY_JOBS);
  const taskList: TaskList = {
    latency: async (payload) => {
      samples.push(now() - (payload as { t0: number }).t0);
      all.hit();
    },
  };
  const runner = await runGraphile({ pgPool, concurrency: CONCURRENCY, noHandleSignals: true, taskList, logger: quiet });
  const utils = await makeWorkerUtils({ pgPool, logger: quiet });
  try {
    await paced((i) => utils.addJob('latency', { t0: now(), i }));
    await bounded(all.done, PHASE_LIMIT_MS, 'graphile-worker latency');
  } finally {
    await utils.release();
    await runner.stop();
  }
  return samples;
}

// ── the run ─────────────────────────────────────────────────────────────────────────────────

async function main(): Promise<void> {
  const server = benchServerUrl();
  const name = `patchbay_bench_${process.pid}`;
  const url = new URL(server);
  url.pathname = `/${name}`;
  const connectionString = url.toString();
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  const { rows: version } = await admin.query('show server_version');
  const loadAverageAtStart = os.loadavg().map((v) => Math.round(v * 100) / 100);
  await admin.query(`drop database if exists ${name}`);
  await admin.query(`create database ${name}`);
  let database: Database | undefined;
  // graphile-worker's connections, in a pool we own, so none outlives the run (its default size).
  const graphilePool = new pg.Pool({ connectionString, max: 10 });
  graphilePool.on('error', () => undefined);
  graphilePool.on('connect', (client) => client.on('error', () => undefined));
  try {
    database = await openDatabase({ databaseUrl: connectionString, dataDir: os.tmpdir(), poolSize: 10 });
    await migrate(database.db);
    await runMigrations({ pgPool: graphilePool, logger: quiet });

    const log = (what: string, value: unknown) => console.log(`  ${what}: ${JSON.stringify(value)}`);
    const vacuum = async () => {
      const client = new pg.Client({ connectionString });
      await client.connect();
      await client.query('vacuum analyze jobs');
      await client.query('vacuum analyze graphile_worker._private_jobs');
      await client.end();
    };

    const contenders = {
      patchbay: () => patchbayThroughput(database!),
      graphileWorker: () => graphileThroughput(graphilePool, {}),
      patchbayBatched: () => patchbayThroughput(database!, BATCHED),
      graphileWorkerBatched: () =>
        graphileThroughput(graphilePool, { worker: { localQueue: { size: BATCHED }, completeJobBatchDelay: 0, failJobBatchDelay: 0 } }),
    } satisfies Record<string, () => Promise<Throughput>>;
    const samples: Record<string, Throughput[]> = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, run] of Object.entries(contenders)) {
        await vacuum();
        samples[name]!.push(await run());
        log(`round ${round + 1} ${name}`, samples[name]!.at(-1)!.jobsPerSecond);
      }
    }
    const tp = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)])) as Record<keyof typeof contenders, Rounds>;
    const latencyRuns = {
      patchbay: () => patchbayLatency(database!, false),
      patchbayInTransaction: () => patchbayLatency(database!, true),
      graphileWorker: () => graphileLatency(graphilePool),
    } satisfies Record<string, () => Promise<number[]>>;
    const latencySamples: Record<string, number[]> = Object.fromEntries(Object.keys(latencyRuns).map((k) => [k, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, run] of Object.entries(latencyRuns)) {
        await vacuum();
        latencySamples[name]!.push(...(await run()));
      }
    }
    const latency = Object.fromEntries(
      Object.entries(latencySamples).map(([k, v]) => [k, { jobs: v.length, ratePerSecond: LATENCY_RATE, ms: percentiles(v) }]),
    ) as Record<keyof typeof latencyRuns, { jobs: number; ratePerSecond: number; ms: ReturnType<typeof percentiles> }>;
    log('enqueue→start latency (ms)', latency);

    const file = writeResult('queue', {
      postgres: version[0].server_version,
      loadAverageAtStart,
      settings: {
        throughputJobs: THROUGHPUT_JOBS,
        rounds: ROUNDS,
        concurrency: CONCURRENCY,
        latencyJobsPerRound: LATENCY_JOBS,
        latencyRatePerSecond: LATENCY_RATE,
        patchbay: `defaults (prefetch = concurrency); "batched": prefetch ${BATCHED}`,
        graphileWorker: `0.17.3, defaults except concurrency; "batched": localQueue.size ${BATCHED}, completeJobBatchDelay 0, failJobBatchDelay 0`,
      },
      throughput: {
        ...tp,
        ratio: round(tp.patchbay.jobsPerSecond / tp.graphileWorker.jobsPerSecond),
        ratioBatched: round(tp.patchbayBatched.jobsPerSecond / tp.graphileWorkerBatched.jobsPerSecond),
      },
      latency: {
        ...latency,
        ratioP50: round(latency.patchbay.ms.p50 / latency.graphileWorker.ms.p50),
        note: 'patchbay: enqueue(db) commits at once and wakes the local worker; patchbayInTransaction: enqueue(tx) inside db.transaction, woken by NOTIFY at commit; graphileWorker: addJob through WorkerUtils',
      },
      aim: {
        throughputAtLeastGraphileWorker: tp.patchbay.jobsPerSecond >= tp.graphileWorker.jobsPerSecond,
        batchedThroughputAtLeastGraphileWorkerBatched: tp.patchbayBatched.jobsPerSecond >= tp.graphileWorkerBatched.jobsPerSecond,
        p50UnderTenMs: latency.patchbay.ms.p50 < 10 && latency.patchbayInTransaction.ms.p50 < 10,
      },
    });
    console.log(`  wrote ${file}`);
  } finally {
    await database?.close();
    await graphilePool.end();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

const round = (v: number) => Math.round(v * 100) / 100;

await main();
