import { and, eq, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../src/db/index.ts';
import { events } from '../../src/events/index.ts';
import { JobAbortedError } from '../../src/queue/index.ts';
import { cancelRun, readChanges, records, recordVersions, syncs, type Change } from '../../src/syncs/index.ts';
import { startSimulator, type SimulatorHandle } from '../../simulators/index.ts';
import { createSyncHarness, SCOPE, type SyncHarness } from './support.ts';

let h: SyncHarness;
let hubspot: SimulatorHandle;
let n = 0;
/** Each test its own connection, so records never mix. */
const connection = () => {
  const id = `conn_hs${++n}`;
  h.resolver.add(id, 'hubspot', hubspot);
  return id;
};

beforeAll(async () => {
  h = await createSyncHarness({ batchSize: 1_000 });
  hubspot = await startSimulator('hubspot', { records: { contacts: 2_500, companies: 300, deals: 300 } });
});
afterAll(async () => {
  await hubspot.close();
  await h.close();
});
afterEach(() => {
  hubspot.control.reset();
});

async function live(connectionId: string, model = 'contacts', harness = h): Promise<number> {
  const [row] = await rows<{ n: number }>(
    harness.database.db,
    sql`select count(*)::int as n from records where connection_id = ${connectionId} and model = ${model} and deleted_at is null`,
  );
  return row!.n;
}

async function allChanges(connectionId: string, cursor?: string): Promise<{ changes: Change[]; cursor: string }> {
  const changes: Change[] = [];
  let page = await readChanges(h.database.db, SCOPE, { connectionId, cursor, limit: 250 });
  changes.push(...page.data);
  while (page.hasMore) {
    page = await readChanges(h.database.db, SCOPE, { connectionId, cursor: page.cursor, limit: 250 });
    changes.push(...page.data);
  }
  return { changes, cursor: page.cursor };
}

describe('a first run', () => {
  it('backfills every record, a page at a time, and says so', async () => {
    const conn = connection();
    const sync = await h.configure(conn, 'contacts');
    const run = await h.run((await h.trigger(sync)).id);
    expect(run).toMatchObject({ status: 'succeeded', full: true, pages: 25, providerCalls: 25, added: 2_500, updated: 0, deleted: 0 });
    expect(await live(conn)).toBe(2_500);
    const [saved] = await h.database.db.select().from(syncs).where(eq(syncs.id, sync.id));
    expect(saved!.checkpoint).toEqual({ since: expect.any(Number) });
    expect(saved!.lastStatus).toBe('succeeded');
    const [event] = await h.database.db.select().from(events).where(and(eq(events.type, 'sync.completed'), sql`${events.data}->>'runId' = ${run.id}`));
    expect(event!.data).toMatchObject({ connectionId: conn, model: 'contacts', added: 2_500 });
    expect(h.resolver.statuses.filter((s) => s.connectionId === conn).map((s) => s.status)).toEqual(['syncing', 'connected']);
  });

  it('reaches back only historicalDays when set', async () => {
    const conn = connection();
    const sync = await h.configure(conn, 'contacts', { historicalDays: 30 });
    const run = await h.run((await h.trigger(sync)).id);
    // Modification times spread evenly over a year: about 30/365 of them.
    expect(run.added).toBeGreaterThan(150);
    expect(run.added).toBeLessThan(260);
  });

  it('takes nothing older than the sync when it does not backfill', async () => {
    const conn = connection();
    const sync = await h.configure(conn, 'deals', { shouldBackfill: false });
    hubspot.data!.deals!.touch(4);
    const run = await h.run((await h.trigger(sync)).id);
    expect(run).toMatchObject({ status: 'succeeded', added: 4 });
  });
});

describe('an incremental run', () => {
  it('takes only what changed since the checkpoint, and the feed lists those changes in order', async () => {
    const conn = connection();
    const sync = await h.configure(conn, 'companies');
    await h.run((await h.trigger(sync)).id);
    const before = await allChanges(conn);
    expect(before.changes).toHaveLength(300);
    expect(new Set(before.changes.map((c) => c.change))).toEqual(new Set(['ADDED']));

    const companies = hubspot.data!.companies!;
    const ids = companies.ids();
    const touched = companies.touch(ids.slice(0, 5)).map((c) => (c as { id: string }).id);
    const removed = companies.remove(ids.slice(10, 12));
    const added = companies.add(3).map((c) => (c as { id: string }).id);

    const run = await h.run((await h.trigger(sync)).id);
    expect(run).toMatchObject({ status: 'succeeded', full: false, added: 3, updated: 5, deleted: 2 });
    expect(run.pages).toBeLessThan(5);

    const after = await allChanges(conn, before.cursor);
    expect(after.changes.map((c) => [c.externalId, c.change]).sort()).toEqual(
      [...touched.map((id) => [id, 'UPDATED']), ...added.map((id) => [id, 'ADDED']), ...removed.map((id) => [id, 'DELETED'])].sort(),
    );
    const versions = await h.database.db.select().from(recordVersions).where(eq(recordVersions.connectionId, conn));
    expect(versions).toHaveLength(7);
    // Nothing new since: the feed stays where it was.
    expect((await allChanges(conn, after.cursor)).changes).toEqual([]);
  });

  it('leaves unchanged records alone: no new version, no feed entry', async () => {
    const conn = connection();
    const sync = await h.configure(conn, 'deals');
    await h.run((await h.trigger(sync)).id);
    const { cursor } = await allChanges(conn);
    const again = await h.run((await h.trigger(sync, { full: true })).id);
    expect(again).toMatchObject({ status: 'succeeded', full: true, added: 0, updated: 0, deleted: 0, unchanged: 300 });
    expect((await allChanges(conn, cursor)).changes).toEqual([]);
    const [row] = await h.database.db.select().from(records).where(and(eq(records.connectionId, conn), eq(records.model, 'deals'))).limit(1);
    expect(row!.version).toBe(1);
  });
});

describe('a snapshot sync', () => {
  it('finds deletions by difference', async () => {
    const conn = connection();
    const sync = await h.configure(conn, 'deals', { dataStrategy: 'snapshot' });
    await h.run((await h.trigger(sync)).id);
    const gone = hubspot.data!.deals!.remove(3);
    const run = await h.run((await h.trigger(sync)).id);
    expect(run).toMatchObject({ status: 'succeeded', full: true, deleted: 3 });
    const deleted = await h.database.db.select().from(records).where(and(eq(records.connectionId, conn), sql`deleted_at is not null`));
    expect(deleted.map((r) => r.externalId).sort()).toEqual([...gone].sort());
  });
});

describe('failures', () => {
  it('fails a run on a malformed page, naming the page, with nothing half-written', async () => {
    const conn = connection();
    const sync = await h.configure(conn, 'contacts');
    hubspot.control.injectFault({ kind: 'malformed', path: '/crm/v3/objects/contacts', after: 3 });
    const run = await h.run((await h.trigger(sync)).id);
    expect(run.status).toBe('failed');
    expect(run.errors).toEqual([expect.objectContaining({ page: 4, code: 'malformed_page', message: expect.stringMatching(/page 4 of GET \/crm\/v3\/objects\/contacts is malformed: the answer is not valid JSON/) })]);
    // Three pages (300 records) were read but never committed: no checkpoint followed them into a batch.
    expect(await live(conn)).toBe(0);
    const [saved] = await h.database.db.select().from(syncs).where(eq(syncs.id, sync.id));
    expect(saved!.checkpoint).toBeNull();
    expect(h.resolver.statuses.filter((s) => s.connectionId === conn).at(-1)?.status).toBe('connected');
  });

  it('resumes a killed run from its last checkpoint', async () => {
    const conn = connection();
    const small = await createSyncHarness({ batchSize: 200 });
    try {
      small.resolver.add(conn, 'hubspot', hubspot);
      const sync = await small.configure(conn, 'contacts');
      const queued = await small.trigger(sync);
      // The worker dies after the 12th page: abort as a shutdown would, mid-read.
      const controller = new AbortController();
      let pages = 0;
      const original = small.deps.proxy.client.bind(small.deps.proxy);
      small.deps.proxy.client = (options) => {
        const http = original(options);
        return {
          baseUrl: http.baseUrl,
          request: async (req) => {
            if (++pages === 12) controller.abort(new JobAbortedError('shutdown', 'worker stopped'));
            return http.request(req);
          },
        };
      };
      const first = await small.run(queued.id, { signal: controller.signal, attempts: 1 });
      small.deps.proxy.client = original;
      expect(first.status).toBe('running');
      expect(first.checkpoint).toMatchObject({ after: expect.any(String) });
      const committed = await live(conn, 'contacts', small);
      expect(committed).toBeGreaterThan(0);
      expect(committed % 200).toBe(0);

      hubspot.control.requests.length = 0;
      const resumed = await small.run(queued.id);
      expect(resumed).toMatchObject({ status: 'succeeded', added: 2_500, attempts: 2 });
      // The second attempt started where the first committed, not from the beginning.
      expect(hubspot.control.requests[0]!.query).toContain(`after=${(first.checkpoint as { after: string }).after}`);
      expect(hubspot.control.requests.length).toBeLessThan(25);
      expect(await live(conn, 'contacts', small)).toBe(2_500);
    } finally {
      await small.close();
    }
  });

  it('rides out a 429 storm and finishes', async () => {
    const conn = connection();
    const sync = await h.configure(conn, 'deals');
    hubspot.control.injectFault({ kind: 'status', status: 429, retryAfterSeconds: 0, after: 1, times: 2 });
    const run = await h.run((await h.trigger(sync)).id, { attempts: 1 });
    expect(run).toMatchObject({ status: 'succeeded', added: hubspot.data!.deals!.size, providerCalls: 5 });
  });

  it('keeps a transient failure on the run and resumes on the next attempt', async () => {
    const conn = connection();
    const sync = await h.configure(conn, 'deals');
    hubspot.control.injectFault({ kind: 'status', status: 503, after: 1, times: 4 });
    const run = await h.run((await h.trigger(sync)).id);
    expect(run.status).toBe('succeeded');
    expect(run.attempts).toBe(2);
    expect(run.errors).toEqual([expect.objectContaining({ code: 'provider_error', page: 2 })]);
  });
});

describe('control', () => {
  it('runs one run per connection and model at a time', async () => {
    const conn = connection();
    const sync = await h.configure(conn, 'deals');
    const first = await h.trigger(sync);
    const second = await h.trigger(sync);
    expect(second.id).toBe(first.id);
    await h.run(first.id);
    expect((await h.trigger(sync)).id).not.toBe(first.id);
  });

  it('stops a run that is cancelled, keeping what it committed', async () => {
    const conn = connection();
    const sync = await h.configure(conn, 'contacts');
    const queued = await h.trigger(sync);
    hubspot.control.setDelay(30);
    const running = h.run(queued.id);
    await new Promise((resolve) => setTimeout(resolve, 150));
    await h.database.db.transaction((tx) => cancelRun(tx, SCOPE, queued.id, h.clock));
    const run = await running;
    expect(run.status).toBe('cancelled');
    expect(await live(conn)).toBeLessThan(2_500);
  });

  it('cancels a queued run before it starts', async () => {
    const conn = connection();
    const sync = await h.configure(conn, 'deals');
    const queued = await h.trigger(sync);
    const cancelled = await h.database.db.transaction((tx) => cancelRun(tx, SCOPE, queued.id, h.clock));
    expect(cancelled!.status).toBe('cancelled');
    expect((await h.run(queued.id)).status).toBe('cancelled');
    expect(hubspot.control.requests).toHaveLength(0);
  });
});
