/**
 * Sync ingestion beside its limit, in the same run, on the same PostgreSQL:
 * - sync: a full run of the HubSpot connector's `contacts` model from the simulator serving
 *   100,000 contacts in pages of 100 — the product path end to end: provider proxy (rate
 *   limiter, breaker, retry policy), paginate, schema check, batches of 1,000 committed with
 *   their checkpoint, content hashes, versions, feed positions;
 * - limit: the same 1,000 pages fetched from the same simulator with the plain provider client,
 *   and written with plain batched INSERTs (1,000 rows per statement and transaction) into a
 *   table with no change tracking.
 * A third figure re-runs the sync over unchanged records (every record hashed and found equal).
 * ROUNDS interleaved rounds each; the median counts. Everything runs in this process, simulator
 * included, so both paths pay for the simulator alike.
 */
import os from 'node:os';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { loadRegistry, getConnector } from '../src/connectors/index.ts';
import { silentLogger, systemClock } from '../src/core/index.ts';
import { migrate, openDatabase, rows, type Database } from '../src/db/index.ts';
import { createProviderClient, createProviderProxy, closeProviderAgent } from '../src/proxy/index.ts';
import { configureSync, createSyncEngine, executeRun, syncRuns, triggerSync, type ConnectionResolver, type ResolvedConnection } from '../src/syncs/index.ts';
import { startSimulator } from '../simulators/index.ts';
import { benchServerUrl, bounded, writeResult } from './support.ts';

const RECORDS = 100_000;
const PAGE = 100;
const ROUNDS = 3;
const PHASE_LIMIT_MS = 240_000;
const SCOPE = { organizationId: 'org_bench', environmentId: 'env_bench' };
const now = () => performance.now();
const round = (v: number) => Math.round(v * 100) / 100;

interface Figure {
  records: number;
  seconds: number;
  recordsPerSecond: number;
}
const figure = (records: number, ms: number): Figure => ({ records, seconds: Math.round(ms) / 1000, recordsPerSecond: Math.round((records / ms) * 1000) });
const median = (figures: Figure[]) => {
  const sorted = [...figures].sort((a, b) => a.recordsPerSecond - b.recordsPerSecond);
  return { recordsPerSecond: sorted[Math.floor(sorted.length / 2)]!.recordsPerSecond, rounds: figures };
};

interface Contact {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
}

