/**
 * Outbound inside a real hub, and through faults of the machinery: a worker SIGKILLed during a
 * delivery, PostgreSQL restarted during a run (on a throwaway cluster this test creates).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, silentLogger, systemClock } from '../../../src/core/index.ts';
import { migrate, openDatabase, rows, type Database } from '../../../src/db/index.ts';
import { bootstrapOrganization } from '../../../src/auth/index.ts';
import { createVault } from '../../../src/credentials/index.ts';
import { createQueue, type Queue } from '../../../src/queue/index.ts';
import { createHub } from '../../../src/hub/index.ts';
import { createEndpoint, createEventType, registerOutbound, type Outbound } from '../../../src/webhooks/outbound/index.ts';
import { createTestDatabase, onPostgres, type TestDatabase } from '../../support/db.ts';
import { FAULT_SETTINGS } from './fixtures/settings.ts';
import { startReceiver, waitFor, type Receiver } from './support.ts';

const WORKER = path.resolve('test/webhooks/outbound/fixtures/worker.ts');

/** Every outbound route (DESIGN.md's paths for event types, events, endpoints, messages, attempts, dead letters, and more). */
const OUTBOUND_OPERATIONS = [
  'GET /api/v1/event-types',
  'POST /api/v1/event-types',
  'GET /api/v1/event-types/{name}',
  'PATCH /api/v1/event-types/{name}',
  'DELETE /api/v1/event-types/{name}',
  'POST /api/v1/events',
  'POST /api/v1/events/batch',
  'GET /api/v1/events/{id}',
  'GET /api/v1/endpoints',
  'POST /api/v1/endpoints',
  'GET /api/v1/endpoints/{id}',
  'PATCH /api/v1/endpoints/{id}',
  'DELETE /api/v1/endpoints/{id}',
  'GET /api/v1/endpoints/{id}/secret',
  'POST /api/v1/endpoints/{id}/secret/rotate',
  'POST /api/v1/endpoints/{id}/recover',
  'POST /api/v1/endpoints/{id}/test',
  'GET /api/v1/endpoints/{id}/stats',
  'GET /api/v1/messages',
  'GET /api/v1/messages/{id}',
  'GET /api/v1/messages/{id}/attempts',
  'POST /api/v1/messages/{id}/endpoints/{endpointId}/resend',
  'GET /api/v1/dead-letters',
  'POST /api/v1/dead-letters/retry',
  'GET /api/v1/listen',
];

async function seed(db: Database['db'], allowPrivateNetworks = true) {
  const result = (await bootstrapOrganization(db, {
    organizationName: 'Acme',
    organizationSlug: 'acme',
    environments: ['dev'],
    ownerEmail: 'owner@acme.test',
    ownerName: 'Olive Owner',
    ownerPassword: 'correct horse battery staple',
    keyEnvironment: 'dev',
    allowPrivateNetworksIn: allowPrivateNetworks ? ['dev'] : [],
  }))!;
  return { organizationId: result.organization.id, environmentId: result.environments[0]!.id, apiKey: result.apiKey };
}

