/**
 * Large bodies on the embedded database live in large objects (src/webhooks/inbound/body-objects.ts):
 * stored, processed and shown byte for byte, and gone with their row however it is deleted. On
 * PostgreSQL the same bodies stay in the row, and the same checks hold.
 */
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../../src/db/index.ts';
import { runOperation } from '../../../src/hub/index.ts';
import { BODY_OBJECT_BYTES, pruneInboundEvents } from '../../../src/webhooks/inbound/index.ts';
import { eraseInboundEventsOf } from '../../../src/webhooks/inbound/erase.ts';
import { eventually, startInboundHub, type InboundHub } from './support.ts';

let t: InboundHub;
let scope: { organizationId: string; environmentId: string };
beforeAll(async () => {
  t = await startInboundHub();
});
afterAll(async () => {
  await t?.close();
});

/** Random bytes that do not open like JSON (a `{` or `[` first would be checked for depth, and random nesting is refused). */
const binary = (size: number) => Buffer.concat([Buffer.from([0xff]), randomBytes(size - 1)]);
const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const embedded = () => t.database.kind === 'pglite';

async function objects(): Promise<number> {
  const [row] = await rows<{ n: number }>(t.database.db, sql`select count(*)::int as n from pg_largeobject_metadata`);
  return row!.n;
}

async function source(action: Record<string, unknown> = { type: 'none' }): Promise<string> {
  const { id } = await t.createSource({ name: 'Objects', secret: 'k-123', verification: { type: 'header', header: 'X-Api-Key' }, action });
  const [row] = await rows<{ organization_id: string; environment_id: string }>(t.database.db, sql`select organization_id, environment_id from inbound_sources where id = ${id}`);
  scope = { organizationId: row!.organization_id, environmentId: row!.environment_id };
  return id;
}

async function post(sourceId: string, body: Buffer, contentType = 'application/octet-stream'): Promise<string> {
  const res = await request(`${t.url}/webhooks/in/${sourceId}`, { method: 'POST', headers: { 'x-api-key': 'k-123', 'content-type': contentType }, body });
  const answer = (await res.body.json()) as { id: string };
  expect(res.statusCode).toBe(200);
  return answer.id;
}

const settled = (id: string) =>
  eventually(async () => {
    const { body } = await t.api<{ status: string; outcome: Record<string, unknown> | null }>('GET', `/inbound-events/${id}`);
    return body.status === 'processed' || body.status === 'failed' ? body : undefined;
  }, 30_000);