async function main(): Promise<void> {
  await loadRegistry();
  const server = benchServerUrl();
  const name = `patchbay_syncbench_${process.pid}`;
  const url = new URL(server);
  url.pathname = `/${name}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  const { rows: version } = await admin.query('show server_version');
  const loadAverageAtStart = os.loadavg().map((v) => round(v));
  await admin.query(`drop database if exists ${name}`);
  await admin.query(`create database ${name}`);
  const hubspot = await startSimulator('hubspot', { records: { contacts: RECORDS, companies: 1, deals: 1 } });
  const proxy = createProviderProxy({ logger: silentLogger });
  let database: Database | undefined;
  try {
    database = await openDatabase({ databaseUrl: url.toString(), dataDir: os.tmpdir(), poolSize: 10 });
    await migrate(database.db);
    await database.db.execute(sql`create table bench_plain (connection_id text not null, external_id text not null, data jsonb not null, primary key (connection_id, external_id))`);
    const db = database.db;

    const connections = new Map<string, ResolvedConnection>();
    const resolver: ConnectionResolver = { resolve: async (_s, id) => connections.get(id), setStatus: async () => undefined };
    const { deps } = createSyncEngine({ db, logger: silentLogger, clock: systemClock, proxy, resolver });
    const connect = (id: string) =>
      connections.set(id, {
        id,
        ...SCOPE,
        integrationId: 'int_bench',
        connector: getConnector('hubspot')!,
        baseUrl: hubspot.baseUrl,
        credentials: hubspot.sample.credentials,
        allowPrivateNetworks: true,
        // The limit under test is ours, not HubSpot's 110 per 10 s: the limiter still runs, wide open.
        rateLimit: '1000000/second',
      });

    const syncRun = async (connectionId: string, full: boolean): Promise<Figure> => {
      const sync = await db.transaction((tx) => configureSync(tx, SCOPE, { connectionId, model: 'contacts' }, systemClock));
      const run = await db.transaction(async (tx) => (await triggerSync(tx, sync, 'manual', { clock: systemClock, full })).run);
      const started = now();
      await bounded(executeRun(deps, run.id, { attempt: 1, maxAttempts: 1, signal: new AbortController().signal, logger: silentLogger }), PHASE_LIMIT_MS, 'sync run');
      const elapsed = now() - started;
      const [done] = await db.select().from(syncRuns).where(sql`id = ${run.id}`);
      if (done!.status !== 'succeeded') throw new Error(`the sync run ended ${done!.status}: ${JSON.stringify(done!.errors)}`);
      const seen = done!.added + done!.updated + done!.unchanged;
      if (seen !== RECORDS) throw new Error(`the sync run saw ${seen} records, not ${RECORDS}`);
      return figure(RECORDS, elapsed);
    };

    const plainRun = async (connectionId: string): Promise<Figure> => {
      const http = createProviderClient({ baseUrl: hubspot.baseUrl, auth: { type: 'header', name: 'authorization', value: `Bearer ${hubspot.sample.credentials.accessToken}` } });
      const started = now();
      let after: string | undefined;
      let batch: { id: string; data: unknown }[] = [];
      let written = 0;
      const flush = async () => {
        if (batch.length === 0) return;
        const values = batch;
        batch = [];
        await db.transaction(async (tx) => {
          await tx.execute(sql`insert into bench_plain (connection_id, external_id, data)
            select ${connectionId}::text, r.id, r.data from jsonb_to_recordset(${JSON.stringify(values)}::jsonb) as r(id text, data jsonb)`);
        });
        written += values.length;
      };
      do {
        const res = await http.request<{ results: Contact[]; paging?: { next: { after: string } } }>({
          path: '/crm/v3/objects/contacts',
          query: { limit: PAGE, properties: 'email,firstname,lastname,lifecyclestage,createdate,lastmodifieddate', ...(after ? { after } : {}) },
        });
        for (const o of res.body.results) batch.push({ id: o.id, data: { id: o.id, ...o.properties, createdAt: o.createdAt, updatedAt: o.updatedAt } });
        if (batch.length >= 1_000) await flush();
        after = res.body.paging?.next.after;
      } while (after);
      await flush();
      const elapsed = now() - started;
      if (written !== RECORDS) throw new Error(`the plain run wrote ${written} records`);
      return figure(RECORDS, elapsed);
    };

    const vacuum = async () => {
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      await client.query('vacuum analyze records');
      await client.query('vacuum analyze bench_plain');
      await client.end();
    };

    const samples = { sync: [] as Figure[], limit: [] as Figure[], unchanged: [] as Figure[] };
    for (let r = 1; r <= ROUNDS; r++) {
      const connectionId = `conn_bench_${r}`;
      connect(connectionId);
      await vacuum();
      samples.limit.push(await plainRun(connectionId));
      console.log(`  round ${r} limit (plain INSERTs): ${samples.limit.at(-1)!.recordsPerSecond} records/s`);
      await vacuum();
      samples.sync.push(await syncRun(connectionId, true));
      console.log(`  round ${r} sync: ${samples.sync.at(-1)!.recordsPerSecond} records/s`);
      await vacuum();
      samples.unchanged.push(await syncRun(connectionId, true));
      console.log(`  round ${r} sync over unchanged records: ${samples.unchanged.at(-1)!.recordsPerSecond} records/s`);
    }
    const sync = median(samples.sync);
    const limit = median(samples.limit);
    const unchanged = median(samples.unchanged);
    const [size] = await rows<{ records: string; plain: string }>(db, sql`select pg_size_pretty(pg_total_relation_size('records')) as records, pg_size_pretty(pg_total_relation_size('bench_plain')) as plain`);
    const ratio = round(sync.recordsPerSecond / limit.recordsPerSecond);
    const file = writeResult('sync', {
      postgres: version[0].server_version,
      loadAverageAtStart,
      settings: { records: RECORDS, pageSize: PAGE, rounds: ROUNDS, batchPerTransaction: 1_000, provider: 'HubSpot simulator (in process), contacts' },
      sync,
      limit: { ...limit, what: 'the same pages, plain provider client, plain batched INSERTs of 1,000 rows per transaction, no change tracking' },
      unchangedResync: { ...unchanged, what: 'a second full run: every record read, hashed and found unchanged (marked seen, no version, no feed entry)' },
      ratio,
      tableSizes: size,
      aim: { atLeastHalfOfTheLimit: ratio >= 0.5 },
    });
    console.log(`  sync ${sync.recordsPerSecond}/s vs limit ${limit.recordsPerSecond}/s: ${Math.round(ratio * 100)} % (aim ≥ 50 %)`);
    console.log(`  wrote ${file}`);
  } finally {
    await database?.close();
    await proxy.close();
    await closeProviderAgent();
    await hubspot.close();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

await main();
