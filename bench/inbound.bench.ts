/**
 * Inbound webhook ingestion beside its limit, in one run on one machine. The load generator
 * (autocannon, in this process) sends distinct, freshly Stripe-signed events — never a duplicate,
 * never a stale timestamp — over loopback to servers in other processes, all three started
 * first and kept up for the whole run (idle while another is measured):
 * - the limit: a bare Fastify server that reads the body and answers 204 (bench/inbound/receiver.ts);
 * - the hub (API role) on PGlite and on PostgreSQL: verified, stored through the group commit,
 *   acknowledged after the commit. Stored rows are counted once the hubs have stopped.
 * It compares them in rounds (`BENCH_ROUNDS`, default 3, after one warm-up round of
 * 2 s per target not counted): a round measures the limit at its maximum rate (100 connections),
 * then each hub at its maximum rate and at half of that rate (acknowledgement latency at a
 * sustainable load). Each hub's ratio to the limit is taken within its round; the JSON reports the
 * medians over the rounds (ratio, half-rate p99) and judges the aims of issue #16 on them.
 *
 * Where the time goes (2026-12-04, quiet machine apart from a test run; BENCH_SECONDS=6
 * BENCH_ROUNDS=1 BENCH_CPU_PROFILE_DIR=…, self time of each hub process over its whole life):
 * - PostgreSQL hub: Node's HTTP server internals 22 %, Fastify 13 % — both paid by the bare
 *   receiver too —, socket writes 13 % (answers and the driver's messages), GC 5 %, the inbound
 *   module itself 6 %, the pg driver 4 %, drizzle 3 %, the log scrubber's e-mail regex 2 %,
 *   event-id scanning 1 %. What the receiver does not pay is a database round trip per group
 *   commit and the answer held until it: the ratio is bounded by commit latency more than CPU.
 * - PGlite hub: the database itself, run on the event loop, takes 36 % (its WebAssembly 22 %, its
 *   JavaScript 14 %), on the same thread that parses requests — hence its tail at half rate. A
 *   worker thread for PGlite is the step that would change that.
 *
 * PGlite in a worker thread (2026-12-04, src/db/pglite-thread.ts, `PATCHBAY_PGLITE_THREAD`, now
 * on by default): A/B in alternating runs (off, on, on, off; BENCH_SECONDS=5 BENCH_ROUNDS=2, load
 * average 6 on the 2 cores), the hub's main-thread event-loop delay taken by a preload
 * (perf_hooks.monitorEventLoopDelay, 5 ms resolution, from 5 s after start to exit). PGlite p99 at
 * half rate: 565 and 775 ms on the hub's thread, 85 and 97 ms in the worker (the tail was the
 * database's statements stalling the loop that parses requests; the PostgreSQL hub in the same
 * runs: 62–105 ms). Ratio to the limit unchanged within the noise: 0.19 and 0.24 off, 0.19 and
 * 0.22 on (the database still has one thread, and the 2 cores are shared). Event-loop delay of the
 * PGlite hub, off → on: p99 43 and 35 ms → 24 and 26 ms, p99.9 160 and 69 ms → 63 and 89 ms, max
 * 4.0 s and 195 ms → 132 and 166 ms. CPU per stored request about the same (process CPU over the
 * hub's life / rows stored: 574 and 628 µs off, 854 and 648 µs on); a single statement's round
 * trip costs ~100–250 µs more CPU across the thread (structured clone, two loops woken), which
 * overlapping work under load pays back. A third pair at load average 13 (the limit itself fell
 * to ~600 req/s, so no ratio is worth quoting) went the same way: half-rate p99 2,993 → 198 ms,
 * event-loop p99 211 → 86 ms, max 12.3 → 2.2 s.
 *
 * PostgreSQL hub profile (2026-12-04, main b4e7270, BENCH_SECONDS=4 BENCH_ROUNDS=1, load shared
 * with 3 other helpers: limit 20.7k req/s, PostgreSQL 11 %, PGlite 15 %): the hub's main thread
 * was busy 10.5 s of 31.7 s for 19,038 stored rows, ~550 µs CPU per stored webhook including its
 * start-up. Of the busy time: ajv compile and fast-json-stringify build ~12 % together, all at
 * start-up (per-request validate/serialize < 0.2 %: the route's own serializer already skips
 * serialization); the inbound module inclusive (Ingestor.handle: lookup from the source cache,
 * Stripe verify, #row, the group-commit add) 8 % (~45 µs/webhook); the app-wide hooks ~11 % (below)
 * (src/api plugins, not this route's); pino child logger + log context ~2 %; writev 10 %, GC 10 %.
 * Already in place, so not the lever: source cache (5 s, invalidated on change), raw Buffer body
 * read once by the route's parser, one HMAC over the Buffer, one multi-row insert per batch via
 * jsonb_to_recordset (statements per batch: begin, dedupe claim, insert, commit). Polling
 * pg_stat_database of the bench database every 0.5 s during a run (BENCH_SECONDS=3): 875
 * transactions for 40,646 tuples inserted (an event row and a dedupe row each) under load, ~23
 * webhooks per group commit, so ~0.17 statements (~0.04 round trips) per webhook. The app-wide
 * hooks the inbound route pays, % of busy (inclusive): api/log-context 4.4, api/server 2.0,
 * api/validation 1.9, @fastify/cookie 0.8, api/tracing 0.7, api/auth 0.5 (a public route),
 * api/rate-limit 0.4, api/idempotency 0.1 — ~11 % in all, more than the inbound module. No change made
 * in this round (time ran out before an A/B could judge one).
 *
 * Deduplication claims in the event rows (2026-12-05, branch in16; migration 0009). Each webhook
 * used to write two tuples — its event row and a claim row in inbound_dedupe (an upsert with its
 * primary key and expiry index) — in two statements. Now the event row holds the claim
 * (`dedupe_expires_at`, a partial unique index on source and provider event id) and one plain
 * insert stores and claims; a claim already held fails it, and the batch is stored again with
 * `on conflict do nothing`, each conflicting row settled after (a duplicate of a live holder, or
 * taken over when the holder's window ended). A claim that outlives its event (retention shorter
 * than the window, erasure) is moved to inbound_dedupe under that table's exclusive lock; the
 * insert asks, in its RETURNING, whether that table holds live claims (`for key share`, so the two
 * never interleave) and only then checks the new claims against it. Measured, machine shared with
 * other helpers (load 2–6 on the 2 cores), base = main 9325d8c, scripts outside the repo:
 * - The statements alone on one connection, old (claim upsert + insert) and new interleaved in
 *   blocks of 25 batches of 23, /proc CPU of the backend: new as first written (`on conflict do
 *   nothing` on every insert) 68 and 50 µs per webhook vs old 57 and 47 — a speculative insertion
 *   on the wide table costs more than the narrow claim row did; a plain insert (kept) 43 and 43 vs
 *   old 50 and 41: the database's CPU per webhook is about what it was; the claim row was cheap.
 *   Joining inbound_dedupe into every insert (the first way of honouring moved claims) cost another
 *   ~20 µs a row, most of it planning (2.4 ms planning vs 0.1 ms for the plain insert, EXPLAIN
 *   ANALYZE): hence the gate in RETURNING. Parsing the batch's JSON is ~12 µs a row of it.
 * - storeBatch on PostgreSQL, 600 sequential batches of 23 (database backends' /proc CPU,
 *   pg_current_wal_lsn): tuples inserted 2.05–2.10 → 1.03–1.05 per webhook; WAL 1,362 → 1,183
 *   bytes per webhook; statements per batch 5 → 4 (begin, insert, enqueue, commit); Node CPU 83–85 →
 *   76–77 µs per webhook (with the join version; backend CPU then unchanged within the noise). On
 *   PGlite the same batches cost ~300–360 µs per webhook either way (its WebAssembly dominates).
 * - The hub on PostgreSQL at a fixed 1,500/s for 8 s (process CPU / stored; join version): hub
 *   220–227 → 212–218 µs per webhook, backends 115–118 → 117–125 µs, ~13 webhooks per commit; p99
 *   42–53 → 44–47 ms. Final version, same test at load 4–5: hub 319 and 327 → 305 and 281 µs per
 *   webhook, tuples 1.97 → 0.92–0.99 per webhook, p99 145 and 305 → 141 and 94 ms (the hub barely
 *   kept up at that load); the backends' CPU read 73–74 → 104–115 µs, which the interleaved test
 *   above does not bear out — pool connections come and go, so this figure is the least reliable.
 * - Group commit in flight on PostgreSQL at a fixed 2,000/s (two runs each): 1 → p50 15–17 ms, p99
 *   44–45 ms, 23 per commit, backends 98–110 µs; 2 (kept) → p50 13–14, p99 37–49, 13 per commit,
 *   113–128 µs; 3 → p99 59–100; 4 → p99 48–118, 9 per commit, 149–168 µs. More in flight means
 *   smaller batches and more CPU per webhook, not a shorter tail; at full rate 1 and 2 were within the
 *   noise (3.6–5.0k vs 4.3–4.8k req/s). A transaction takes ~10 ms here (four round trips and the WAL
 *   flush), so p50 at half rate is about one and a half transactions; the p99 is stalls of the
 *   shared machine more than the batching.
 * - Where the hub's time goes at a fixed 1,500/s (last 10 s of a --cpu-prof, busy 30 % of the
 *   thread): Fastify 8.8 %, the pg driver and drizzle 7.4 % of which socket writes 4.8 % — the pg
 *   driver sends each message of a parameterised query (parse, bind, describe, execute, sync) with
 *   its own write, ~12 writes per batch: a matter for src/db (corking the socket per turn was tried
 *   and was within the noise) —, Node's HTTP parser 4.2 %, the inbound module 4.7 % (Stripe verify
 *   2.7), the route 3.1, api/server 2.2, log context 1.9, GC 1.7. Per request the route no longer
 *   builds entry arrays to copy headers, a source's allowed methods are computed once per cached
 *   load, and credential-header checks are remembered per name (each well under 1 % of busy).
 * - Full bench, BENCH_SECONDS=5 BENCH_ROUNDS=2, base, branch, branch, base at load 5–6: the limit
 *   itself ranged 4.9–16.6k req/s between rounds, so no ratio from these runs says anything (base
 *   PostgreSQL 0.21 and 0.26, branch 0.26 and 0.19; PGlite 0.15 and 0.19 vs 0.21 and 0.21); every
 *   run stored at least what it acknowledged. The aims stay out of reach on this machine: the hub's
 *   own thread spends ~200 µs per webhook, most of it HTTP, Fastify, app-wide hooks and driver I/O.
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
import { benchRounds, benchServerUrl, bounded, median, writeResult } from './support.ts';

const dir = path.dirname(fileURLToPath(import.meta.url));
const SECRET = 'whsec_bench_secret';
const PUBLIC_URL = 'https://hooks.bench.test';
const CONNECTIONS = 100;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = benchRounds();
const WARMUP_SECONDS = 2;

interface Server {
  child: ChildProcess;
  url: string;
  sourceId: string;
}

function start(script: string, env: Record<string, string | undefined>): Promise<Server> {
  // BENCH_CPU_PROFILE_DIR=<dir>: each server writes a CPU profile there when it stops (how the
  // README's "where the time goes" was found).
  const profile = process.env.BENCH_CPU_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', path.join(dir, 'inbound', script)], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
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

interface HubUnderTest {
  kind: 'pglite' | 'postgres';
  server: Server;
  dataDir: string;
  databaseUrl?: string;
  /** Requests acknowledged with a 2xx in every phase, the warm-up included. */
  acknowledged: number;
}

