/**
 * Inbound webhook ingestion beside its limit, in one run on one machine. The load generator
 * (autocannon, in this process) sends distinct, freshly Stripe-signed events — never a duplicate,
 * never a stale timestamp — over loopback to a server in another process:
 * - the limit: a bare Fastify server that reads the body and answers 204 (bench/inbound/receiver.ts);
 * - the hub (API role) on PGlite, then on PostgreSQL: verified, stored through the group commit,
 *   acknowledged after the commit. Stored rows are counted after each phase.
 * Each target gets a maximum-rate phase (100 connections), and the hub a phase at half its
 * maximum rate, for the acknowledgement latency at a sustainable load.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon, { type Options, type Result } from 'autocannon';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { openDatabase, rows } from '../src/db/index.ts';
import { SIGNERS } from '../simulators/index.ts';
import { benchServerUrl, bounded, writeResult } from './support.ts';

const dir = path.dirname(fileURLToPath(import.meta.url));
const SECRET = 'whsec_bench_secret';
const PUBLIC_URL = 'https://hooks.bench.test';
const CONNECTIONS = 100;
const SECONDS = 10;
const WARMUP_SECONDS = 2;

interface Server {
  child: ChildProcess;
  url: string;
  sourceId: string;
}

function start(script: string, env: Record<string, string | undefined>): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(dir, 'inbound', script)], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  return bounded(
    new Promise<Server>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve({ child, sourceId: 'src_limit', ...(JSON.parse(line) as { url: string; sourceId?: string }) } as Server);
      });
      child.once('exit', (code) => reject(new Error(`${script} exited (${code})`)));
    }),
    60_000,
    `starting ${script}`,
  );
}

async function stop(server: Server): Promise<void> {
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await bounded(exited, 30_000, 'stopping a server');
}

interface Phase {
  requestsPerSecond: number;
  ok: number;
  errors: number;
  non2xx: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
}

let sequence = 0;

const run = (options: Options) =>
  new Promise<Result>((resolve, reject) => {
    autocannon(options, (err, result) => (err ? reject(err) : resolve(result)));
  });

// A failing run must not leave servers behind.
const children = new Set<ChildProcess>();
process.once('exit', () => children.forEach((c) => c.exitCode === null && c.kill('SIGKILL')));

/** Runs autocannon against `server`; every request a new Stripe event signed just before it is sent. */
async function phase(server: Server, seconds: number, rate?: number): Promise<Phase> {
  const target = `${PUBLIC_URL}/webhooks/in/${server.sourceId}`;
  const result = await bounded(
    run({
      url: `${server.url}/webhooks/in/${server.sourceId}`,
      connections: CONNECTIONS,
      duration: seconds,
      ...(rate ? { overallRate: rate } : {}),
      requests: [
        {
          method: 'POST',
          setupRequest: (request: Record<string, unknown>) => {
            const body = JSON.stringify({ id: `evt_bench_${process.pid}_${sequence++}`, object: 'event', type: 'charge.succeeded', account: 'acct_bench', data: { object: { id: `ch_${sequence}`, amount: 1999, currency: 'usd' } } });
            const signed = SIGNERS.stripe!(SECRET, { url: target, body });
            return { ...request, headers: signed.headers, body };
          },
        },
      ],
    }),
    (seconds + 30) * 1000,
    'an autocannon phase',
  );
  return {
    requestsPerSecond: Math.round(result['2xx'] / seconds),
    ok: result['2xx'],
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
  };
}

async function measureHub(kind: 'pglite' | 'postgres', limit: Phase) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-bench-inbound-'));
  let databaseUrl: string | undefined;
  let admin: pg.Client | undefined;
  if (kind === 'postgres') {
    const base = new URL(benchServerUrl());
    const name = `patchbay_bench_inbound_${process.pid}`;
    admin = new pg.Client({ connectionString: base.toString() });
    await admin.connect();
    await admin.query(`drop database if exists ${name}`);
    await admin.query(`create database ${name}`);
    base.pathname = `/${name}`;
    databaseUrl = base.toString();
  }
  const env = { PATCHBAY_DATA_DIR: dataDir, DATABASE_URL: databaseUrl, PATCHBAY_SECRET_KEYS: databaseUrl ? `bench:${Buffer.alloc(32, 7).toString('base64')}` : undefined };
  const hub = await start('hub.ts', env);
  try {
    await phase(hub, WARMUP_SECONDS);
    const max = await phase(hub, SECONDS);
    const half = await phase(hub, SECONDS, Math.max(1, Math.floor(max.requestsPerSecond / 2)));
    await stop(hub);
    const database = await openDatabase({ databaseUrl, dataDir });
    const [stored] = await rows<{ n: number }>(database.db, sql`select count(*)::int as n from inbound_events where status = 'received'`);
    await database.close();
    const acknowledged = await Promise.resolve(max.ok + half.ok);
    return {
      max,
      halfRate: { targetPerSecond: Math.floor(max.requestsPerSecond / 2), ...half },
      ofLimit: Math.round((max.requestsPerSecond / limit.requestsPerSecond) * 1000) / 1000,
      // Every acknowledged request of the measured phases (and the warm-up) is a stored row.
      storedAtLeastAcknowledged: stored!.n >= acknowledged,
      stored: stored!.n,
    };
  } finally {
    if (hub.child.exitCode === null) hub.child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (admin && databaseUrl) {
      await admin.query(`drop database if exists ${new URL(databaseUrl).pathname.slice(1)} with (force)`);
      await admin.end();
    }
  }
}

const receiver = await start('receiver.ts', {});
await phase(receiver, WARMUP_SECONDS);
const limit = await phase(receiver, SECONDS);
await stop(receiver);
console.log(`limit (bare receiver, 204): ${limit.requestsPerSecond} req/s, p50 ${limit.latencyMs.p50} ms, p99 ${limit.latencyMs.p99} ms`);

const results: Record<string, unknown> = {};
for (const kind of ['pglite', 'postgres'] as const) {
  const r = await measureHub(kind, limit);
  results[kind] = r;
  console.log(
    `${kind}: ${r.max.requestsPerSecond} req/s (${Math.round(r.ofLimit * 100)} % of the limit), p50 ${r.max.latencyMs.p50} ms, p99 ${r.max.latencyMs.p99} ms; ` +
      `at half rate (${r.halfRate.targetPerSecond}/s) p50 ${r.halfRate.latencyMs.p50} ms, p99 ${r.halfRate.latencyMs.p99} ms; stored ${r.stored} (all acknowledged: ${r.storedAtLeastAcknowledged})`,
  );
}

const postgres = results.postgres as Awaited<ReturnType<typeof measureHub>>;
const file = writeResult('inbound', {
  setup: { connections: CONNECTIONS, seconds: SECONDS, loadGenerator: 'autocannon 8 in the benchmark process; servers in their own processes; loopback', payload: 'distinct Stripe-signed events, ~200 bytes' },
  limit,
  ...results,
  aim: {
    postgresAtLeast30PercentOfLimit: postgres.ofLimit >= 0.3,
    postgresP99Under50msAtHalfRate: postgres.halfRate.latencyMs.p99 < 50,
  },
});
console.log(`wrote ${file}`);
