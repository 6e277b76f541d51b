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
 * limit does not cut in.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { buildApi, syncsApi } from '../src/api/index.ts';
import { bootstrapOrganization, createApiKey } from '../src/auth/index.ts';
import { loadRegistry } from '../src/connectors/index.ts';
import { createLogger, loadConfig, systemClock } from '../src/core/index.ts';
import { createVault } from '../src/credentials/index.ts';
import { migrate, openDatabase, type Database } from '../src/db/index.ts';
import { connectionResolver } from '../src/hub/connection-resolver.ts';
import { closeProviderAgent, createProviderProxy } from '../src/proxy/index.ts';
import { createSyncEngine, type SyncEngine } from '../src/syncs/index.ts';
import { benchServerUrl, bounded, writeResult } from './support.ts';

const DIR = path.dirname(fileURLToPath(import.meta.url));
const CONNECTIONS = 32;
const SECONDS = 8;
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
  try {
    database = await openDatabase({ databaseUrl: dbUrl.toString(), dataDir: os.tmpdir(), poolSize: 10 });
    await migrate(database.db);
    const logger = createLogger({ level: 'info', destination: pino.destination({ dest: '/dev/null', sync: false }) });
    const vault = createVault({ keys: [{ id: 'bench', key: randomBytes(32) }], clock: systemClock });
    let engine: SyncEngine | undefined;
    const config = loadConfig({ PATCHBAY_DATA_DIR: os.tmpdir(), PUBLIC_URL: 'http://127.0.0.1' });
    app = await buildApi(
      { config, database, logger, clock: systemClock, metrics: new Registry(), vault },
      { plugins: syncsApi(() => engine!.services).map((plugin) => ({ plugin })) },
    );
    engine = createSyncEngine({ db: database.db, logger, clock: systemClock, proxy, resolver: connectionResolver({ db: database.db, vault, clock: systemClock, logger }) });
    await app.listen({ port: 0, host: '127.0.0.1' });
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
    const health = await autocannon(`${api}/health`, {});
    const authenticated = await autocannon(`${api}/api/v1/connections/bench-stripe/syncs`, { authorization: `Bearer ${tenants[0]}` });
    console.log(`  the API alone: /health ${health.requestsPerSecond} req/s; an authenticated read ${authenticated.requestsPerSecond} req/s (${authenticated.non2xx} of ${authenticated.requests} answered 429)`);
    const proxied = (key: string) => autocannon(`${api}/api/v1/proxy/bench-stripe/v1/account`, { authorization: `Bearer ${key}` });
    console.log('  warming up');
    await direct();
    await proxied(tenants[0]!);
    const samples = { direct: [] as Load[], proxy: [] as Load[] };
    for (let r = 1; r <= ROUNDS; r++) {
      samples.direct.push(await direct());
      console.log(`  round ${r} direct: ${samples.direct.at(-1)!.requestsPerSecond} req/s, p50 ${samples.direct.at(-1)!.latencyMs.p50} ms`);
      samples.proxy.push(await proxied(tenants[r]!));
      const last = samples.proxy.at(-1)!;
      console.log(`  round ${r} proxy: ${last.requestsPerSecond} req/s, p50 ${last.latencyMs.p50} ms (non-2xx ${last.non2xx}, errors ${last.errors})`);
      if (last.non2xx > 0 || last.errors > 0) throw new Error('the proxy answered errors: the figures would not mean anything');
    }
    const median = (loads: Load[]) => [...loads].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond)[Math.floor(loads.length / 2)]!;
    const d = median(samples.direct);
    const p = median(samples.proxy);
    const ratio = round(p.requestsPerSecond / d.requestsPerSecond);
    const file = writeResult('proxy', {
      loadAverageAtStart,
      settings: { connections: CONNECTIONS, secondsPerRun: SECONDS, rounds: ROUNDS, request: 'GET /v1/account (Stripe simulator, ~500 bytes of JSON)' },
      direct: { ...d, rounds: samples.direct.map((s) => s.requestsPerSecond) },
      proxy: { ...p, rounds: samples.proxy.map((s) => s.requestsPerSecond) },
      ratio,
      addedLatencyMs: { p50: round(p.latencyMs.p50 - d.latencyMs.p50), p99: round(p.latencyMs.p99 - d.latencyMs.p99) },
      calibration: {
        health: { requestsPerSecond: health.requestsPerSecond, what: 'GET /health: the API with no authentication and no database' },
        authenticatedRead: {
          requestsPerSecond: authenticated.requestsPerSecond,
          non2xx: authenticated.non2xx,
          requests: authenticated.requests,
          what:
            'GET /api/v1/connections/{id}/syncs with an API key: authentication and rate limits, then one small read. Past the organization’s 1,000 management requests a minute the API answers 429 (non2xx), so most of these requests are authentication, rate limits and a problem answer',
        },
      },
      aim: { atLeastSixtyPercentOfDirect: ratio >= 0.6 },
    });
    console.log(`  proxy ${p.requestsPerSecond} req/s vs direct ${d.requestsPerSecond} req/s: ${Math.round(ratio * 100)} % (aim ≥ 60 %)`);
    console.log(`  wrote ${file}`);
  } finally {
    await app?.close();
    await proxy.close();
    await closeProviderAgent();
    await database?.close();
    simulator.child.kill();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

await main();
