/**
 * Outbound webhooks, end to end: N messages published through the API (batches of 1,000) and
 * fanned out to M endpoints on one loopback receiver (its own process), signed (v1), delivered
 * by the queue's workers with every attempt logged. It compares, in rounds (`BENCH_ROUNDS`,
 * default 3, after one warm-up round not counted), our deliveries/s with two others measured in
 * the same round to the same receiver with the same payloads and 64 requests in flight: the
 * limit, a bare loop of undici `request()` POSTs over a keep-alive pool with nothing signed or
 * stored; and (PostgreSQL only) the peer, what a team builds itself — BullMQ on Redis, undici,
 * `standardwebhooks` signing and one attempt row per delivery in PostgreSQL
 * (bench/outbound-peer.ts), its Worker at concurrency 64. Each round gives a ratio to the
 * limit and to the peer; the JSON reports their medians and judges the aims of issue #16 on them.
 *
 * - throughput: from the first publish until every delivery is recorded `succeeded`
 *   (and, separately, until the receiver has seen them all), once per round;
 * - latency: messages published in small batches every 20 ms at half the measured rate, timed
 *   from the tick each publish was due to the moment the receiver sees each delivery, split at
 *   the publish's answer; the phase says whether the rate was sustained (a queue that builds up
 *   is not a latency figure) and what a delivery cost in CPU and statements;
 * - backlog (PostgreSQL): 100,000 pending deliveries (25,000 messages × 4) drained; the live heap
 *   (after a full GC) before, during and after, and the heap in use sampled meanwhile.
 *
 * On PGlite and on PostgreSQL (a database it creates and drops). Loopback only; every phase is
 * bounded in time.
 *
 * Where the time goes (2026-12-04; `BENCH_ONLY=postgres BENCH_MESSAGES=20000 BENCH_ROUNDS=1 node
 * --cpu-prof --import tsx bench/outbound.bench.ts`, self time of the samples taken while our
 * throughput phase ran, told apart from the bare loop's and the peer's): socket writes 26 % (the
 * pg driver's 17 %, undici's 9 %), undici's JavaScript 16 % and the Node internals it calls 6 %,
 * the outbound module 10 % plus 8 % in Node internals it calls (signing), GC 7 %, the pg driver's
 * JavaScript 4 %, the batcher and drizzle 1 % each. The database's share is its round trips: each
 * claim, attempt-log flush and completion is its own write to the socket, so fewer, larger
 * statements (attempts recorded with the next claim) are where the next gain is.
 *
 * Attempts recorded with the next claim (2026-12-04): a dispatch claim also writes the successes
 * waiting in the recorder — one statement inserts their attempt rows, moves their deliveries and
 * claims the next batch — and the recorder waits up to 10 ms for such a claim before it writes
 * alone. Statements counted in the throughput phase on PostgreSQL (20,000 deliveries a round;
 * two runs each, alternating with main, `topStatements` in the JSON): claim + record 0.036–0.040
 * per delivery before, 0.023–0.029 after; all statements, the phase's progress polls included,
 * 0.044–0.053 before, 0.027–0.037 after. Per 20,000 deliveries about 200 claims now carry
 * outcomes, 190 batches of outcomes are still written alone (no claim came within 10 ms) and 40
 * claims have nothing to carry. The wall-clock figures of those runs (load average 11–15 on the 2
 * cores) moved within their noise — the limit loop alone ranged 2,700–10,300 POSTs/s; hub CPU
 * per delivery 225–299 µs before, 165–265 µs after; on PGlite (two runs each, same way) ratio to
 * the limit 0.06–0.18 per round before, 0.11–0.23 after, CPU per delivery 538–701 µs before,
 * 531–553 µs after (the same statements saved; PGlite's are not counted). What the profile calls socket writes is
 * mostly not the writes: on a machine with more runnable processes than cores, a write that wakes
 * PostgreSQL or the receiver is where the scheduler hands them the core. One round trip per ~40
 * deliveries is no longer where the distance to the limit is: the hub's CPU per delivery (undici
 * 16 % of its busy time, GC 15 %, outbound 9 %, signing 3 %) and PostgreSQL's (80–110 µs per
 * delivery: the rows written) against ~55 µs for a bare POST. A larger claim buffer (4 × the
 * window instead of 2 ×) cut claims by a third more but was left out: a buffered delivery waits
 * longer under its lease (timeout + 30 s), so a slow endpoint could see leases end mid-request.
 *
 * PGlite in a worker thread (2026-12-04, src/db/pglite-thread.ts, `PATCHBAY_PGLITE_THREAD`, now
 * on by default): A/B in alternating runs (off, on, on, off; `BENCH_ONLY=pglite BENCH_ROUNDS=2`),
 * the main thread's event-loop delay taken by a preload (perf_hooks.monitorEventLoopDelay; here
 * that thread also runs the publishing client and the limit loop). First pair (load average 6):
 * 2,049 → 2,213 deliveries/s, 22 % → 19 % of a limit that itself moved 9,400 → 12,000 POSTs/s;
 * CPU per delivery 420–472 → 383–408 µs. Second pair (load average 1.5): 2,709 → 4,158
 * deliveries/s, 16 % → 22 % of the limit, CPU per delivery 397–407 → 308–314 µs, latency at
 * half rate p99 22 ms (at 1,400/s) → 56 ms (at 2,000/s). Event-loop delay off → on: p99 48 and 25
 * ms → 31 and 17 ms, p99.9 386 and 188 ms → 92 and 44 ms. Still short of the 25 % aim on these
 * shared cores: the database is one thread, and what it does per delivery did not change.
 *
 * Per-attempt overhead (2026-12-04, round 2 of issue #16; same command with BENCH_BACKLOG=0
 * BENCH_LATENCY_SECONDS=1, two runs each alternating with main, self time of the samples in the
 * throughput phases): the sender no longer makes an AbortController, a timer and two abort
 * listeners per request — the run's signal goes to undici as it is, undici's headersTimeout bounds
 * the answer and a timer is set only when a body is still to come (a 204 is dumped). Shares:
 * createAbortSignal 1.6–1.9 % → 0, add/removeEventListener 1.4 % → 0.4–0.6 %, the sender's own
 * code 1.6 % → 0.9–1.0 %, flattenHeaders 0.4 % → 0.1 %; `attempt` grew 1.2 % → 2.5–2.7 % (the
 * header building and the signing string now inlined into it): about 3 % of the hub's busy time
 * net. Also: headers with content-type and user-agent built once per endpoint load, one signature
 * with no arrays when no key rotates, cached histogram children, no Date for a success's next
 * attempt, one counter instead of a Set and two promises per outcome written. Not done: an HMAC
 * KeyObject (createSecretKey) signs no faster than the raw key on Node 20 (1.9–2.1 µs either way;
 * two update() calls cost more than one joined string). Statements per delivery unchanged
 * (0.023–0.036 branch, 0.021–0.025 main, within noise). The wall-clock and CPU-per-delivery
 * figures did not separate from the noise (load average 8–10, the limit loop 5,700–16,500 POSTs/s
 * across the four runs): hub CPU per delivery 239 and 175 µs on the branch, 225 and 160 µs on
 * main, each 2.3–2.9× the bare POST's in its run. What remains per attempt: undici 16–18 %, Node
 * internals 14–18 %, GC 8–10 %, the outbound module 11–12 % (Hmac 2–2.6 %), opossum 1.8 %.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { Agent, request } from 'undici';
import { Registry } from 'prom-client';
import { loadConfig, silentLogger, systemClock } from '../src/core/index.ts';
import { migrate, openDatabase, rows, type Database } from '../src/db/index.ts';
import { createApiKey, createOrganization } from '../src/auth/index.ts';
import { createVault } from '../src/credentials/index.ts';
import { createQueue, type Queue } from '../src/queue/index.ts';
import { buildApi } from '../src/api/index.ts';
import { outboundPlugin } from '../src/api/routes/outbound/index.ts';
import { createEndpoint, createEventType, registerOutbound, type Outbound } from '../src/webhooks/outbound/index.ts';
import { startPeer, type Peer, type PeerRound } from './outbound-peer.ts';
import { benchRounds, benchServerUrl, bounded, median, percentiles, statementCounter, writeResult } from './support.ts';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 5_000);
const ENDPOINTS = 4;
const IN_FLIGHT = 64;
const PER_ENDPOINT = IN_FLIGHT / ENDPOINTS;
const BATCH = 1_000;
const WORKER_CONCURRENCY = 20;
const LATENCY_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 5);
// The throughput phase calls the per-request code (API, publish, fan-out) a handful of times in
// batches of 1,000: the first second at 50 small publishes a second runs it cold (measured:
// publish p50 20–40 ms in that second, 9 ms after). It runs first at the same rate, reported apart.
const WARM_UP_SECONDS = 1;
const LATENCY_TICK_MS = 20;
const MODEST_RATE = 400; // deliveries per second
// Messages published while no worker runs: 25,000 to 4 endpoints, 100,000 pending deliveries.
const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 25_000);
const PHASE_LIMIT_MS = 180_000;
const ROUNDS = benchRounds();

const here = path.dirname(fileURLToPath(import.meta.url));
const BULLMQ_VERSION = (JSON.parse(fs.readFileSync(path.join(here, '..', 'node_modules', 'bullmq', 'package.json'), 'utf8')) as { version: string }).version;
// A full GC on demand (the backlog phase measures what stays live), without --expose-gc on the command line.
v8.setFlagsFromString('--expose-gc');
const fullGc = runInNewContext('gc') as () => void;
const epochMs = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ── the receiver process ────────────────────────────────────────────────────────────────────

interface Receiver {
  url: string;
  ask<T>(cmd: string): Promise<T>;
  stop(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'outbound-receiver.ts')], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m: { ready?: string }) => (m.ready ? resolve(m.ready) : reject(new Error('receiver did not start'))));
    child.once('exit', () => reject(new Error('receiver exited')));
  });
  return {
    url,
    ask: <T>(cmd: string) =>
      new Promise<T>((resolve) => {
        child.once('message', (m) => resolve(m as T));
        child.send({ cmd });
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send({ cmd: 'exit' });
      }),
  };
}

// ── the limit: a bare undici loop ───────────────────────────────────────────────────────────

const samplePayload = (i: number) =>
  JSON.stringify({
    id: `msg_01jbenchbenchbenchbench${String(i).padStart(4, '0')}`,
    type: 'order.created',
    schemaVersion: 1,
    occurredAt: new Date().toISOString(),
    data: { orderId: `o_${i}`, amount: 4200 + i, currency: 'EUR', customer: { id: `cus_${i}`, plan: 'pro' }, items: [{ sku: 'sku_1', qty: 2 }] },
    organizationId: 'org_01jbenchbenchbenchbenchbench',
    environment: 'dev',
  });

async function limitLoop(url: string, total: number): Promise<{ requests: number; seconds: number; perSecond: number; cpuMicrosecondsPerRequest: number }> {
  const agent = new Agent({ connections: IN_FLIGHT, keepAliveTimeout: 10_000, pipelining: 1 });
  const headers = { 'content-type': 'application/json', 'webhook-id': 'msg_limit', 'webhook-timestamp': '1700000000', 'webhook-signature': `v1,${randomBytes(32).toString('base64')}` };
  let next = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < total) {
        const i = next++;
        const res = await request(`${url}/limit`, { method: 'POST', headers, body: samplePayload(i), dispatcher: agent });
        await res.body.dump();
        if (res.statusCode !== 204) throw new Error(`limit loop: ${res.statusCode}`);
      }
    }),
  );
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  await agent.close();
  return { requests: total, seconds: Math.round(ms) / 1000, perSecond: Math.round((total / ms) * 1000), cpuMicrosecondsPerRequest: Math.round((used.user + used.system) / total) };
}

// ── the hub ─────────────────────────────────────────────────────────────────────────────────

interface Hub {
  database: Database;
  /** The bench database on PostgreSQL (the peer's attempt table goes there too). */
  databaseUrl?: string;
  outbound: Outbound;
  queue: Queue;
  apiUrl: string;
  apiKey: string;
  endpointIds: string[];
  close(): Promise<void>;
}