describe('in a hub', () => {
  it('is installed by the hub: routes, fan-out and delivery work end to end', async () => {
    const database = await createTestDatabase();
    const receiver = await startReceiver();
    const env: Record<string, string> = { PATCHBAY_DATA_DIR: database.dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' };
    if (database.url) Object.assign(env, { DATABASE_URL: database.url, PATCHBAY_SECRET_KEYS: `k1:${randomBytes(32).toString('base64')}` });
    const hub = await createHub({ config: loadConfig(env), database, logger: silentLogger });
    try {
      await hub.start();
      const { apiKey } = await seed(database.db);
      const call = async (url: string, payload: object) => (await hub.app!.inject({ method: 'POST', url, headers: { authorization: `Bearer ${apiKey}` }, payload })).json();
      await call('/api/v1/event-types', { name: 'order.created' });
      await call('/api/v1/endpoints', { url: `${receiver.url}/hub` });
      const message = await call('/api/v1/events', { type: 'order.created', data: { via: 'hub' } });
      await waitFor(() => receiver.requests.length === 1, 10_000);
      expect(receiver.requests[0]!.headers['webhook-id']).toBe(message.id);
      // Every outbound route is in a valid OpenAPI 3.1 document.
      const spec = (await hub.app!.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
      const result = await new Validator().validate(spec);
      expect(result.errors ?? []).toEqual([]);
      const documented = Object.entries(spec.paths as Record<string, object>).flatMap(([p, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`));
      for (const op of OUTBOUND_OPERATIONS) expect(documented).toContain(op);
    } finally {
      await hub.stop();
      await receiver.close();
      await database.drop();
    }
   }, 90_000);
});

describe.runIf(onPostgres())('when a worker dies', () => {
  let database: TestDatabase;
  let receiver: Receiver;
  let child: ChildProcess | undefined;
  let queue: Queue | undefined;
  let outbound: Outbound;
  const key = randomBytes(32);

  beforeAll(async () => {
    database = await createTestDatabase();
    receiver = await startReceiver();
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await queue?.stop({ graceMs: 0 });
    await outbound?.stop();
    await receiver.close();
    await database.drop();
  });

  it('still delivers a message whose worker was SIGKILLed mid-request, with the same webhook-id', async () => {
    const scope = await seed(database.db);
    const vault = createVault({ keys: [{ id: 'k1', key }] });
    // This process publishes (the fan-out) and, later, takes over as the worker.
    queue = createQueue({ database, logger: silentLogger, concurrency: 5, leaseSeconds: 2 });
    outbound = registerOutbound({ queue, database, vault, logger: silentLogger, clock: systemClock, settings: FAULT_SETTINGS });
    await database.db.transaction(async (tx) => {
      await createEventType(tx, systemClock, scope, { name: 'order.created' });
      await createEndpoint(tx, outbound.endpointDeps, scope, { url: `${receiver.url}/kill`, timeoutMs: 1_000 });
    });
    // The first request hangs (the worker is killed while it waits); later ones succeed.
    receiver.respond = () => (receiver.requests.length === 1 ? { hang: true } : { status: 200 });

    child = spawn(process.execPath, ['--import', 'tsx', WORKER, database.url!, key.toString('base64')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (c) => (stderr += String(c)));
    await new Promise<void>((resolve, reject) => {
      child!.stdout!.on('data', (c) => String(c).includes('ready') && resolve());
      child!.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${stderr}`)));
    });

    const [published] = await outbound.publish(scope, [{ type: 'order.created', data: { n: 1 } }]);
    const id = published!.message.id;
    await waitFor(() => receiver.requests.length === 1, 10_000, 'the worker to send');
    child.kill('SIGKILL');
    await new Promise((resolve) => child!.once('exit', resolve));

    await queue.start();
    await waitFor(async () => (await rows<{ state: string }>(database.db, sql`select state from outbound_deliveries where message_id = ${id}`))[0]?.state === 'succeeded', 25_000, 'the delivery to succeed');
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([id, id]);
    const attempts = await rows<{ attempt: number; succeeded: boolean }>(database.db, sql`select attempt, succeeded from outbound_attempts where message_id = ${id}`);
    // The killed attempt never got its row; the count still shows it was made.
    expect(attempts).toEqual([{ attempt: 2, succeeded: true }]);
  }, 40_000);
});

// ── PostgreSQL restarted during a run, on a cluster of our own ───────────────────────────────

const PG_BIN = ((): string | undefined => {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return undefined;
  const version = fs.readdirSync(root).sort().at(-1);
  return version ? path.join(root, version, 'bin') : undefined;
})();

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A throwaway cluster run by the postgres user (PostgreSQL refuses root). */
class Cluster {
  constructor(
    readonly dir: string,
    readonly port: number,
  ) {}
  static async create(): Promise<Cluster> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-pg-'));
    fs.chmodSync(dir, 0o777);
    const cluster = new Cluster(path.join(dir, 'data'), await freePort());
    cluster.as(['initdb', '-D', cluster.dir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    return cluster;
  }
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }
  as(args: string[]): void {
    const [command, ...rest] = args;
    const asRoot = process.getuid?.() === 0;
    execFileSync(asRoot ? 'runuser' : path.join(PG_BIN!, command!), asRoot ? ['-u', 'postgres', '--', path.join(PG_BIN!, command!), ...rest] : rest, { stdio: 'pipe' });
  }
  start(): void {
    this.as(['pg_ctl', '-D', this.dir, '-w', '-l', `${this.dir}.log`, '-o', `-p ${this.port} -k ${path.dirname(this.dir)} -c listen_addresses=127.0.0.1`, 'start']);
  }
  /** An immediate stop is a crash: the restart replays the WAL. */
  crash(): void {
    this.as(['pg_ctl', '-D', this.dir, '-w', '-m', 'immediate', 'stop']);
  }
  stop(): void {
    try {
      this.as(['pg_ctl', '-D', this.dir, '-w', '-m', 'fast', 'stop']);
    } catch {
      // not running
    }
    fs.rmSync(path.dirname(this.dir), { recursive: true, force: true });
  }
}

const canRunCluster = (() => {
  if (!PG_BIN || !fs.existsSync(path.join(PG_BIN, 'initdb'))) return false;
  if (process.getuid?.() !== 0) return true;
  try {
    execFileSync('id', ['postgres'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
})();

describe.runIf(canRunCluster)('when PostgreSQL restarts', () => {
  let cluster: Cluster;
  let database: Database | undefined;
  let queue: Queue | undefined;
  let outbound: Outbound | undefined;
  let receiver: Receiver;

  beforeAll(async () => {
    cluster = await Cluster.create();
    cluster.start();
    receiver = await startReceiver();
  }, 60_000);
  afterAll(async () => {
    // Each step bounded: a connection left in a bad state by the crash must not hold up the run.
    const bounded = (p: Promise<unknown> | undefined) => Promise.race([p?.catch(() => undefined), new Promise((r) => setTimeout(r, 10_000))]);
    await bounded(queue?.stop({ graceMs: 0 }));
    await bounded(outbound?.stop());
    await bounded(database?.close());
    await receiver.close();
    cluster.stop();
  }, 60_000);

  it('resumes deliveries after a crash and restart, losing nothing that was acknowledged', async () => {
    database = await openDatabase({ databaseUrl: cluster.url, dataDir: path.dirname(cluster.dir), poolSize: 6 });
    await migrate(database.db);
    const scope = await seed(database.db);
    const vault = createVault({ keys: [{ id: 'k1', key: randomBytes(32) }] });
    queue = createQueue({ database, logger: silentLogger, concurrency: 5, leaseSeconds: 2 });
    outbound = registerOutbound({ queue, database, vault, logger: silentLogger, clock: systemClock, settings: FAULT_SETTINGS });
    await database.db.transaction(async (tx) => {
      await createEventType(tx, systemClock, scope, { name: 'tick' });
      for (let i = 0; i < 2; i++) await createEndpoint(tx, outbound!.endpointDeps, scope, { url: `${receiver.url}/pg-${i}` });
    });
    await queue.start();

    // Publish 40 batches of 10; crash the server after the 15th. A batch is acknowledged once
    // `publish` resolves; one that fails is published again, as a client would.
    const acknowledged = new Set<string>();
    for (let b = 0; b < 40; b++) {
      if (b === 15) {
        cluster.crash();
        setTimeout(() => cluster.start(), 1_500);
      }
      for (;;) {
        try {
          const done = await outbound.publish(scope, Array.from({ length: 10 }, (_, i) => ({ type: 'tick', data: { b, i }, eventId: `tick-${b}-${i}` })));
          done.forEach((d) => acknowledged.add(d.message.id));
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    }
    expect(acknowledged.size).toBe(400);
    const seen = () => new Set(receiver.requests.filter((r) => r.url.startsWith('/pg-')).map((r) => `${r.url} ${String(r.headers['webhook-id'])}`));
    await waitFor(() => seen().size === 800, 45_000, 'every message at both endpoints');
    for (const id of acknowledged) for (const i of [0, 1]) expect(seen().has(`/pg-${i} ${id}`)).toBe(true);
    await waitFor(async () => {
      const [left] = await rows<{ n: number }>(database!.db, sql`select count(*)::int as n from outbound_deliveries where state <> 'succeeded'`);
      return left!.n === 0;
    }, 30_000, 'every delivery recorded');
  }, 120_000);
});
