import pg from 'pg';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.ts';
import { configureSync, lockRecords, readChanges, runDueSyncs, saveRecords, syncRuns, triggerFromWebhook, type Sync } from '../../src/syncs/index.ts';
import { createTestDatabase, onPostgres, type TestDatabase } from '../support/db.ts';
import { SCOPE } from './support.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

const target = (connectionId: string) => ({ ...SCOPE, connectionId, model: 'contacts' });
const options = { runId: null, full: false, merge: false, now: new Date() };

describe('the change feed', () => {
  it('pages in order with a cursor and stays put when nothing changed', async () => {
    await database.db.transaction(async (tx) => {
      await lockRecords(tx, target('conn_feed'));
      await saveRecords(tx, target('conn_feed'), Array.from({ length: 25 }, (_, i) => ({ externalId: `c${i}`, data: { n: i } })), options);
    });
    const first = await readChanges(database.db, SCOPE, { connectionId: 'conn_feed', limit: 10 });
    expect(first.data.map((c) => c.externalId)).toEqual(Array.from({ length: 10 }, (_, i) => `c${i}`));
    expect(first.hasMore).toBe(true);
    const rest = await readChanges(database.db, SCOPE, { connectionId: 'conn_feed', cursor: first.cursor, limit: 100 });
    expect(rest.data).toHaveLength(15);
    const idle = await readChanges(database.db, SCOPE, { connectionId: 'conn_feed', cursor: rest.cursor, limit: 100 });
    expect(idle).toEqual({ data: [], cursor: rest.cursor, hasMore: false });
  });

  describe.runIf(onPostgres())('with transactions committing out of order (PostgreSQL)', () => {
    it('never skips a change whose transaction commits after a later one', async () => {
      // Raw connections, without the per-connection lock, so the two writes really overlap.
      const early = new pg.Client({ connectionString: database.url });
      const late = new pg.Client({ connectionString: database.url });
      await Promise.all([early.connect(), late.connect()]);
      const insert = (client: pg.Client, id: string) =>
        client.query(
          `insert into records (organization_id, environment_id, connection_id, model, external_id, data, hash, version, first_seen_at, last_seen_at)
           values ($1, $2, 'conn_race', 'contacts', $3, '{}', 'h', 1, now(), now())`,
          [SCOPE.organizationId, SCOPE.environmentId, id],
        );
      try {
        await early.query('begin');
        await insert(early, 'early'); // takes the lower transaction id and feed number
        await late.query('begin');
        await insert(late, 'late');
        await late.query('commit');

        // `late` is committed, but `early` — older — is still in flight: the feed holds back.
        const before = await readChanges(database.db, SCOPE, { connectionId: 'conn_race', limit: 10 });
        expect(before.data).toEqual([]);

        await early.query('commit');
        const after = await readChanges(database.db, SCOPE, { connectionId: 'conn_race', cursor: before.cursor, limit: 10 });
        expect(after.data.map((c) => c.externalId)).toEqual(['early', 'late']);
      } finally {
        await Promise.all([early.end(), late.end()]);
      }
    });
  });
});

describe('scheduling', () => {
  const clock = new ManualClock(new Date('2026-03-01T10:00:00Z'));
  let hourly: Sync;

  it('runs a new sync at once, then on its frequency', async () => {
    hourly = await database.db.transaction((tx) => configureSync(tx, SCOPE, { connectionId: 'conn_sched', model: 'deals', frequency: 'hourly' }, clock));
    await database.db.transaction((tx) => configureSync(tx, SCOPE, { connectionId: 'conn_sched', model: 'contacts', frequency: 'real-time', dataStrategy: 'hybrid' }, clock));
    await database.db.transaction((tx) => configureSync(tx, SCOPE, { connectionId: 'conn_sched', model: 'companies' }, clock));
    expect(hourly.nextRunAt).toEqual(clock.now());

    const first = await runDueSyncs(database.db, clock);
    expect(first.map((r) => [r.model, r.trigger, r.full]).sort()).toEqual([
      ['contacts', 'reconcile', true],
      ['deals', 'schedule', true],
    ]);
    expect(await runDueSyncs(database.db, clock)).toEqual([]);
    // Mark them done, as runs would.
    await database.db.update(syncRuns).set({ status: 'succeeded' }).where(sql`connection_id = 'conn_sched'`);

    clock.advance(61 * 60_000);
    expect((await runDueSyncs(database.db, clock)).map((r) => r.model)).toEqual(['deals']);
  });

  it('runs real-time syncs when a webhook says something changed, and reconciles them daily', async () => {
    await database.db.update(syncRuns).set({ status: 'succeeded' }).where(sql`connection_id = 'conn_sched'`);
    await database.db.execute(sql`update syncs set checkpoint = '{"since": 1}' where connection_id = 'conn_sched'`);
    const runs = await database.db.transaction((tx) => triggerFromWebhook(tx, SCOPE, 'conn_sched', clock));
    expect(runs.map((r) => [r.model, r.trigger, r.full])).toEqual([['contacts', 'webhook', false]]);
    // A second webhook while that run is queued adds nothing.
    expect(await database.db.transaction((tx) => triggerFromWebhook(tx, SCOPE, 'conn_sched', clock))).toEqual([]);
    await database.db.update(syncRuns).set({ status: 'succeeded' }).where(sql`connection_id = 'conn_sched'`);

    clock.advance(24 * 3_600_000);
    const daily = await runDueSyncs(database.db, clock);
    expect(daily.find((r) => r.model === 'contacts')).toMatchObject({ trigger: 'reconcile', full: true });
  });
});