async function openBenchDatabase(kind: 'pglite' | 'postgres'): Promise<{ database: Database; databaseUrl?: string; dataDir: string; drop: () => Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-bench-outbound-'));
  if (kind === 'pglite') {
    const database = await openDatabase({ dataDir, skipLock: true });
    return { database, dataDir, drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  }
  const server = benchServerUrl();
  const name = `patchbay_bench_outbound_${process.pid}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`drop database if exists ${name}`);
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), dataDir, poolSize: 20 });
  return {
    database,
    databaseUrl: url.toString(),
    dataDir,
    drop: async () => {
      const client = new pg.Client({ connectionString: server });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function startHub(kind: 'pglite' | 'postgres', receiverUrl: string): Promise<Hub> {
  const { database, databaseUrl, dataDir, drop } = await openBenchDatabase(kind);
  await migrate(database.db);
  const { organization, environments } = await createOrganization(database.db, { name: 'Bench', slug: 'bench', environments: ['dev'], allowPrivateNetworksIn: ['dev'] });
  const scope = { organizationId: organization.id, environmentId: environments[0]!.id };
  const { key: apiKey } = await createApiKey(database.db, { ...scope, name: 'bench', role: 'admin', rateLimits: { publish: { perMinute: 10_000_000, perHour: 100_000_000 } } });
  const vault = createVault({ keys: [{ id: 'bench', key: randomBytes(32) }] });
  const queue = createQueue({ database, logger: silentLogger, concurrency: WORKER_CONCURRENCY, leaseSeconds: 60 });
  const outbound = registerOutbound({ queue, database, vault, logger: silentLogger, clock: systemClock });
  const app = await buildApi(
    { config: loadConfig({ PATCHBAY_DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), database, logger: silentLogger, clock: systemClock, metrics: new Registry(), vault },
    { plugins: [{ plugin: outboundPlugin(outbound) }], bodyLimit: 16 * 1024 * 1024 },
  );
  const apiUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  const endpointIds: string[] = [];
  await database.db.transaction(async (tx) => {
    await createEventType(tx, systemClock, scope, { name: 'order.created' });
    for (let i = 0; i < ENDPOINTS; i++) {
      const endpoint = await createEndpoint(tx, outbound.endpointDeps, scope, { url: `${receiverUrl}/ep-${i}`, maxConcurrency: PER_ENDPOINT });
      endpointIds.push(endpoint.id);
    }
  });
  await queue.start();
  return {
    database,
    ...(databaseUrl ? { databaseUrl } : {}),
    outbound,
    queue,
    apiUrl,
    apiKey,
    endpointIds,
    async close() {
      await app.close();
      await queue.stop({ graceMs: 5_000 });
      await outbound.stop();
      await database.close();
      await drop();
    },
  };
}

// Publishers are many (app servers): up to 8 publish requests at once.
const statements = statementCounter();

const publishClient = new Agent({ connections: 8, keepAliveTimeout: 10_000 });

/** Publishes through the API; returns the message ids in order. */
async function publish(hub: Hub, events: { type: string; data: Record<string, unknown> }[]): Promise<string[]> {
  const res = await request(`${hub.apiUrl}/api/v1/events/batch`, {
    method: 'POST',
    headers: { authorization: `Bearer ${hub.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
    dispatcher: publishClient,
  });
  const body = (await res.body.json()) as { data: { id: string }[] };
  if (res.statusCode !== 201) throw new Error(`publish: ${res.statusCode} ${JSON.stringify(body).slice(0, 300)}`);
  return body.data.map((m) => m.id);
}