async function startHub(kind: 'pglite' | 'postgres'): Promise<HubUnderTest> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-bench-inbound-'));
  let databaseUrl: string | undefined;
  if (kind === 'postgres') {
    const base = new URL(benchServerUrl());
    const name = `patchbay_bench_inbound_${process.pid}`;
    await withAdmin(async (admin) => {
      await admin.query(`drop database if exists ${name}`);
      await admin.query(`create database ${name}`);
    });
    base.pathname = `/${name}`;
    databaseUrl = base.toString();
  }
  const env = { PATCHBAY_DATA_DIR: dataDir, DATABASE_URL: databaseUrl, PATCHBAY_SECRET_KEYS: databaseUrl ? `bench:${Buffer.alloc(32, 7).toString('base64')}` : undefined };
  return { kind, server: await start('hub.ts', env), dataDir, ...(databaseUrl ? { databaseUrl } : {}), acknowledged: 0 };
}

async function withAdmin<T>(use: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: benchServerUrl() });
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.end();
  }
}

/** Stops the hub and counts what it stored: every acknowledged request must be a stored row. */
async function stopHub(hub: HubUnderTest): Promise<{ stored: number; acknowledged: number; storedAtLeastAcknowledged: boolean }> {
  try {
    await stop(hub.server);
    const database = await openDatabase({ databaseUrl: hub.databaseUrl, dataDir: hub.dataDir });
    const [stored] = await rows<{ n: number }>(database.db, sql`select count(*)::int as n from inbound_events where status = 'received'`);
    await database.close();
    return { stored: stored!.n, acknowledged: hub.acknowledged, storedAtLeastAcknowledged: stored!.n >= hub.acknowledged };
  } finally {
    await dropHub(hub);
  }
}