describe('large inbound bodies on the embedded database', () => {
  it('keeps a binary body above the threshold in a large object (embedded) or the row (PostgreSQL), shown byte for byte', async () => {
    const sourceId = await source();
    const before = await objects();
    // Not a multiple of the chunk, with bytes that are not UTF-8.
    const body = Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, 0xc3]), randomBytes(3 * BODY_OBJECT_BYTES + 12_345)]);
    const id = await post(sourceId, body);

    const [row] = await rows<{ body_object: number | null; body_size: number | null; stored: number }>(t.database.db, sql`select body_object, body_size, octet_length(body)::int as stored from inbound_events where id = ${id}`);
    if (embedded()) expect(row).toMatchObject({ body_object: expect.any(Number), body_size: body.length, stored: 0 });
    else expect(row).toMatchObject({ body_object: null, body_size: null, stored: body.length });
    expect(await objects()).toBe(before + (embedded() ? 1 : 0));

    const shown = await t.api<{ body: string; bodyEncoding: string; bodySize: number }>('GET', `/inbound-events/${id}`);
    expect(shown.body).toMatchObject({ bodyEncoding: 'base64', bodySize: body.length });
    expect(sha(Buffer.from(shown.body.body, 'base64'))).toBe(sha(body));
    const listed = await t.api<{ data: { id: string; bodySize: number }[] }>('GET', `/inbound-events?sourceId=${sourceId}`);
    expect(listed.body.data.find((e) => e.id === id)?.bodySize).toBe(body.length);
    // A body at the threshold stays in its row.
    const small = await post(sourceId, binary(BODY_OBJECT_BYTES));
    const [kept] = await rows<{ body_object: number | null }>(t.database.db, sql`select body_object from inbound_events where id = ${small}`);
    expect(kept!.body_object).toBeNull();
  }, 60_000);

  it('processes a large JSON body from its chunks, multi-byte characters split across them intact', async () => {
    const sourceId = await source({ type: 'forward', eventType: 'big.{type}' });
    // 3-byte characters: a chunk boundary falls inside one.
    const text = '€'.repeat(Math.ceil((2 * BODY_OBJECT_BYTES) / 3) + 7);
    const payload = { type: 'grown', id: 'evt_big_1', text };
    const id = await post(sourceId, Buffer.from(JSON.stringify(payload)), 'application/json');
    const event = await settled(id);
    expect(event).toMatchObject({ status: 'processed', outcome: { action: 'forwarded', type: 'big.grown' } });
    const [published] = await rows<{ data: { payload: typeof payload } }>(t.database.db, sql`select data from events where id = ${event.outcome!.eventId as string}`);
    expect(published!.data.payload.text === text).toBe(true);
    const shown = await t.api<{ body: string; bodyEncoding: string }>('GET', `/inbound-events/${id}`);
    expect(shown.body.bodyEncoding).toBe('utf8');
    expect(shown.body.body === JSON.stringify(payload)).toBe(true);
    // The CLI shows it whole, and a reprocess answers its size without reading it.
    const cli = (await runOperation(t.hub, 'inbound.show', { id })) as Record<string, unknown>;
    expect(cli).toMatchObject({ bodyEncoding: 'utf8', bodySize: Buffer.byteLength(JSON.stringify(payload)) });
    expect(cli.body === JSON.stringify(payload)).toBe(true);
    expect(cli).not.toHaveProperty('bodyObject');
    const requeued = await t.api<{ bodySize: number }>('POST', `/inbound-events/${id}/reprocess`);
    expect(requeued).toMatchObject({ status: 200, body: { bodySize: Buffer.byteLength(JSON.stringify(payload)) } });
    expect(await settled(id)).toMatchObject({ status: 'processed' });
  }, 60_000);

  it('unlinks the objects of events deleted by retention', async () => {
    const sourceId = await source();
    const before = await objects();
    const ids = [await post(sourceId, binary(BODY_OBJECT_BYTES + 1)), await post(sourceId, binary(2 * BODY_OBJECT_BYTES))];
    await Promise.all(ids.map(settled));
    expect(await objects()).toBe(before + (embedded() ? 2 : 0));
    await rows(t.database.db, sql`update inbound_events set received_at = now() - interval '40 days' where id in (${ids[0]}, ${ids[1]})`);
    expect(await pruneInboundEvents(t.database.db, new Date(Date.now() - 30 * 86_400_000))).toBeGreaterThanOrEqual(2);
    expect(await objects()).toBe(before);
  });

  it('unlinks the objects of events erased with their end customer, duplicates included', async () => {
    const sourceId = await source();
    const before = await objects();
    const routed = await post(sourceId, binary(BODY_OBJECT_BYTES + 10));
    const copy = await post(sourceId, binary(BODY_OBJECT_BYTES + 20));
    // Processing sets the connection; it has to be done before the test routes the event.
    await Promise.all([settled(routed), settled(copy)]);
    await rows(t.database.db, sql`update inbound_events set connection_id = 'conn_erased' where id = ${routed}`);
    await rows(t.database.db, sql`update inbound_events set status = 'duplicate', duplicate_of = ${routed} where id = ${copy}`);
    expect(await objects()).toBe(before + (embedded() ? 2 : 0));
    const erased = await t.database.db.transaction((tx) => eraseInboundEventsOf(tx, { ...scope, endCustomerId: 'cust_1', connectionIds: ['conn_erased'] }));
    expect(erased).toEqual({ inboundEvents: 2 });
    expect(await objects()).toBe(before);
  });

  it('unlinks the objects of a deleted source’s events', async () => {
    const sourceId = await source();
    const before = await objects();
    await post(sourceId, binary(BODY_OBJECT_BYTES * 2 + 1));
    expect(await objects()).toBe(before + (embedded() ? 1 : 0));
    expect((await t.api('DELETE', `/sources/${sourceId}`)).status).toBe(204);
    expect(await objects()).toBe(before);
  });

  it('leaves no object when the storing transaction fails', async () => {
    const before = await objects();
    // A source that does not exist fails the row's foreign key after the object was written.
    const { storeBatch } = await import('../../../src/webhooks/inbound/store.ts');
    const now = new Date();
    const row = { id: 'inb_orphan', ...scope, sourceId: 'src_missing', status: 'received' as const, method: 'POST', path: '/', query: '', headers: {}, body: randomBytes(BODY_OBJECT_BYTES + 1), receivedAt: now, updatedAt: now };
    await expect(storeBatch(t.database.db, [{ row }], now, { bodyObjects: embedded() })).rejects.toThrow();
    expect(await objects()).toBe(before);
  });
});