const event = (i: number) => ({ type: 'order.created', data: JSON.parse(samplePayload(i)).data as Record<string, unknown> });

async function succeeded(hub: Hub): Promise<number> {
  const [row] = await rows<{ n: number }>(hub.database.db, sql`select count(*)::int as n from outbound_deliveries where state = 'succeeded'`);
  return row!.n;
}

async function attempts(hub: Hub): Promise<number> {
  const [row] = await rows<{ n: number }>(hub.database.db, sql`select count(*)::int as n from outbound_attempts`);
  return row!.n;
}

/** CPU seconds used so far by the PostgreSQL backends serving this database (PostgreSQL on this machine only). */
async function serverCpu(hub: Hub): Promise<number | undefined> {
  if (hub.database.kind !== 'postgres') return undefined;
  const backends = await rows<{ pid: number }>(hub.database.db, sql`select pid from pg_stat_activity where datname = current_database()`);
  const tick = 100; // USER_HZ
  let total = 0;
  for (const { pid } of backends) {
    try {
      const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      total += (Number(fields[11]) + Number(fields[12])) / tick;
    } catch {
      return undefined; // not on this machine
    }
  }
  return total;
}

/**
 * Checkpoints the PostgreSQL server has done so far (all databases). Other work on a shared
 * server (a test suite creating a database per file requests one each time) makes commits wait
 * on the checkpoint's writes: the latency phases say how many fell inside them.
 */
