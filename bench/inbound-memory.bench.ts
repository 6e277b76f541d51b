/**
 * Memory per large inbound body: the hub (API role, bench/inbound/hub.ts) receives waves of
 * concurrent 9.5 MiB Stripe-signed events on PGlite, then on PostgreSQL. The hub's resident
 * memory is sampled from /proc every 20 ms; the figure is the peak above the hub's resident memory
 * before the wave, divided by the bodies sent at once, against the body size. Every acknowledged
 * event is counted in the database afterwards.
 *
 * The aim (≤ 2× the body) is judged per concurrent body, on the waves of 8 and 32: the hub reads
 * and stores at most PATCHBAY_MAX_LARGE_INBOUND_BODIES large bodies at once, so many senders cost
 * a bounded amount. One body alone is reported beside the floor, the same waves sent to a bare
 * node:http server (bench/inbound/floor.ts) that only reads each body into a buffer of its
 * declared length: the body plus the socket's chunks, garbage until V8 collects them, already
 * cost about 2× there, so a hub's one-body ratio is read against that floor, not against 2×.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import pg from 'pg';
import { SIGNERS } from '../simulators/index.ts';
import { BENCH_PUBLIC_URL, BENCH_SECRET } from './inbound/constants.ts';
import { benchServerUrl, bounded, writeResult } from './support.ts';

const dir = path.dirname(fileURLToPath(import.meta.url));
const BODY_BYTES = Math.round(9.5 * 1024 * 1024);
const WAVES = [1, 8, 32];

const children = new Set<ChildProcess>();
process.once('exit', () => children.forEach((c) => c.exitCode === null && c.kill('SIGKILL')));

interface Hub {
  child: ChildProcess;
  url: string;
  sourceId: string;
}

function startHub(env: Record<string, string | undefined>, script = 'hub.ts'): Promise<Hub> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(dir, 'inbound', script)], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  return bounded(
    new Promise<Hub>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve({ child, ...(JSON.parse(line) as { url: string; sourceId: string }) });
      });
      child.once('exit', (code) => reject(new Error(`the hub exited (${code})`)));
    }),
    90_000,
    'starting the hub',
  );
}

async function stopHub(hub: Hub): Promise<void> {
  const exited = new Promise((resolve) => hub.child.once('exit', resolve));
  hub.child.kill('SIGTERM');
  await bounded(exited, 30_000, 'stopping the hub');
}

function rssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

/** A JSON Stripe event of about `bytes` bytes, distinct per call. */
function largeEvent(bytes: number, n: number): string {
  const head = `{"id":"evt_mem_${n}_${Date.now()}","object":"event","type":"charge.succeeded","created":${Math.floor(Date.now() / 1000)},"data":{"object":{"id":"ch_${n}","padding":"`;
  const tail = '"}}}';
  return head + 'x'.repeat(bytes - head.length - tail.length) + tail;
}

async function send(hub: Hub, n: number, bytes = BODY_BYTES): Promise<number> {
  const target = `${hub.url}/webhooks/in/${hub.sourceId}`;
  const body = largeEvent(bytes, n);
  const signed = SIGNERS.stripe!(BENCH_SECRET, { url: `${BENCH_PUBLIC_URL}/webhooks/in/${hub.sourceId}`, body });
  const res = await request(target, { method: 'POST', headers: { ...signed.headers, 'content-type': 'application/json' }, body, headersTimeout: 120_000, bodyTimeout: 120_000 });
  await res.body.dump();
  return res.statusCode;
}

interface Wave {
  concurrent: number;
  acknowledged: number;
  refused: Record<string, number>;
  baselineMb: number;
  peakMb: number;
  peakPerBodyMb: number;
  ratioToBody: number;
  /** From the first request sent to the last answer. */
  seconds: number;
}

async function wave(hub: Hub, concurrent: number, offset: number): Promise<Wave> {
  const pid = hub.child.pid!;
  // Let the previous wave's garbage go before the baseline.
  await new Promise((r) => setTimeout(r, 3_000));
  const baseline = rssBytes(pid);
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(pid))), 20);
  const started = performance.now();
  const statuses = await Promise.all(Array.from({ length: concurrent }, (_, i) => send(hub, offset + i)));
  await new Promise((r) => setTimeout(r, 200));
  clearInterval(sampler);
  const refused: Record<string, number> = {};
  for (const s of statuses.filter((s) => s >= 300)) refused[s] = (refused[s] ?? 0) + 1;
  const perBody = (peak - baseline) / concurrent;
  const mb = (b: number) => Math.round(b / 1024 / 1024);
  return {
    concurrent,
    acknowledged: statuses.filter((s) => s < 300).length,
    refused,
    baselineMb: mb(baseline),
    peakMb: mb(peak),
    peakPerBodyMb: Math.round((perBody / 1024 / 1024) * 10) / 10,
    ratioToBody: Math.round((perBody / BODY_BYTES) * 100) / 100,
    seconds: Math.round((performance.now() - started) / 100) / 10,
  };
}

