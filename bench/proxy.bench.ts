/**
 * The public provider proxy beside direct requests to the provider, in the same run, on
 * loopback: autocannon (its own process) against the Stripe simulator (its own process), once
 * directly with the provider's key and once through `GET /api/v1/proxy/{connectionId}/v1/account`
 * with a Patchbay API key. The proxy path is the product's: API-key authentication (a key seen in
 * the last 30 s is verified from memory, src/auth/verified-keys.ts; PostgreSQL otherwise) and API
 * rate limits (in memory), the connection resolved by the connections module (credential opened
 * from the vault, reused for 2 s), the provider proxy (outbound limiter, breaker, retry policy, SSRF-
 * guarded agent), request logs at `info` (written to /dev/null). ROUNDS interleaved rounds, the
 * median counts; each proxy round uses its own organization so the API's own per-organization
 * limit does not cut in. Each round also runs a bare forwarder (startForwarder below), the limit
 * any Node hop meets, and the proxy is reported against it (`ofForwarder`) as well as direct.
 *
 * Where the time goes (2026-12-04, 2× AMD EPYC shared with other helpers' browser tests, load
 * average 4–13 during the runs; `node --cpu-prof --import tsx bench/proxy.bench.ts` with
 * PROXY_BENCH_SECONDS=4, samples taken from the proxy rounds only). Same run: proxy 26–30 % of
 * the forwarder, 15–19 % of direct; added p50 over the forwarder 6 ms.
 * - SQL: 0.002–0.004 statements per proxied call (20–46 in a round of ~12,000 calls): the key is
 *   verified from memory and the connection context (credential opened from the vault) reused
 *   for 2 s, so the database is not on the path; what is left is the refresh of those caches.
 * - Logging, about 17 % of the hub's busy time: three lines per call at `info` (Fastify's
 *   "incoming request" and "request completed", the provider proxy's "provider call"), each
 *   scrubbed (src/core/logging.ts, an e-mail regex over every string) and written with its own
 *   write(2) by sonic-boom (6.6 % in fs.write alone); plus a pino child per call for the
 *   connector's logger (createConnectorContext).
 * - The connector context built per call (providerContext → createConnectorContext): 8.5 %:
 *   config and base URL resolution, the credential shaped for injection, the rate limit parsed
 *   again, the pino child above.
 * - Socket writes: 18.5 % writev of the answer (Fastify's reply) and 9 % the request to the
 *   provider (undici); the forwarder pays both too. Garbage collection 11 %.
 * - The circuit breaker (opossum), outbound limiter, API rate limit (rate-limiter-flexible in
 *   memory), metrics and key verification are each ≤ 2 %.
 * Experiments in the same conditions (load average 7–11), each one full run, medians:
 * - before the change below 38 % of the forwarder, 20 % of direct; after it 41 % and 21 %: the
 *   provider client now hands undici origin and path instead of a URL it parses again, and the
 *   proxy keeps each base URL's host parsed — within the noise, a percent of the profile at best.
 * - logs at `warn` instead of `info` (PROXY_BENCH_LOG_LEVEL=warn): 45 % of the forwarder, added
 *   p50 3 ms — the three log lines cost 4–7 points; even with none the aim (70 %) is far.
 * So the gap to the forwarder is Fastify's pipeline plus per-call logging and context building,
 * not lookups.
 *
 * What was done next (issue #16), measured 2026-12-04 on the same shared machine at load average
 * 4–15, A/B against main in alternating runs of this file, plus counts noise does not move.
 * Each round also reports the process's CPU time per call (user + system, process.cpuUsage):
 * requests per second swung 2× between rounds of one run; CPU per call moves far less.
 * - One line per proxied call at `info` instead of three: "request completed" (api/log-context.ts,
 *   RequestLog) carries the request, status and time, the scope's ids, and the provider's answer
 *   (provider, providerUrl, providerStatus, providerMs, attempts) handed over by the provider
 *   proxy's per-request `report` instead of its own line; "incoming request" is at `debug`.
 *   Failed and retried provider attempts are still logged in full. Lines per call 3 → 1; log
 *   write(2)s per call 0.27 → 0.17 (strace -c; sonic-boom already batched while a write was in
 *   flight, and the destination now buffers 4 KB, flushed every 100 ms and at exit).
 * - The connector context once per resolved connection (api/routes/proxy.ts, a WeakMap over the
 *   resolver's 2 s entries, so invalidation is the resolver's): providerContext was 10.5 % of the
 *   proxy rounds' profile on main, now absent.
 * - The scrubber returns after one prefilter scan when a string cannot hold what its five
 *   patterns look for: 1.6 → 0.6 µs a string on the line's strings; scrubString 4.1 → 2.1 %.
 * - Logging as a whole (requestCompleted and what it calls): 15 % of the profile on main, 9.5–10.6 %.
 * Result, six alternating main/branch pairs of full runs at load 4–15 (medians of rounds): CPU
 * per proxied call, pair by pair, 436/375, 485/413, 504/396, 616/552 µs (main/branch: 10–21 %
 * less; the forwarder 80–150 µs in the same rounds); ofForwarder 0.23–0.33 on main, 0.30–0.40
 * here (one run 0.66, its forwarder rounds collapsed under load); added p50 over the forwarder
 * 11–22 ms on main, 7–13 ms here. With the body read from stream events (provider client), two
 * more pairs at load 5–11: CPU per call 561/385 and 472/352 µs (25–31 % less), ofForwarder
 * 0.28/0.55 and 0.32/0.42, added p50 19/7 and 12/7 ms. The aim (≥ 70 %, ≤ 3 ms) is not met. Where the rest goes (proxy rounds,
 * profile shares): writev of the answer ~20 % (the forwarder pays it too), undici ~12 %, logging
 * ~10 %, Fastify's own hooks and reply ~8 %, the provider client ~7 %, GC ~5 %; authentication,
 * API rate limit, breaker, metrics each 1–2 %. For calibration, /health answers ~6,000 req/s and
 * an authenticated request (answered 429) ~3,400 req/s in the same runs, about the forwarder's
 * rate and 60 % of it: the proxy's aim is above what the API's own pipeline reaches with no
 * provider call at all. Next steps: the async hooks every request runs (idempotency's preHandler,
 * onSend and onResponse even on routes without idempotency, metrics' onResponse, auth, rate
 * limits, validation's text checks: a promise each), the per-request pino child Fastify makes,
 * and the provider client's per-call AbortController and timer.
 *
 * The API's own pipeline (issue #16, 2026-12-04, same machine, load 2–9; the calibration runs
 * now report the hub's CPU per request too). Profiles of the proxy rounds, main → here (self time,
 * share of the busy samples): AbortController and its EventTarget 2.2 → 0 % (the provider client
 * hands undici an emitter it aborts, client.ts CallSignal); pino's bindings() JSON.parse of the
 * per-request child 2.0 → 0 % (Fastify's childLoggerFactory says which keys it binds,
 * core/logging.ts childLogger); async hooks and microtasks 5.2 → 4.1 % (authentication and the
 * in-memory rate limits are callback hooks answering synchronously when the key was verified
 * within the TTL and there is no Redis: no promise per request, and one per window before);
 * rate-limiter-flexible on the API path 1.3 → 0 % (its in-memory limiter is replaced by the same
 * fixed windows kept synchronously; Redis still goes through it); the key's SHA-256 1.4 → 0.6 %
 * (crypto.hash); URL parsing in buildUrl 0.8 → 0.5 % (no parser for a path and query it would
 * leave unchanged); a principal per verified key, not per request. The labelled metric children
 * are cached, but building their key costs about what prom-client's lookup did (~1 %).
 * Result, three alternating main/branch pairs of full runs at load 2–9 (medians of rounds; two
 * more pairs at load 11–14 were dropped, main's /health fell to 362 req/s in them): CPU per
 * proxied call 270/231, 269/211, 289/257 µs (11–22 % less; the forwarder 80–100 µs in them);
 * the authenticated 429 read 174/159, 182/160 µs per request; ofForwarder 0.50/0.53,
 * 0.48/0.60, 0.30/0.42; added p50 over the forwarder 6/5, 4/3, 8/8 ms. Not there: 70 % of the
 * forwarder is ~140 µs of CPU per call at its ~100, and writev of the answer alone is 19–25 % of
 * the proxy's profile (the forwarder pays it too, on fewer µs). What is left per call in our code:
 * Fastify's hook chain and reply ~5 %, logging ~6 % (the line, scrubbing, the child), undici
 * ~6–8 %, the provider proxy and client ~5 % (opossum ~1 %), request ids ~1.3 % (randomBytes when
 * the millisecond changes), @fastify/cookie's onRequest and onSend hooks on every route (a Map
 * per request and an onSend step even on the proxy; a lazy `request.cookies` and our own
 * Set-Cookie would drop both), the two log-context scopes per request.
 *
 * The app-wide pipeline, next pass (issue #16, 2026-12-05, same machine, load 4–8 with other
 * helpers' test runs; branch pipe16). Done:
 * - @fastify/cookie is no longer registered at the root: session authentication parses the Cookie
 *   header on demand (api/cookies.ts, only when no API key came), and only the sessions and OAuth
 *   plugins register the cookie writer (its onSend hook): every other route, the proxy and inbound
 *   webhooks included, has neither the onRequest parse nor the onSend step.
 * - `request.routeOptions` (a new 12-field object per read) is read once per request (routeOf in
 *   api/context.ts) instead of ~6 times by auth, rate limits, the log context and metrics.
 * - The x-request-id header is set in the log context's onRequest hook (one hook fewer), and a
 *   request with no body keeps one log scope: preValidation adds the caller's and the route's ids
 *   to the scope onRequest opened instead of opening a second one (a request whose body was read
 *   left that scope and still gets a new one).
 * - The URL text checks scan params and query once with one regex, building nothing, and build
 *   the field errors only when a suspect character is there.
 * - Log lines: scrubEntries walks own keys instead of Object.entries, pino's logMethod hook copies
 *   its arguments only when scrubbing changed one, the query is cut with indexOf.
 * Request ids were left alone: newId already calls randomBytes only when the millisecond changes
 * (~1 % of a profile), and it lives in core/ids.ts.
 * Measured: the effect is below what this machine can resolve. Two alternating main/branch pairs
 * of full runs (PROXY_BENCH_SECONDS=4, load 4–7; the first branch run overlapped a vitest run of
 * mine): CPU per proxied call, medians of rounds, 397/441 and 379/347 µs; ofForwarder 0.58/0.44
 * and 0.58/0.45; added p50 over the forwarder 6/17 and 8/10 ms; /health's CPU per request swung
 * 106–305 µs between runs of the same code. A third pair with every change here, at load 3.6:
 * CPU per proxied call 280/291 µs, ofForwarder 0.32/0.56, added p50 8/5 ms, /health 144/114 µs
 * and the authenticated 429 read 217/214 µs of CPU per request. In process (app.inject of GET /api/v1/auth/me with
 * an API key, mostly answered 429, and /health, 10,000 each, four alternating pairs): 243, 270,
 * 250, 209 µs on main against 259, 259, 235, 203 on the branch; /health 162, 164, 150, 144
 * against 169, 152, 177, 159: noise of ±10 % either way. What a profile of that in-process run
 * does show (--cpu-prof-interval 200, same workload, main → branch, share of busy samples):
 * validation.ts 0.48 → 0.08 %, @fastify/cookie 0.10 → 0.01 %, garbage collection 10.0 → 7.9 %;
 * Fastify's request.js (the routeOptions getter among it) 0.26 % on both. So each of these levers
 * was under half a percent of a request's CPU; together a few percent at best. The proxy's gap
 * to 70 % of the forwarder is not in the API's own hooks: writev of the answer (~20–24 % of the
 * proxy rounds' profile), undici and the log line are the large items left.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Registry } from 'prom-client';
import { Pool } from 'undici';
import { buildApi, syncsApi } from '../src/api/index.ts';
import { bootstrapOrganization, createApiKey } from '../src/auth/index.ts';
import { loadRegistry } from '../src/connectors/index.ts';
import { createLogger, logDestination, loadConfig, systemClock } from '../src/core/index.ts';
import { createVault } from '../src/credentials/index.ts';
import { migrate, openDatabase, type Database } from '../src/db/index.ts';
import { connectionResolver } from '../src/hub/connection-resolver.ts';
import { closeProviderAgent, createProviderProxy } from '../src/proxy/index.ts';
import { createSyncEngine, type SyncEngine } from '../src/syncs/index.ts';
import { benchServerUrl, bounded, statementCounter, writeResult } from './support.ts';

const DIR = path.dirname(fileURLToPath(import.meta.url));
const CONNECTIONS = 32;
// A few seconds a round keeps the whole bench near a minute; PROXY_BENCH_SECONDS lengthens it for a profile.
const SECONDS = Number(process.env.PROXY_BENCH_SECONDS ?? 5);
const ROUNDS = 3;
const STRIPE_KEY = 'sk_test_patchbaysimulator0000000001';
const round = (v: number) => Math.round(v * 100) / 100;

interface Load {
  requestsPerSecond: number;
  requests: number;
  non2xx: number;
  errors: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
}

/** autocannon in its own process, JSON out. */
async function autocannon(url: string, headers: Record<string, string>): Promise<Load> {
  const args = [path.join(DIR, '../node_modules/autocannon/autocannon.js'), '-j', '-c', String(CONNECTIONS), '-d', String(SECONDS), ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}=${v}`]), url];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await bounded(new Promise<void>((resolve, reject) => child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`autocannon exited ${code}`))))), (SECONDS + 30) * 1000, 'autocannon');
  const result = JSON.parse(out) as {
    requests: { average: number; total: number };
    non2xx: number;
    errors: number;
    latency: { p50: number; p90: number; p99: number; max: number };
  };
  return {
    requestsPerSecond: Math.round(result.requests.average),
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
  };
}

/** The Stripe simulator in its own process (bench/simulator-process.ts); resolves with its URL. */
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

/**
 * The limit any Node hop meets: a bare `node:http` server and an undici Pool (as many sockets as
 * the hub's provider agent) that swaps the caller's header for the provider key, drops the same
 * hop-by-hop headers and buffers the answer as the proxy does. No authentication, logging or database.
 */
async function startForwarder(target: string, key: string): Promise<{ url: string; close(): Promise<void> }> {
  const pool = new Pool(target, { connections: 32 });
  const hopByHop = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'authorization']);
  const server = http.createServer((req, res) => {
    const headers: Record<string, string> = { authorization: `Bearer ${key}` };
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined && !hopByHop.has(name)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    pool
      .request({ method: req.method as 'GET', path: req.url!, headers })
      .then(async (up) => {
        const body = Buffer.from(await up.body.arrayBuffer());
        const out: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(up.headers)) if (value !== undefined && !hopByHop.has(name)) out[name] = value;
        res.writeHead(up.statusCode, out).end(body);
      })
      .catch(() => res.writeHead(502).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.close();
    },
  };
}

async function main(): Promise<void> {
  await loadRegistry();
  const server = benchServerUrl();
  const name = `patchbay_proxybench_${process.pid}`;
  const dbUrl = new URL(server);
  dbUrl.pathname = `/${name}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  const loadAverageAtStart = os.loadavg().map((v) => round(v));
  await admin.query(`drop database if exists ${name}`);
  await admin.query(`create database ${name}`);
  const simulator = await startSimulatorProcess();
  let database: Database | undefined;
  const proxy = createProviderProxy({ logger: createLogger({ level: 'silent' }) });
  let app: Awaited<ReturnType<typeof buildApi>> | undefined;
  let forwarder: Awaited<ReturnType<typeof startForwarder>> | undefined;
  try {
    database = await openDatabase({ databaseUrl: dbUrl.toString(), dataDir: os.tmpdir(), poolSize: 10 });
    await migrate(database.db);
    // PROXY_BENCH_LOG_LEVEL=warn measures what the three log lines per call cost (the notes above).
    const logger = createLogger({ level: (process.env.PROXY_BENCH_LOG_LEVEL as 'info' | undefined) ?? 'info', destination: logDestination({ dest: '/dev/null' }) });
    const vault = createVault({ keys: [{ id: 'bench', key: randomBytes(32) }], clock: systemClock });
    let engine: SyncEngine | undefined;
    const config = loadConfig({ PATCHBAY_DATA_DIR: os.tmpdir(), PUBLIC_URL: 'http://127.0.0.1' });
    app = await buildApi(
      { config, database, logger, clock: systemClock, metrics: new Registry(), vault },
      { plugins: syncsApi(() => engine!.services).map((plugin) => ({ plugin })) },
    );
    engine = createSyncEngine({ db: database.db, logger, clock: systemClock, proxy, resolver: connectionResolver({ db: database.db, vault, clock: systemClock, logger }) });
    await app.listen({ port: 0, host: '127.0.0.1' });
    forwarder = await startForwarder(simulator.url, STRIPE_KEY);
    const address = app.server.address() as { port: number };
    const api = `http://127.0.0.1:${address.port}`;

    /** An organization with a connection to the simulator, and a key whose proxy allowance is wide open. */
    const tenants: string[] = [];
    for (let r = 0; r <= ROUNDS; r++) {
      const seed = (await bootstrapOrganization(database.db, {
        organizationName: `Bench ${r}`,
        organizationSlug: `bench-${r}`,
        environments: ['dev'],
        ownerEmail: `owner${r}@bench.test`,
        ownerName: 'Bench Owner',
        ownerPassword: 'correct horse battery staple',
        keyEnvironment: 'dev',
        allowPrivateNetworksIn: ['dev'],
      }))!;
      const dev = seed.environments[0]!.id;
      const { key } = await createApiKey(database.db, {
        organizationId: seed.organization.id,
        environmentId: dev,
        name: 'bench',
        role: 'admin',
        rateLimits: { proxy: { perMinute: 10_000_000, perHour: 100_000_000 } },
      });
      const inject = async (url: string, payload: object) => {
        const res = await app!.inject({ method: 'POST', url, headers: { authorization: `Bearer ${key}` }, payload });
        if (res.statusCode !== 201) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
      };
      // Stripe's own limit (100 per second) would be the figure otherwise: the limiter stays in the path, wide open.
      await inject('/api/v1/integrations', { connectorKey: 'stripe', baseUrl: simulator.url, settings: { rateLimit: '1000000/second' } });
      await inject('/api/v1/connections', { integration: 'stripe', id: 'bench-stripe', endCustomerId: 'bench', credentials: { apiKey: STRIPE_KEY } });
      tenants.push(key);
    }

    const direct = () => autocannon(`${simulator.url}/v1/account`, { authorization: `Bearer ${STRIPE_KEY}` });
    // Where the time goes: the API with no authentication, and authenticated with next to nothing to do.
    // With the hub's CPU per request: the pipeline's own cost, which a busy machine does not change.
    const cpuOf = async (run: () => Promise<Load>): Promise<[Load, number]> => {
      const before = process.cpuUsage();
      const load = await run();
      const used = process.cpuUsage(before);
      return [load, Math.round((used.user + used.system) / load.requests)];
    };
    const [health, healthCpu] = await cpuOf(() => autocannon(`${api}/health`, {}));
    const [authenticated, authenticatedCpu] = await cpuOf(() => autocannon(`${api}/api/v1/connections/bench-stripe/syncs`, { authorization: `Bearer ${tenants[0]}` }));
    console.log(`  the API alone: /health ${health.requestsPerSecond} req/s, ${healthCpu} µs CPU per request; an authenticated read ${authenticated.requestsPerSecond} req/s, ${authenticatedCpu} µs CPU per request (${authenticated.non2xx} of ${authenticated.requests} answered 429)`);
    const proxied = (key: string) => autocannon(`${api}/api/v1/proxy/bench-stripe/v1/account`, { authorization: `Bearer ${key}` });
    const bare = () => autocannon(`${forwarder!.url}/v1/account`, {});
    console.log('  warming up');
    await direct();
    await bare();
    await proxied(tenants[0]!);
    const statements = statementCounter();
    const samples = { direct: [] as Load[], forwarder: [] as Load[], proxy: [] as Load[] };
    const perCall: number[] = [];
    // CPU time of this process (the hub, or the forwarder in its rounds) per call: what a busy
    // machine does not change, unlike requests per second (other processes take the cores).
    const cpuPerCall = { forwarder: [] as number[], proxy: [] as number[] };
    const measured = async (run: () => Promise<Load>, into: number[]): Promise<Load> => {
      const before = process.cpuUsage();
      const load = await run();
      const used = process.cpuUsage(before);
      into.push(Math.round((used.user + used.system) / load.requests));
      return load;
    };
    for (let r = 1; r <= ROUNDS; r++) {
      samples.direct.push(await direct());
      console.log(`  round ${r} direct: ${samples.direct.at(-1)!.requestsPerSecond} req/s, p50 ${samples.direct.at(-1)!.latencyMs.p50} ms`);
      samples.forwarder.push(await measured(bare, cpuPerCall.forwarder));
      console.log(`  round ${r} bare forwarder: ${samples.forwarder.at(-1)!.requestsPerSecond} req/s, p50 ${samples.forwarder.at(-1)!.latencyMs.p50} ms; ${cpuPerCall.forwarder.at(-1)} µs CPU per call`);
      statements.start();
      samples.proxy.push(await measured(() => proxied(tenants[r]!), cpuPerCall.proxy));
      const counted = statements.stop();
      const last = samples.proxy.at(-1)!;
      perCall.push(Math.round((counted.total / last.requests) * 10_000) / 10_000);
      console.log(`  round ${r} proxy: ${last.requestsPerSecond} req/s, p50 ${last.latencyMs.p50} ms (non-2xx ${last.non2xx}, errors ${last.errors}); ${cpuPerCall.proxy.at(-1)} µs CPU per call; ${counted.total} SQL statements, ${perCall.at(-1)} per call`);
      for (const [text, count] of counted.top.slice(0, 5)) console.log(`    ${count}× ${text}`);
      if (last.non2xx > 0 || last.errors > 0) throw new Error('the proxy answered errors: the figures would not mean anything');
    }
    const median = (loads: Load[]) => [...loads].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond)[Math.floor(loads.length / 2)]!;
    const d = median(samples.direct);
    const f = median(samples.forwarder);
    const p = median(samples.proxy);
    const ratio = round(p.requestsPerSecond / d.requestsPerSecond);
    const ofForwarder = round(p.requestsPerSecond / f.requestsPerSecond);
    const forwarderOfDirect = round(f.requestsPerSecond / d.requestsPerSecond);
    const addedOverForwarderP50 = round(p.latencyMs.p50 - f.latencyMs.p50);
    const file = writeResult('proxy', {
      loadAverageAtStart,
      settings: { connections: CONNECTIONS, secondsPerRun: SECONDS, rounds: ROUNDS, request: 'GET /v1/account (Stripe simulator, ~500 bytes of JSON)' },
      direct: { ...d, rounds: samples.direct.map((s) => s.requestsPerSecond) },
      forwarder: {
        ...f,
        rounds: samples.forwarder.map((s) => s.requestsPerSecond),
        what: 'a bare node:http server and an undici Pool that adds the provider key: no authentication, logging or database (the limit any Node hop meets)',
      },
      proxy: { ...p, rounds: samples.proxy.map((s) => s.requestsPerSecond) },
      ratio,
      ofForwarder,
      forwarderOfDirect,
      addedLatencyMs: { p50: round(p.latencyMs.p50 - d.latencyMs.p50), p99: round(p.latencyMs.p99 - d.latencyMs.p99), overForwarderP50: addedOverForwarderP50 },
      sqlStatementsPerCall: perCall,
      cpuMicrosecondsPerCall: { forwarder: cpuPerCall.forwarder, proxy: cpuPerCall.proxy, what: 'CPU time (user + system) of the process serving the calls, per call, each round' },
      calibration: {
        health: { requestsPerSecond: health.requestsPerSecond, cpuMicrosecondsPerRequest: healthCpu, what: 'GET /health: the API with no authentication and no database' },
        authenticatedRead: {
          requestsPerSecond: authenticated.requestsPerSecond,
          cpuMicrosecondsPerRequest: authenticatedCpu,
          non2xx: authenticated.non2xx,
          requests: authenticated.requests,
          what:
            'GET /api/v1/connections/{id}/syncs with an API key: authentication and rate limits, then one small read. Past the organization’s 1,000 management requests a minute the API answers 429 (non2xx), so most of these requests are authentication, rate limits and a problem answer',
        },
      },
      aim: { atLeastSeventyPercentOfForwarder: ofForwarder >= 0.7, addedP50AtMostThreeMs: addedOverForwarderP50 <= 3 },
    });
    console.log(`  proxy ${p.requestsPerSecond} req/s: ${Math.round(ofForwarder * 100)} % of the bare forwarder (${f.requestsPerSecond} req/s; aim ≥ 70 %), ${Math.round(ratio * 100)} % of direct (${d.requestsPerSecond} req/s); added p50 over the forwarder ${addedOverForwarderP50} ms (aim ≤ 3 ms)`);
    console.log(`  wrote ${file}`);
  } finally {
    await app?.close();
    await forwarder?.close();
    await proxy.close();
    await closeProviderAgent();
    await database?.close();
    simulator.child.kill();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

await main();
