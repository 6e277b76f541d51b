/**
 * No acknowledged event is lost: a hub process is killed with SIGKILL in the middle of a load
 * run, twice; after a restart, every request that got a 2xx is in the database. Two of the
 * senders send large bodies (large objects on the embedded database): each acknowledged one reads
 * back byte for byte, and no object outlives a request that was not stored.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { Agent, request } from 'undici';
import { describe, expect, it } from 'vitest';
import { openDatabase, rows } from '../../../src/db/index.ts';
import { BODY_OBJECT_BYTES, inboundEvents, readBody } from '../../../src/webhooks/inbound/index.ts';
import { SIGNERS } from '../../../simulators/index.ts';
import { copyPgliteTemplate, createPostgresDatabase, dropPostgresDatabase, onPostgres } from '../../support/db.ts';

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/hub.ts');
const SECRET = 'whsec_crash_test';
const PUBLIC_URL = 'https://hooks.patchbay.test';

interface Running {
  child: ChildProcess;
  url: string;
  sourceId: string;
  exited: Promise<number | null>;
}

function startHub(env: Record<string, string>): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    // A shared two-core machine running other suites can take longer than half a minute to start a hub.
    const timer = setTimeout(() => reject(new Error(`hub did not start: ${stderr}`)), 90_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (!line) return;
      clearTimeout(timer);
      resolve({ child, exited, ...(JSON.parse(line) as { url: string; sourceId: string }) });
    });
    void exited.then((code) => reject(new Error(`hub exited (${code}) before it started: ${stderr}`)));
  });
}

const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
/** Large enough for a large object on the embedded database, small enough to need no slot. */
const LARGE_PADDING = 'x'.repeat(2 * BODY_OBJECT_BYTES + 1_000);

/**
 * Sends distinct signed events from `concurrency` loops until `stop` (the first two loops large
 * ones); returns the acknowledged ids, and the digests of the large bodies acknowledged.
 */
async function load(hub: Running, concurrency: number, stop: Promise<void>, prefix: string, onAck: () => void): Promise<{ acked: string[]; large: Map<string, string>; failed: number }> {
  const dispatcher = new Agent({ connections: concurrency, pipelining: 1 });
  const acked: string[] = [];
  const large = new Map<string, string>();
  let failed = 0;
  let stopped = false;
  void stop.then(() => (stopped = true));
  let n = 0;
  const loop = async (_: unknown, i: number) => {
    while (!stopped) {
      const body = JSON.stringify({ id: `evt_${prefix}_${n++}`, object: 'event', type: 'charge.succeeded', data: i < 2 ? { padding: LARGE_PADDING } : {} });
      const signed = SIGNERS.stripe!(SECRET, { url: `${PUBLIC_URL}/webhooks/in/${hub.sourceId}`, body });
      try {
        const res = await request(`${hub.url}/webhooks/in/${hub.sourceId}`, { method: 'POST', headers: signed.headers, body, dispatcher, headersTimeout: 5_000, bodyTimeout: 5_000 });
        await res.body.dump();
        if (res.statusCode >= 200 && res.statusCode < 300) {
          acked.push(String(res.headers['x-inbound-event-id']));
          if (i < 2) large.set(String(res.headers['x-inbound-event-id']), sha(body));
          onAck();
        }
        else failed++;
      } catch {
        failed++;
        if (stopped) return;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  await dispatcher.destroy();
  return { acked, large, failed };
}

describe('a hub killed under load', () => {
  it('keeps every event it acknowledged, across repeated SIGKILLs', { timeout: 300_000 }, async () => {
    const postgres = onPostgres();
    const dataDir = copyPgliteTemplate('crash');
    const url = postgres ? await createPostgresDatabase() : undefined;
    const env: Record<string, string> = { PATCHBAY_DATA_DIR: dataDir, ...(url ? { DATABASE_URL: url, PATCHBAY_SECRET_KEYS: process.env.PATCHBAY_SECRET_KEYS! } : {}) };
    const acked: string[] = [];
    const large = new Map<string, string>();
    try {
      for (let round = 0; round < 2; round++) {
        const hub = await startHub(env);
        let stop!: () => void;
        const stopping = new Promise<void>((r) => (stop = r));
        // Kill it well into the load: once it acknowledged a good number (however slow the
        // machine is), plus a moment, so requests are in flight at every stage.
        let acknowledged!: () => void;
        const enough = new Promise<void>((r) => (acknowledged = r));
        let count = 0;
        const running = load(hub, 16, stopping, `r${round}`, () => {
          if (++count === 15) acknowledged();
        });
        await Promise.race([enough, new Promise((r) => setTimeout(r, 30_000))]);
        await new Promise((r) => setTimeout(r, 500));
        hub.child.kill('SIGKILL');
        await hub.exited;
        stop();
        const result = await running;
        expect(result.acked.length).toBeGreaterThan(0);
        acked.push(...result.acked);
        for (const [id, digest] of result.large) large.set(id, digest);
      }
      expect(acked.length).toBeGreaterThan(20);
      // Restart once more (recovery after the last kill), then stop it cleanly and look.
      const hub = await startHub(env);
      hub.child.kill('SIGTERM');
      expect(await hub.exited).toBe(0);
      const database = await openDatabase({ databaseUrl: url, dataDir });
      try {
        const found = await rows<{ id: string }>(database.db, sql`select id from inbound_events where id in (select jsonb_array_elements_text(${JSON.stringify(acked)}::jsonb))`);
        expect(new Set(found.map((r) => r.id)).size).toBe(new Set(acked).size);
        expect(large.size).toBeGreaterThan(0);
        for (const [id, digest] of large) {
          const [event] = await database.db.select().from(inboundEvents).where(eq(inboundEvents.id, id));
          expect(sha(await readBody(database.db, event!)), id).toBe(digest);
        }
        // Every object belongs to a stored row: a killed store left none behind.
        const [counts] = await rows<{ objects: number; rows: number }>(
          database.db,
          sql`select (select count(*) from pg_largeobject_metadata)::int as objects, (select count(*) from inbound_events where body_object is not null)::int as rows`,
        );
        expect(counts!.objects).toBe(counts!.rows);
        if (database.kind === 'pglite') expect(counts!.rows).toBeGreaterThan(0);
      } finally {
        await database.close();
      }
    } finally {
      if (url) await dropPostgresDatabase(url);
      // A cleanup failure must not hide the test's own (a throw here would replace it).
      try {
        fs.rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
      } catch (err) {
        console.warn(`could not remove ${dataDir}: ${String(err)}`);
      }
    }
  });
});