async function measure(label: string, env: Record<string, string | undefined>, countRows: () => Promise<number>, script?: string): Promise<{ waves: Wave[]; stored: number }> {
  const waves: Wave[] = [];
  let offset = 0;
  // A fresh hub per wave: memory a wave made the process grow (the embedded database's
  // WebAssembly heap never shrinks) would hide the next wave's cost.
  for (const concurrent of WAVES) {
    const hub = await startHub({ ...env, LOG_LEVEL: 'warn' }, script);
    try {
      // A few small events first, so the baseline is a hub that has already served requests.
      for (let i = 0; i < 3; i++) await send(hub, -1 - i - offset, 2_000);
      const result = await wave(hub, concurrent, offset);
      offset += concurrent;
      console.log(`${label}: ${concurrent} concurrent bodies of ${(BODY_BYTES / 1024 / 1024).toFixed(1)} MiB: peak +${result.peakMb - result.baselineMb} MB, ${result.peakPerBodyMb} MB per body (${result.ratioToBody}× the body); acknowledged ${result.acknowledged} in ${result.seconds} s`);
      waves.push(result);
    } finally {
      await stopHub(hub);
    }
  }
  return { waves, stored: await countRows() };
}

const floor = await measure('Floor (bare node:http)', {}, async () => 0, 'floor.ts');

const dataDir = fs.mkdtempSync(path.join(fs.realpathSync((await import('node:os')).tmpdir()), 'pb-bench-mem-'));
const pglite = await measure('PGlite', { PATCHBAY_DATA_DIR: dataDir, DATABASE_URL: undefined }, async () => {
  const { openDatabase, rows } = await import('../src/db/index.ts');
  const { sql } = await import('drizzle-orm');
  const database = await openDatabase({ databaseUrl: undefined, dataDir, poolSize: 1 } as never);
  try {
    const [stored] = await rows<{ n: number }>(database.db, sql`select count(*)::int as n from inbound_events where status = 'received'`);
    return Number(stored!.n);
  } finally {
    await database.close();
  }
});
fs.rmSync(dataDir, { recursive: true, force: true });

const admin = new pg.Client({ connectionString: benchServerUrl() });
await admin.connect();
const dbName = `pb_bench_mem_${process.pid}`;
await admin.query(`create database ${dbName}`);
const url = new URL(benchServerUrl());
url.pathname = `/${dbName}`;
let postgres: Awaited<ReturnType<typeof measure>>;
try {
  postgres = await measure('PostgreSQL', { DATABASE_URL: url.toString(), PATCHBAY_SECRET_KEYS: `bench:${Buffer.alloc(32, 3).toString('base64')}`, PATCHBAY_DATA_DIR: fs.mkdtempSync('/tmp/pb-bench-mem-pg-') }, async () => {
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      return Number((await client.query(`select count(*)::int as n from inbound_events where status = 'received'`)).rows[0].n);
    } finally {
      await client.end();
    }
  });
} finally {
  await admin.query(`drop database if exists ${dbName} with (force)`);
  await admin.end();
}

const all = [...pglite.waves, ...postgres.waves];
const atMost = (concurrent: number) => Math.max(...all.filter((w) => w.concurrent === concurrent).map((w) => w.ratioToBody));
const oneBody = (waves: Wave[]) => waves.find((w) => w.concurrent === 1)!.ratioToBody;
const perConcurrentBody = Math.max(atMost(8), atMost(32));
console.log(`one body alone: PGlite ${oneBody(pglite.waves)}×, PostgreSQL ${oneBody(postgres.waves)}×, the floor ${oneBody(floor.waves)}×; per concurrent body (8 and 32 at once) at most ${perConcurrentBody}× (aim ≤ 2×)`);
// Each wave also sends three small events first.
const expectedStored = WAVES.reduce((sum, n) => sum + n + 3, 0);
const file = writeResult('inbound-memory', {
  settings: {
    bodyBytes: BODY_BYTES,
    waves: WAVES,
    maxLargeInboundBodies: Number(process.env.PATCHBAY_MAX_LARGE_INBOUND_BODIES ?? 2),
    what: 'peak resident memory of a fresh hub above its level before the wave, per body sent at once; one body alone is what a body costs while it is read, verified and stored',
  },
  expectedStored,
  floor: { what: 'a bare node:http server reading each body into a buffer of its declared length, answering 204 (bench/inbound/floor.ts)', waves: floor.waves },
  pglite,
  postgres,
  oneBody: { pglite: oneBody(pglite.waves), postgres: oneBody(postgres.waves), floor: oneBody(floor.waves) },
  ratioAt8: atMost(8),
  ratioAt32: atMost(32),
  aim: { peakPerConcurrentBodyAtMostTwiceTheBody: perConcurrentBody <= 2, everyBodyAcknowledgedAndStored: pglite.stored === expectedStored && postgres.stored === expectedStored },
});
console.log(`wrote ${file}`);