async function serverCheckpoints(hub: Hub): Promise<number | undefined> {
  if (hub.database.kind !== 'postgres') return undefined;
  try {
    const [row] = await rows<{ n: number }>(hub.database.db, sql`select (checkpoints_timed + checkpoints_req)::int as n from pg_stat_bgwriter`);
    return row!.n;
  } catch {
    // PostgreSQL 17 moved them to pg_stat_checkpointer.
    const [row] = await rows<{ n: number }>(hub.database.db, sql`select (num_timed + num_requested)::int as n from pg_stat_checkpointer`);
    return row!.n;
  }
}

async function throughputPhase(hub: Hub, receiver: Receiver) {
  const total = MESSAGES * ENDPOINTS;
  // Rounds run on one hub: everything is counted from where the previous round left it.
  const before = (await receiver.ask<{ count: number }>('count')).count;
  const succeededBefore = await succeeded(hub);
  const attemptsBefore = await attempts(hub);
  const cpu = process.cpuUsage();
  const serverBefore = await serverCpu(hub);
  statements.start();
  const started = performance.now();
  for (let i = 0; i < MESSAGES; i += BATCH) await publish(hub, Array.from({ length: Math.min(BATCH, MESSAGES - i) }, (_, k) => event(i + k)));
  const published = performance.now();
  let delivered = 0;
  await bounded(
    (async () => {
      for (;;) {
        const seen = (await receiver.ask<{ count: number }>('count')).count - before;
        if (seen >= total && !delivered) delivered = performance.now();
        if (delivered && (await succeeded(hub)) - succeededBefore >= total) return;
        await sleep(25);
      }
    })(),
    PHASE_LIMIT_MS,
    'throughput phase',
  );
  const recorded = performance.now();
  const used = process.cpuUsage(cpu);
  const sent = statements.stop();
  const serverAfter = await serverCpu(hub);
  await receiver.ask('arrivals');
  const logged = (await attempts(hub)) - attemptsBefore;
  if (logged !== total) throw new Error(`expected ${total} attempts logged, found ${logged}`);
  return {
    messages: MESSAGES,
    endpoints: ENDPOINTS,
    deliveries: total,
    publishSeconds: Math.round(published - started) / 1000,
    deliveredSeconds: Math.round(delivered - started) / 1000,
    recordedSeconds: Math.round(recorded - started) / 1000,
    deliveriesPerSecond: Math.round((total / (recorded - started)) * 1000),
    deliveriesPerSecondSeenByReceiver: Math.round((total / (delivered - started)) * 1000),
    /** CPU of the hub process (API, fan-out, workers, signing, pool) per delivery. */
    cpuMicrosecondsPerDelivery: Math.round((used.user + used.system) / total),
    /** CPU of the PostgreSQL backends per delivery (the pool's connections; approximate). */
    ...(serverBefore !== undefined && serverAfter !== undefined ? { postgresCpuMicrosecondsPerDelivery: Math.round(((serverAfter - serverBefore) * 1e6) / total) } : {}),
    /** Statements sent to PostgreSQL per delivery (the phase's progress polls included; PostgreSQL only). */
    ...(sent.total > 0 ? { statementsPerDelivery: Math.round((sent.total / total) * 1000) / 1000, topStatements: sent.top } : {}),
  };
}

