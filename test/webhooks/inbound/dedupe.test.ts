/**
 * Deduplication by provider event id (src/webhooks/inbound/store.ts): a claim per source, held by
 * the event row until its window ends, taken over after that, and kept after its event is deleted
 * by retention or erasure until the window ends. Batches are stored directly with chosen times.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../src/core/index.ts';
import { rows } from '../../../src/db/index.ts';
import { pruneInboundEvents } from '../../../src/webhooks/inbound/index.ts';
import { eraseInboundEventsOf } from '../../../src/webhooks/inbound/erase.ts';
import { storeBatch, type PendingEvent } from '../../../src/webhooks/inbound/store.ts';
import { startInboundHub, type InboundHub } from './support.ts';

let t: InboundHub;
let scope: { organizationId: string; environmentId: string };
beforeAll(async () => {
  t = await startInboundHub();
});
afterAll(async () => {
  await t?.close();
});

const HOUR = 3_600_000;

async function source(): Promise<string> {
  const { id } = await t.createSource({ name: 'Dedupe', secret: 'k-123', verification: { type: 'header', header: 'X-Api-Key' } });
  const [row] = await rows<{ organization_id: string; environment_id: string }>(t.database.db, sql`select organization_id, environment_id from inbound_sources where id = ${id}`);
  scope = { organizationId: row!.organization_id, environmentId: row!.environment_id };
  return id;
}

function item(sourceId: string, key: string, at: Date, windowSeconds = 3600): PendingEvent {
  return {
    row: {
      id: newId('inb'),
      ...scope,
      sourceId,
      status: 'received',
      method: 'POST',
      path: `/webhooks/in/${sourceId}`,
      query: '',
      headers: {},
      body: Buffer.from(`{"id":"${key}"}`),
      receivedAt: at,
      providerEventId: key,
      updatedAt: at,
    },
    dedupe: { key, windowSeconds },
  };
}

const store = (items: PendingEvent[], at: Date) => storeBatch(t.database.db, items, at);

describe('deduplication claims', () => {
  it('answers a repeat within the window as a duplicate of the first, in one batch or a later one', async () => {
    const sourceId = await source();
    const at = new Date();
    const [first, again] = await store([item(sourceId, 'evt_1', at), item(sourceId, 'evt_1', at)], at);
    expect(first).toMatchObject({ status: 'received' });
    expect(again).toMatchObject({ status: 'duplicate', duplicateOf: first!.id });
    const later = new Date(at.getTime() + HOUR / 2);
    const [third, fresh] = await store([item(sourceId, 'evt_1', later), item(sourceId, 'evt_2', later)], later);
    expect(third).toMatchObject({ status: 'duplicate', duplicateOf: first!.id });
    expect(fresh).toMatchObject({ status: 'received' });
  });

  it('keeps claims apart per source', async () => {
    const [a, b] = [await source(), await source()];
    const at = new Date();
    const stored = await store([item(a, 'evt_same', at), item(b, 'evt_same', at)], at);
    expect(stored.map((s) => s.status)).toEqual(['received', 'received']);
  });

  it('receives a repeat anew once the window has ended, and later repeats are duplicates of the new one', async () => {
    const sourceId = await source();
    const at = new Date();
    const [first] = await store([item(sourceId, 'evt_w', at)], at);
    const after = new Date(at.getTime() + 2 * HOUR);
    const [taken, repeat] = await store([item(sourceId, 'evt_w', after), item(sourceId, 'evt_w', after)], after);
    expect(taken).toMatchObject({ status: 'received' });
    expect(repeat).toMatchObject({ status: 'duplicate', duplicateOf: taken!.id });
    const [next] = await store([item(sourceId, 'evt_w', new Date(after.getTime() + 60_000))], new Date(after.getTime() + 60_000));
    expect(next).toMatchObject({ status: 'duplicate', duplicateOf: taken!.id });
    expect(taken!.id).not.toBe(first!.id);
  });

  it('points an in-batch repeat at the event holding the claim when its first occurrence is itself a duplicate', async () => {
    const sourceId = await source();
    const at = new Date();
    const [holder] = await store([item(sourceId, 'evt_h', at)], at);
    const [a, b, c] = await store([item(sourceId, 'evt_h', at), item(sourceId, 'evt_x', at), item(sourceId, 'evt_h', at)], at);
    expect(a).toMatchObject({ status: 'duplicate', duplicateOf: holder!.id });
    expect(b).toMatchObject({ status: 'received' });
    expect(c).toMatchObject({ status: 'duplicate', duplicateOf: holder!.id });
    const [row] = await rows<{ duplicate_of: string }>(t.database.db, sql`select duplicate_of from inbound_events where id = ${c!.id}`);
    expect(row!.duplicate_of).toBe(holder!.id);
  });

  it('settles two batches claiming one id at once: one received, the other its duplicate', async () => {
    const sourceId = await source();
    const at = new Date();
    const [[x], [y]] = await Promise.all([store([item(sourceId, 'evt_race', at)], at), store([item(sourceId, 'evt_race', at)], at)]);
    const statuses = [x!.status, y!.status].sort();
    expect(statuses).toEqual(['duplicate', 'received']);
    const winner = x!.status === 'received' ? x! : y!;
    expect([x!.duplicateOf, y!.duplicateOf].filter(Boolean)).toEqual([winner.id]);
  });

  it('keeps a live claim when retention deletes its event, until its window ends', async () => {
    const sourceId = await source();
    const at = new Date();
    const [first] = await store([item(sourceId, 'evt_kept', at, 90 * 86_400)], at);
    await rows(t.database.db, sql`update inbound_events set status = 'processed', received_at = now() - interval '40 days' where id = ${first!.id}`);
    expect(await pruneInboundEvents(t.database.db, new Date(Date.now() - 30 * 86_400_000), 5_000, at)).toBe(1);
    const [gone] = await rows<{ n: number }>(t.database.db, sql`select count(*)::int as n from inbound_events where id = ${first!.id}`);
    expect(gone!.n).toBe(0);
    const [repeat] = await store([item(sourceId, 'evt_kept', at)], at);
    expect(repeat).toMatchObject({ status: 'duplicate', duplicateOf: first!.id });
    const afterWindow = new Date(at.getTime() + 91 * 86_400_000);
    const [anew] = await store([item(sourceId, 'evt_kept', afterWindow)], afterWindow);
    expect(anew).toMatchObject({ status: 'received' });
  });

  it('deletes by retention an event whose claim has ended without keeping the claim', async () => {
    const sourceId = await source();
    const at = new Date(Date.now() - 40 * 86_400_000);
    const [first] = await store([item(sourceId, 'evt_old', at)], at);
    await rows(t.database.db, sql`update inbound_events set status = 'processed' where id = ${first!.id}`);
    expect(await pruneInboundEvents(t.database.db, new Date(Date.now() - 30 * 86_400_000))).toBeGreaterThanOrEqual(1);
    const [kept] = await rows<{ n: number }>(t.database.db, sql`select count(*)::int as n from inbound_dedupe where event_id = ${first!.id}`);
    expect(kept!.n).toBe(0);
    const now = new Date();
    expect((await store([item(sourceId, 'evt_old', now)], now))[0]).toMatchObject({ status: 'received' });
  });

  it('still answers a retried event as a duplicate after its end customer was erased', async () => {
    const sourceId = await source();
    const at = new Date();
    const [first] = await store([item(sourceId, 'evt_erased', at)], at);
    await rows(t.database.db, sql`update inbound_events set status = 'processed', connection_id = 'conn_gone' where id = ${first!.id}`);
    const erased = await t.database.db.transaction((tx) => eraseInboundEventsOf(tx, { ...scope, endCustomerId: 'cust_gone', connectionIds: ['conn_gone'] }));
    expect(erased).toEqual({ inboundEvents: 1 });
    const [repeat] = await store([item(sourceId, 'evt_erased', at)], at);
    expect(repeat).toMatchObject({ status: 'duplicate', duplicateOf: first!.id });
  });
});