async function dropHub(hub: HubUnderTest): Promise<void> {
  if (hub.server.child.exitCode === null) hub.server.child.kill('SIGKILL');
  fs.rmSync(hub.dataDir, { recursive: true, force: true });
  if (hub.databaseUrl) await withAdmin((admin) => admin.query(`drop database if exists ${new URL(hub.databaseUrl!).pathname.slice(1)} with (force)`));
}

async function measure(hub: HubUnderTest, seconds: number, rate?: number): Promise<Phase> {
  const result = await phase(hub.server, seconds, rate);
  hub.acknowledged += result.ok;
  return result;
}

const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;

const receiver = await start('receiver.ts', {});
const hubs: HubUnderTest[] = [];
try {
  for (const kind of ['pglite', 'postgres'] as const) hubs.push(await startHub(kind));

  // The warm-up round: every target once, briefly, so no counted round runs cold code.
  await phase(receiver, WARMUP_SECONDS);
  for (const hub of hubs) await measure(hub, WARMUP_SECONDS);

  const rounds: { limit: Phase; pglite: HubRound; postgres: HubRound }[] = [];
  for (let i = 1; i <= ROUNDS; i++) {
    const limit = await phase(receiver, SECONDS);
    const round = { limit } as (typeof rounds)[number];
    for (const hub of hubs) {
      const max = await measure(hub, SECONDS);
      const targetPerSecond = Math.max(1, Math.floor(max.requestsPerSecond / 2));
      const half = await measure(hub, SECONDS, targetPerSecond);
      round[hub.kind] = { max, halfRate: { targetPerSecond, ...half }, ofLimit: ratio(max.requestsPerSecond, limit.requestsPerSecond) };
    }
    rounds.push(round);
    console.log(
      `round ${i}/${ROUNDS}: limit (bare receiver, 204) ${limit.requestsPerSecond} req/s, p99 ${limit.latencyMs.p99} ms` +
        hubs
          .map(({ kind }) => {
            const r = round[kind];
            return ` · ${kind} ${r.max.requestsPerSecond} req/s (${Math.round(r.ofLimit * 100)} % of the limit), p50 ${r.max.latencyMs.p50} ms, p99 ${r.max.latencyMs.p99} ms; at half rate (${r.halfRate.targetPerSecond}/s) p50 ${r.halfRate.latencyMs.p50} ms, p99 ${r.halfRate.latencyMs.p99} ms`;
          })
          .join(''),
    );
  }

  const summary: Record<string, unknown> = {};
  for (const hub of hubs.splice(0)) {
    const stored = await stopHub(hub);
    const mine = rounds.map((r) => r[hub.kind]);
    summary[hub.kind] = {
      /** Medians over the rounds; each ratio taken within its round. */
      requestsPerSecond: Math.round(median(mine.map((r) => r.max.requestsPerSecond))),
      ofLimit: Math.round(median(mine.map((r) => r.ofLimit)) * 1000) / 1000,
      halfRateP99Ms: median(mine.map((r) => r.halfRate.latencyMs.p99)),
      ...stored,
    };
    console.log(`${hub.kind}: medians over ${ROUNDS} rounds ${JSON.stringify(summary[hub.kind])}`);
  }
  await stop(receiver);

  const pglite = summary.pglite as { ofLimit: number; halfRateP99Ms: number };
  const postgres = summary.postgres as { ofLimit: number; halfRateP99Ms: number };
  const file = writeResult('inbound', {
    setup: {
      connections: CONNECTIONS,
      seconds: SECONDS,
      rounds: `${ROUNDS} counted rounds after 1 warm-up round of ${WARMUP_SECONDS} s per target (BENCH_ROUNDS); per round: the limit, then each hub at its maximum rate and at half of it; figures are medians of the rounds, each ratio taken within its round`,
      loadGenerator: 'autocannon 8 in the benchmark process; servers in their own processes, all up for the whole run; loopback',
      payload: 'distinct Stripe-signed events, ~200 bytes',
    },
    limit: { requestsPerSecond: Math.round(median(rounds.map((r) => r.limit.requestsPerSecond))), p99Ms: median(rounds.map((r) => r.limit.latencyMs.p99)) },
    pglite: summary.pglite,
    postgres: summary.postgres,
    rounds,
    aim: {
      postgresAtLeast40PercentOfLimit: postgres.ofLimit >= 0.4,
      postgresP99Under50msAtHalfRate: postgres.halfRateP99Ms < 50,
      pgliteAtLeast30PercentOfLimit: pglite.ofLimit >= 0.3,
      pgliteP99Under100msAtHalfRate: pglite.halfRateP99Ms < 100,
    },
  });
  console.log(`wrote ${file}`);
} finally {
  for (const hub of hubs) await dropHub(hub);
  if (receiver.child.exitCode === null) receiver.child.kill('SIGKILL');
}

interface HubRound {
  max: Phase;
  halfRate: Phase & { targetPerSecond: number };
  ofLimit: number;
}