/**
 * Publishes `perTick` events every tick for `seconds` and times each delivery from the
 * tick it was due to go out (publish queueing included) to its arrival at the receiver, split
 * at the publish's answer. The rate counts as sustained when the deliveries arrived at ≥ 95 % of
 * the target rate, measured up to the last arrival: a queue that builds up shows as a late tail.
 */
async function latencyPhase(hub: Hub, receiver: Receiver, deliveriesPerSecond: number, seconds = LATENCY_SECONDS) {
  const eventsPerSecond = deliveriesPerSecond / ENDPOINTS;
  const perTick = Math.max(1, Math.round((eventsPerSecond * LATENCY_TICK_MS) / 1000));
  const ticks = Math.round((seconds * 1000) / LATENCY_TICK_MS);
  const sentAt = new Map<string, { due: number; acked: number }>();
  const cpu = process.cpuUsage();
  const serverBefore = await serverCpu(hub);
  const checkpointsBefore = await serverCheckpoints(hub);
  const elu = performance.eventLoopUtilization();
  statements.start();
  const startEpoch = epochMs();
  const start = performance.now();
  const inFlight: Promise<void>[] = [];
  let n = 0;
  for (let t = 0; t < ticks; t++) {
    const wait = start + t * LATENCY_TICK_MS - performance.now();
    if (wait > 0) await sleep(wait);
    const due = startEpoch + t * LATENCY_TICK_MS;
    const batch = Array.from({ length: perTick }, () => event(n++));
    inFlight.push(
      publish(hub, batch).then((ids) => {
        const acked = epochMs();
        ids.forEach((id) => sentAt.set(id, { due, acked }));
      }),
    );
  }
  await Promise.all(inFlight);
  const expected = sentAt.size * ENDPOINTS;
  const total: number[] = [];
  const publishMs: number[] = [];
  const afterAck: number[] = [];
  const bySecond: number[][] = [];
  let lastArrival = 0;
  const publishBySecond: number[][] = [];
  for (const { due, acked } of sentAt.values()) {
    publishMs.push(acked - due);
    (publishBySecond[Math.floor((due - startEpoch) / 1000)] ??= []).push(acked - due);
  }
  await bounded(
    (async () => {
      while (total.length < expected) {
        const { arrivals } = await receiver.ask<{ arrivals: [string, number][] }>('arrivals');
        for (const [id, at] of arrivals) {
          const sent = sentAt.get(id);
          if (sent === undefined) continue;
          total.push(at - sent.due);
          afterAck.push(at - sent.acked);
          const second = Math.floor((sent.due - startEpoch) / 1000);
          (bySecond[second] ??= []).push(at - sent.due);
          lastArrival = Math.max(lastArrival, at);
        }
        await sleep(50);
      }
    })(),
    PHASE_LIMIT_MS,
    'latency phase',
  );
  const used = process.cpuUsage(cpu);
  const counted = statements.stop();
  const loop = performance.eventLoopUtilization(elu);
  const serverAfter = await serverCpu(hub);
  const checkpointsAfter = await serverCheckpoints(hub);
  const target = Math.round(perTick * ENDPOINTS * (1000 / LATENCY_TICK_MS));
  const achieved = Math.round((total.length / (lastArrival - startEpoch)) * 1000);
  return {
    targetDeliveriesPerSecond: target,
    messages: sentAt.size,
    deliveries: total.length,
    /** Deliveries over the time from the first tick to the last arrival. */
    achievedDeliveriesPerSecond: achieved,
    sustained: achieved >= 0.95 * target,
    /** Publish (due tick) → delivered at the receiver. */
    ms: percentiles(total),
    /** Due tick → the publish request answered (waiting for a free publish connection included). */
    publishMs: percentiles(publishMs),
    /** Publish answered → delivered: queue wake-up, claim, sign, send. */
    afterPublishMs: percentiles(afterAck),
    /** The hub process: CPU per delivery (API, fan-out, queue, dispatch, pool) and how busy its event loop was (1 = never idle). */
    cpuMicrosecondsPerDelivery: Math.round((used.user + used.system) / total.length),
    ...(serverBefore !== undefined && serverAfter !== undefined ? { postgresCpuMicrosecondsPerDelivery: Math.round(((serverAfter - serverBefore) * 1e6) / total.length) } : {}),
    eventLoopUtilization: Math.round(loop.utilization * 100) / 100,
    ...(counted.total > 0 ? { statementsPerDelivery: Math.round((counted.total / total.length) * 100) / 100, topStatements: counted.top } : {}),
    ...(checkpointsBefore !== undefined && checkpointsAfter !== undefined ? { serverCheckpointsDuringPhase: checkpointsAfter - checkpointsBefore } : {}),
    /** p50 by second of publishing, publish → delivered and of the publish alone: a rising series is a queue building up. */
    p50BySecond: bySecond.map((s) => percentiles(s).p50),
    publishP50BySecond: publishBySecond.map((s) => percentiles(s).p50),
  };
}

