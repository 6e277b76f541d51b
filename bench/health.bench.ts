/**
 * Health checks at scale: N connections (10,000 by default; `HEALTH_BENCH_CONNECTIONS`) to the
 * Stripe simulator (in a process of its own), each checked every 60 s by ONE worker process —
 * the planner's recurring job, one `health.check` job per connection, the connector's test
 * through the proxy, history rows. Measured over MEASURE_S seconds of steady state, in this
 * process: the CPU share the checks take (user + system time / wall time, of one core), the
 * database load (statements and commits per second), and how late each check started after its
 * planned instant (the aim: never more than 5 s). It creates its own database and drops it.
 */
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { createLogger, systemClock } from '../src/core/index.ts';
import { migrate, openDatabase, rows, type Database } from '../src/db/index.ts';
import { createQueue, type Queue } from '../src/queue/index.ts';
import { createVault } from '../src/credentials/index.ts';
import { loadRegistry } from '../src/connectors/index.ts';
import { bootstrapOrganization } from '../src/auth/index.ts';
import { createIntegration } from '../src/integrations/index.ts';
import { createConnection } from '../src/connections/index.ts';
import { createOperations, HEALTH_CHECK_JOB, HEALTH_DEFAULTS } from '../src/alerts/index.ts';
import { benchServerUrl, bounded, percentiles, statementCounter, writeResult } from './support.ts';

const DIR = path.dirname(fileURLToPath(import.meta.url));
const CONNECTIONS = Number(process.env.HEALTH_BENCH_CONNECTIONS ?? 10_000);
const INTERVAL_S = 60;
const MEASURE_S = Number(process.env.HEALTH_BENCH_MEASURE_SECONDS ?? 120);
const CREATE_CONCURRENCY = 16;
/** The worker's job concurrency (PATCHBAY_WORKER_CONCURRENCY, 20 by default). */
const WORKER_CONCURRENCY = Number(process.env.HEALTH_BENCH_WORKER_CONCURRENCY ?? 20);
const round = (v: number) => Math.round(v * 100) / 100;

async function startSimulatorProcess(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(DIR, 'simulator-process.ts'), 'stripe'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await bounded(
    new Promise<string>((resolve) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /^listening (\S+)$/m.exec(out);
        if (match) resolve(match[1]!);
      });
    }),
    30_000,
    'the simulator process',
  );
  return { url, child };
}

/** The queue, with each check's start timed against its planned instant. */
function timedQueue(queue: Queue, lateness: number[], measuring: () => boolean): Queue {
  return {
    ...queue,
    workerId: queue.workerId,
    register(type, handler, options) {
      if (type !== HEALTH_CHECK_JOB) return queue.register(type, handler, options);
      return queue.register<{ dueAt: string }>(
        type,
        (context) => {
          if (measuring()) lateness.push(Date.now() - Date.parse(context.job.payload.dueAt));
          return (handler as typeof handler)(context as never);
        },
        options,
      );
    },
    schedule: (...args) => queue.schedule(...args),
    start: () => queue.start(),
    stop: (o) => queue.stop(o),
  };
}

