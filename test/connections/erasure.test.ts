/**
 * Erasing an end customer erases their events and every webhook message made of them, and
 * leaves other customers' alone; the erasure's own `connection.deleted` notifications still go out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { rows } from '../../src/db/index.ts';
import { startSimulator, type SimulatorHandle } from '../../simulators/index.ts';
import { devScope, endpoint, eventType, outboundHarness, publishEvent, startReceiver, waitFor, type OutboundHarness, type Receiver } from '../webhooks/outbound/support.ts';

const KEY = 'sk_test_patchbaysimulator0000000001';
let h: OutboundHarness;
let stripe: SimulatorHandle;
let receiver: Receiver;

interface StoredEvent {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

const storedEvents = async () => {
  const { environmentId } = devScope(h);
  return rows<StoredEvent>(h.api.database.db, sql`select id, type, data from events where environment_id = ${environmentId} order by id`);
};
const ofLeaving = (e: StoredEvent) => e.data.endCustomerId === 'leaving' || ['e-1', 'e-2', 'e-old'].includes(e.data.connectionId as string);
const ofStaying = (e: StoredEvent) => e.data.endCustomerId === 'staying' || e.data.connectionId === 'e-keep';
const messagesOf = (eventIds: string[]) =>
  rows<{ id: string; payload: string | null }>(h.api.database.db, sql`select id, payload from outbound_messages where event_id in (select jsonb_array_elements_text(${JSON.stringify(eventIds)}::jsonb))`);
const countWhereMessage = async (table: 'outbound_deliveries' | 'outbound_attempts', messageIds: string[]) =>
  Number(
    (await rows<{ n: number }>(h.api.database.db, sql`select count(*)::int as n from ${sql.raw(table)} where message_id in (select jsonb_array_elements_text(${JSON.stringify(messageIds)}::jsonb))`))[0]!.n,
  );
const unfinished = async () => Number((await rows<{ n: number }>(h.api.database.db, sql`select count(*)::int as n from outbound_deliveries where state <> 'succeeded'`))[0]!.n);

async function connect(id: string, endCustomerId: string): Promise<void> {
  const res = await h.post('/api/v1/connections', { integration: 'stripe', id, endCustomerId, credentials: { apiKey: KEY } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

beforeAll(async () => {
  h = await outboundHarness();
  stripe = await startSimulator('stripe');
  receiver = await startReceiver();
  const res = await h.post('/api/v1/integrations', { connectorKey: 'stripe', baseUrl: stripe.baseUrl });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  await endpoint(h, { url: `${receiver.url}/all` });
  await eventType(h, 'order.placed');
});
afterAll(async () => {
  await h?.close();
  await stripe?.close();
  await receiver?.close();
});

describe('erasing an end customer', () => {
  it('erases every event naming them or one of their connections, with its messages, deliveries and attempts', async () => {
    await connect('e-1', 'leaving');
    await connect('e-2', 'leaving');
    await connect('e-old', 'leaving');
    await connect('e-keep', 'staying');
    expect((await h.del('/api/v1/connections/e-old')).status).toBe(200);
    for (const data of [{ endCustomerId: 'leaving', email: 'leaving@example.com' }, { connectionId: 'e-1' }, { connectionId: 'e-old' }, { connectionId: 'e-keep' }, { endCustomerId: 'staying' }]) {
      await publishEvent(h, { type: 'order.placed', data });
    }
    await waitFor(async () => (await unfinished()) === 0 && receiver.requests.length >= 10, 10_000, 'every message delivered');

    const before = await storedEvents();
    const leaving = before.filter(ofLeaving);
    const staying = before.filter(ofStaying);
    expect(leaving).toHaveLength(7); // 3 created, 1 deleted, 3 published
    expect(staying).toHaveLength(3);
    const leavingMessages = (await messagesOf(leaving.map((e) => e.id))).map((m) => m.id);
    const stayingMessages = (await messagesOf(staying.map((e) => e.id))).map((m) => m.id);
    expect(leavingMessages).toHaveLength(7);
    expect(await countWhereMessage('outbound_attempts', leavingMessages)).toBe(7);

    const res = await h.del('/api/v1/end-customers/leaving');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ connectionsDeleted: ['e-1', 'e-2'], erased: { events: 7 } });

    const after = await storedEvents();
    expect(after.filter((e) => leaving.some((l) => l.id === e.id))).toEqual([]);
    expect(await messagesOf(leaving.map((e) => e.id))).toEqual([]);
    expect(await countWhereMessage('outbound_deliveries', leavingMessages)).toBe(0);
    expect(await countWhereMessage('outbound_attempts', leavingMessages)).toBe(0);
    // Nothing published before the erasure names them any more: only the erasure's own notices.
    expect(after.filter(ofLeaving).map((e) => [e.type, e.data.connectionId, e.data.reason])).toEqual([
      ['connection.deleted', 'e-1', 'end_customer_erased'],
      ['connection.deleted', 'e-2', 'end_customer_erased'],
    ]);
    const { environmentId } = devScope(h);
    const mentions = await rows<{ event_type: string }>(h.api.database.db, sql`select event_type from outbound_messages where environment_id = ${environmentId} and payload like '%leaving%'`);
    expect(mentions.map((m) => m.event_type)).toEqual(['connection.deleted', 'connection.deleted']);

    // The other customer keeps everything.
    expect(after.filter(ofStaying)).toEqual(staying);
    expect((await messagesOf(staying.map((e) => e.id))).map((m) => m.id).sort()).toEqual(stayingMessages.sort());
    expect(await countWhereMessage('outbound_attempts', stayingMessages)).toBe(3);

    // Subscribers still learn of the erasure.
    await waitFor(() => receiver.requests.filter((r) => r.body.includes('end_customer_erased')).length === 2, 10_000, 'the erasure notices delivered');
  });

  it('leaves events alone when erasing an end customer with none', async () => {
    const before = await storedEvents();
    const res = await h.del('/api/v1/end-customers/nobody');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ connectionsDeleted: [], erased: { events: 0 } });
    expect(await storedEvents()).toEqual(before);
  });
});