async function backlogPhase(hub: Hub, receiver: Receiver) {
  // Publish with the workers stopped, so everything is pending at once; then drain.
  await hub.queue.stop({ graceMs: 5_000 });
  for (let i = 0; i < BACKLOG; i += BATCH) await publish(hub, Array.from({ length: Math.min(BATCH, BACKLOG - i) }, (_, k) => ({ type: 'order.created', data: { i: i + k } })));
  const [pending] = await rows<{ n: number }>(hub.database.db, sql`select count(*)::int as n from outbound_deliveries where state = 'pending'`);
  // What stays live (after a full GC) before, twice during and after the drain: flat memory means
  // these stay close whatever the backlog; the samples between GCs show the garbage on top.
  const retained = (): number => (fullGc(), process.memoryUsage().heapUsed);
  const heapBefore = retained();
  const retainedDuring: number[] = [];
  const samples: number[] = [];
  const base = await succeeded(hub);
  const queue = createQueue({ database: hub.database, logger: silentLogger, concurrency: WORKER_CONCURRENCY, leaseSeconds: 60 });
  // A second registration on a fresh queue: the same handlers, same process.
  registerOutbound({ queue, database: hub.database, vault: hub.outbound.vault, logger: silentLogger, clock: systemClock });
  const started = performance.now();
  await queue.start();
  await bounded(
    (async () => {
      for (;;) {
        const done = (await succeeded(hub)) - base;
        if (done >= pending!.n) break;
        if (retainedDuring.length < 2 && done >= ((retainedDuring.length + 1) * pending!.n) / 3) retainedDuring.push(retained());
        samples.push(process.memoryUsage().heapUsed);
        await sleep(500);
      }
    })(),
    PHASE_LIMIT_MS,
    'backlog phase',
  );
  const seconds = (performance.now() - started) / 1000;
  const heapAfter = retained();
  await queue.stop({ graceMs: 5_000 });
  await receiver.ask('arrivals');
  const mb = (b: number) => Math.round((b / 1024 / 1024) * 10) / 10;
  return {
    pendingDeliveries: pending!.n,
    drainSeconds: Math.round(seconds * 10) / 10,
    deliveriesPerSecond: Math.round(pending!.n / seconds),
    /** Live heap after a full GC: before the drain, at a third and two thirds of it, after it. */
    retainedHeapMb: [heapBefore, ...retainedDuring, heapAfter].map(mb),
    /** Heap in use sampled every 500 ms during the drain, garbage included. */
    heapMb: { maxDuringDrain: mb(Math.max(...samples)), minDuringDrain: mb(Math.min(...samples)) },
  };
}

// ── run ─────────────────────────────────────────────────────────────────────────────────────

const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
const hundredths = (v: number) => Math.round(v * 100) / 100;

/**
 * One round: our throughput phase, then the limit loop with as many requests, then (PostgreSQL)
 * the peer with as many messages — back to back, so the ratios compare one moment of the machine.
 */
async function round(kind: string, label: string, hub: Hub, receiver: Receiver, peer: Peer | undefined) {
  const throughput = await throughputPhase(hub, receiver);
  const limit = await limitLoop(receiver.url, throughput.deliveries);
  const peerRound: PeerRound | undefined = peer ? await peer.deliver(MESSAGES, samplePayload) : undefined;
  await receiver.ask('arrivals'); // the receiver forgets what it has seen so far
  console.log(
    `  ${kind} ${label}: ${throughput.deliveriesPerSecond} deliveries/s recorded (${throughput.deliveriesPerSecondSeenByReceiver}/s seen by the receiver); limit ${limit.perSecond} POSTs/s` +
      (peerRound ? `; peer ${peerRound.deliveriesPerSecond}/s (${peerRound.cpuMicrosecondsPerDelivery} µs CPU per delivery)` : '') +
      `; CPU per delivery ${throughput.cpuMicrosecondsPerDelivery} µs (+ PostgreSQL ${throughput.postgresCpuMicrosecondsPerDelivery ?? '?'} µs, ${throughput.statementsPerDelivery ?? '?'} statements) vs ${limit.cpuMicrosecondsPerRequest} µs per bare POST`,
  );
  return {
    throughput,
    limit,
    ratioToLimit: ratio(throughput.deliveriesPerSecond, limit.perSecond),
    ...(peerRound ? { peer: peerRound, ratioToPeer: ratio(throughput.deliveriesPerSecond, peerRound.deliveriesPerSecond) } : {}),
  };
}