async function main(): Promise<void> {
  await loadRegistry();
  const server = benchServerUrl();
  const name = `patchbay_healthbench_${process.pid}`;
  const dbUrl = new URL(server);
  dbUrl.pathname = `/${name}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`drop database if exists ${name}`);
  await admin.query(`create database ${name}`);
  const loadAverageAtStart = os.loadavg().map(round);
  const simulator = await startSimulatorProcess();
  let database: Database | undefined;
  let queue: Queue | undefined;
  let stopOps: (() => Promise<void>) | undefined;
  try {
    database = await openDatabase({ databaseUrl: dbUrl.toString(), dataDir: os.tmpdir(), poolSize: 10 });
    await migrate(database.db);
    const db = database.db;
    const logger = createLogger({ level: 'silent' });
    const vault = createVault({ keys: [{ id: 'bench', key: randomBytes(32) }], clock: systemClock });
    const seed = (await bootstrapOrganization(db, { organizationName: 'Bench', organizationSlug: 'bench', environments: ['dev'], ownerEmail: 'o@bench.test', ownerName: 'O', ownerPassword: 'correct horse battery staple', keyEnvironment: 'dev', allowPrivateNetworksIn: ['dev'] }))!;
    const scope = { organizationId: seed.organization.id, environmentId: seed.environments[0]!.id };
    await createIntegration(db, vault, scope, { connectorKey: 'stripe', baseUrl: `${simulator.url}` });

    const setupStart = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CREATE_CONCURRENCY }, async () => {
        for (let i = next++; i < CONNECTIONS; i = next++) {
          await createConnection(db, vault, scope, { integration: 'stripe', id: `bench-${i}`, endCustomerId: `c-${i}`, credentials: { apiKey: 'sk_test_patchbaysimulator0000000001' }, test: false });
        }
      }),
    );
    const setupSeconds = round((performance.now() - setupStart) / 1000);
    console.log(`${CONNECTIONS} connections in ${setupSeconds} s`);
    // Tables filled within the last minute have no planner statistics until autovacuum's next
    // round: the secrets lookups then took a tenant-wide index and filtered 10,000 rows (3–20 ms
    // each, seen with EXPLAIN ANALYZE), and the warm-up fell behind. A hub in its steady state has
    // them; so does this run (again after the warm-up, which fills health_states).
    await database.db.execute(sql`analyze`);

    const lateness: number[] = [];
    let measuring = false;
    const real = createQueue({ database, logger, clock: systemClock, concurrency: WORKER_CONCURRENCY, leaseSeconds: 60 });
    queue = timedQueue(real, lateness, () => measuring);
    const ops = createOperations({ database, vault, clock: systemClock, logger, publicUrl: 'http://127.0.0.1', retentionDays: 30, health: HEALTH_DEFAULTS });
    stopOps = () => ops.stop();
    ops.install(queue);
    await queue.start();
    // One full interval to settle: every connection gets its place and its first check.
    console.log(`warming up for ${INTERVAL_S} s`);
    await new Promise((r) => setTimeout(r, INTERVAL_S * 1_000));
    await database.db.execute(sql`analyze`);

    const counter = statementCounter();
    const [before] = await rows<{ commits: number }>(db, sql`select xact_commit::int as commits from pg_stat_database where datname = current_database()`);
    const checksBefore = (await rows<{ n: number }>(db, sql`select count(*)::int as n from health_checks`))[0]!.n;
    const cpuStart = process.cpuUsage();
    const wallStart = performance.now();
    measuring = true;
    counter.start();
    console.log(`measuring for ${MEASURE_S} s`);
    await new Promise((r) => setTimeout(r, MEASURE_S * 1_000));
    measuring = false;
    const statements = counter.stop();
    const wallMs = performance.now() - wallStart;
    const cpu = process.cpuUsage(cpuStart);
    const [after] = await rows<{ commits: number }>(db, sql`select xact_commit::int as commits from pg_stat_database where datname = current_database()`);
    const checks = (await rows<{ n: number }>(db, sql`select count(*)::int as n from health_checks`))[0]!.n - checksBefore;
    const outcomes = await rows<{ outcome: string; n: number }>(db, sql`select outcome, count(*)::int as n from health_checks group by outcome`);
    const late = percentiles(lateness.length ? lateness : [0]);
    // How long the provider call itself took (the simulator in its own process, on the same machine).
    const probe = percentiles((await rows<{ ms: number }>(db, sql`select latency_ms as ms from health_checks`)).map((r) => r.ms));
    const result = {
      connections: CONNECTIONS,
      intervalSeconds: INTERVAL_S,
      measuredSeconds: round(wallMs / 1000),
      setupSeconds,
      checks,
      checksPerSecond: round(checks / (wallMs / 1000)),
      expectedChecksPerSecond: round(CONNECTIONS / INTERVAL_S),
      outcomes: Object.fromEntries(outcomes.map((o) => [o.outcome, o.n])),
      workerConcurrency: WORKER_CONCURRENCY,
      probeLatencyMs: probe,
      cpuShareOfOneCore: round((cpu.user + cpu.system) / 1000 / wallMs),
      database: {
        statementsPerSecond: round(statements.total / (wallMs / 1000)),
        commitsPerSecond: round(((after?.commits ?? 0) - (before?.commits ?? 0)) / (wallMs / 1000)),
        statementsPerCheck: round(statements.total / Math.max(1, checks)),
        topStatements: statements.top.slice(0, 8),
      },
      startLatenessMs: late,
      checksLaterThan5s: lateness.filter((ms) => ms > 5_000).length,
      aim: {
        everyCheckWithin5sOfItsSlot: lateness.every((ms) => ms <= 5_000),
        keepsUpWithTheInterval: checks >= 0.95 * (CONNECTIONS / INTERVAL_S) * (wallMs / 1000),
      },
      loadAverageAtStart,
    };
    console.log(JSON.stringify(result, null, 2));
    console.log(`written ${writeResult('health', result)}`);
  } finally {
    await queue?.stop({ graceMs: 2_000 });
    await stopOps?.();
    await database?.close();
    simulator.child.kill('SIGTERM');
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

await main();
process.exit(0);