async function runOn(kind: 'pglite' | 'postgres', receiver: Receiver) {
  console.log(`  ${kind}: starting`);
  const hub = await startHub(kind, receiver.url);
  let peer: Peer | undefined;
  try {
    // The peer on PostgreSQL only: the stack it stands for keeps its attempts in a server.
    if (hub.databaseUrl) {
      peer = await startPeer({ databaseUrl: hub.databaseUrl, receiverUrl: receiver.url, receiverCount: async () => (await receiver.ask<{ count: number }>('count')).count, endpoints: ENDPOINTS, concurrency: IN_FLIGHT, poolSize: 20, phaseLimitMs: PHASE_LIMIT_MS });
    }
    // The first round runs every path cold (JIT, connection pools, PostgreSQL's caches): not counted.
    const warmUpRound = await round(kind, 'warm-up round', hub, receiver, peer);
    const rounds: Awaited<ReturnType<typeof round>>[] = [];
    for (let i = 1; i <= ROUNDS; i++) rounds.push(await round(kind, `round ${i}/${ROUNDS}`, hub, receiver, peer));
    const deliveriesPerSecond = Math.round(median(rounds.map((r) => r.throughput.deliveriesPerSecond)));
    const peerRounds = rounds.flatMap((r) => (r.peer ? [r] : []));
    const peerSummary = peerRounds.length > 0 ? { peerDeliveriesPerSecond: Math.round(median(peerRounds.map((r) => r.peer!.deliveriesPerSecond))), ourRatioToPeer: hundredths(median(peerRounds.map((r) => r.ratioToPeer!))) } : {};
    const ratios = { ratioToLimit: hundredths(median(rounds.map((r) => r.ratioToLimit))), ...peerSummary };
    console.log(`  ${kind}: medians over ${ROUNDS} rounds: ${deliveriesPerSecond} deliveries/s, ${Math.round(ratios.ratioToLimit * 100)} % of the limit${'ourRatioToPeer' in ratios ? `, ${ratios.ourRatioToPeer}× the peer` : ''}`);
    const halfRate = Number(process.env.BENCH_LATENCY_RATE ?? 0) || deliveriesPerSecond / 2;
    const warmUp = await latencyPhase(hub, receiver, halfRate, WARM_UP_SECONDS);
    console.log(`  ${kind}: warm-up at ${warmUp.targetDeliveriesPerSecond}/s for ${WARM_UP_SECONDS} s: p50 ${warmUp.ms.p50} ms, p99 ${warmUp.ms.p99} ms`);
    const latency = await latencyPhase(hub, receiver, halfRate);
    console.log(`  ${kind}: latency at ${latency.targetDeliveriesPerSecond}/s (${latency.sustained ? 'sustained' : `NOT sustained: ${latency.achievedDeliveriesPerSecond}/s`}): p50 ${latency.ms.p50} ms, p99 ${latency.ms.p99} ms; publish p50 ${latency.publishMs.p50} ms, p99 ${latency.publishMs.p99} ms; p50 by second ${latency.p50BySecond.join(' ')} (publish ${latency.publishP50BySecond.join(' ')}); CPU ${latency.cpuMicrosecondsPerDelivery} µs (+ PostgreSQL ${latency.postgresCpuMicrosecondsPerDelivery ?? '?'} µs) per delivery, event loop ${latency.eventLoopUtilization}, ${latency.statementsPerDelivery ?? '?'} statements, ${latency.serverCheckpointsDuringPhase ?? '?'} server checkpoints`);
    // And at a steady, modest rate: what a message waits when the hub is not near its capacity.
    const modest = await latencyPhase(hub, receiver, MODEST_RATE);
    console.log(`  ${kind}: latency at ${modest.targetDeliveriesPerSecond}/s (${modest.sustained ? 'sustained' : `NOT sustained: ${modest.achievedDeliveriesPerSecond}/s`}): p50 ${modest.ms.p50} ms, p99 ${modest.ms.p99} ms; publish p50 ${modest.publishMs.p50} ms, p99 ${modest.publishMs.p99} ms; CPU ${modest.cpuMicrosecondsPerDelivery} µs (+ PostgreSQL ${modest.postgresCpuMicrosecondsPerDelivery ?? '?'} µs) per delivery, event loop ${modest.eventLoopUtilization}, ${modest.statementsPerDelivery ?? '?'} statements, ${modest.serverCheckpointsDuringPhase ?? '?'} server checkpoints`);
    const backlog = kind === 'postgres' && BACKLOG > 0 ? await backlogPhase(hub, receiver) : undefined;
    if (backlog) console.log(`  ${kind}: backlog of ${backlog.pendingDeliveries} drained at ${backlog.deliveriesPerSecond}/s; live heap ${backlog.retainedHeapMb.join(' → ')} MB, in use ${backlog.heapMb.minDuringDrain}–${backlog.heapMb.maxDuringDrain} MB`);
    return {
      /** Medians over the counted rounds, each ratio taken within its round. */
      deliveriesPerSecond,
      limitPerSecond: Math.round(median(rounds.map((r) => r.limit.perSecond))),
      ...ratios,
      rounds,
      warmUpRound: { deliveriesPerSecond: warmUpRound.throughput.deliveriesPerSecond, limitPerSecond: warmUpRound.limit.perSecond, ...(warmUpRound.peer ? { peerDeliveriesPerSecond: warmUpRound.peer.deliveriesPerSecond } : {}) },
      latencyWarmUp: { seconds: WARM_UP_SECONDS, targetDeliveriesPerSecond: warmUp.targetDeliveriesPerSecond, sustained: warmUp.sustained, ms: warmUp.ms, publishMs: warmUp.publishMs },
      latencyAtHalfRate: latency,
      latencyAtModestRate: modest,
      ...(backlog ? { backlog } : {}),
    };
  } finally {
    await peer?.close();
    await hub.close();
  }
}

const receiver = await startReceiver();
if (process.env.BENCH_ONLY) {
  // Profiling aid: one backend, nothing written.
  console.log(JSON.stringify(await runOn(process.env.BENCH_ONLY as 'pglite' | 'postgres', receiver), null, 2));
  await receiver.stop();
  await publishClient.close();
  process.exit(0);
}
try {
  const pglite = await runOn('pglite', receiver);
  const postgres = await runOn('postgres', receiver);
  const [version] = await (async () => {
    const client = new pg.Client({ connectionString: benchServerUrl() });
    await client.connect();
    const res = await client.query<{ server_version: string }>('show server_version');
    await client.end();
    return [res.rows[0]!.server_version];
  })();
  const file = writeResult('outbound', {
    postgresVersion: version,
    settings: {
      messages: MESSAGES,
      endpoints: ENDPOINTS,
      inFlight: `${IN_FLIGHT} (${PER_ENDPOINT} per endpoint; the limit loop keeps ${IN_FLIGHT} in flight)`,
      publishBatch: BATCH,
      workerConcurrency: WORKER_CONCURRENCY,
      signing: 'v1 (HMAC-SHA256, node:crypto), every attempt logged',
      receiver: 'separate process on loopback, 204 at once',
      rounds: `${ROUNDS} counted rounds after 1 warm-up round (BENCH_ROUNDS); per round: our throughput phase, the limit loop, the peer (PostgreSQL); figures are medians of the rounds, each ratio taken within its round`,
      latency: `${WARM_UP_SECONDS} s of warm-up (reported apart), then ${LATENCY_SECONDS} s of batches every ${LATENCY_TICK_MS} ms at half the median measured rate, then ${LATENCY_SECONDS} s at ${MODEST_RATE} deliveries/s; timed from each publish's due tick`,
      peer: {
        what: 'what a team builds itself (bench/outbound-peer.ts): BullMQ Queue + Worker on Redis 127.0.0.1:6379 (a key prefix per run, removed after), one job per delivery enqueued with addBulk per 1,000 messages, each job signed with the standardwebhooks library (v1), POSTed with undici request() and logged as one attempt row in a PostgreSQL table of its own in the bench database (dropped after)',
        bullmq: BULLMQ_VERSION,
        concurrency: `Worker concurrency ${IN_FLIGHT}, made comparable to our ${IN_FLIGHT} requests in flight (${PER_ENDPOINT} per endpoint × ${ENDPOINTS}) and the limit loop's ${IN_FLIGHT}; its undici pool ${IN_FLIGHT} connections, its PostgreSQL pool 20 like the hub's`,
        measured: 'the same messages × endpoints to the same receiver, from the first enqueue until every attempt row with a 2xx is in PostgreSQL (polled every 25 ms, like ours)',
      },
    },
    pglite,
    postgres,
    ...('ourRatioToPeer' in postgres ? { ourRatioToPeer: postgres.ourRatioToPeer } : {}),
    aim: {
      // Issue #16, judged on the medians over the rounds.
      postgresAtLeast50PercentOfLimit: postgres.ratioToLimit >= 0.5,
      pgliteAtLeast25PercentOfLimit: pglite.ratioToLimit >= 0.25,
      postgresHalfRateSustained: postgres.latencyAtHalfRate.sustained,
      postgresP99Under50msAtHalfRate: postgres.latencyAtHalfRate.sustained && postgres.latencyAtHalfRate.ms.p99 < 50,
      ...('ourRatioToPeer' in postgres ? { atLeastTwiceThePeer: postgres.ourRatioToPeer! >= 2 } : {}),
      // Flat: what stays live while 100,000 deliveries drain grows by less than 8 MB.
      ...(postgres.backlog ? { postgresMemoryFlatWithBacklog: Math.max(...postgres.backlog.retainedHeapMb) - postgres.backlog.retainedHeapMb[0]! < 8 } : {}),
    },
  });
  console.log(`  wrote ${file}`);
} finally {
  await receiver.stop();
  await publishClient.close();
}
