/**
 * Erasing an end customer erases their events and every webhook message made of them, what their
 * connections synced and the inbound webhooks routed to them, and leaves other customers' alone;
 * the erasure's own `connection.deleted` notifications still go out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { rows } from '../../src/db/index.ts';
import { enqueue } from '../../src/queue/index.ts';
import { startSimulator, type SimulatorHandle } from '../../simulators/index.ts';
import { devScope, endpoint, eventType, outboundHarness, publishEvent, startReceiver, waitFor, type OutboundHarness, type Receiver } from '../webhooks/outbound/support.ts';
import { eventually, startInboundHub, type InboundHub } from '../webhooks/inbound/support.ts';

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

describe('erasing an end customer', () => {
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

/**
 * The whole hub (outbound, connections, inbound, syncs), two end customers with synced data and
 * routed webhooks, one erased: afterwards no row of any table names the erased customer or one
 * of their connections, and every row naming the other is still there.
 *
 * Accepted exceptions, all ids only: the audit log (the erasure's own entry, and the earlier
 * entries that recorded who created, configured or changed what), and the erasure's own
 * `connection.deleted` notices (events, and the webhook messages made of them).
 */
describe('erasing an end customer across every module', () => {
  const STRIPE_ACCOUNT_ID = 'acct_1SimPatchbay0001';
  const LEAVING = { customer: 'cust-leaving', connections: ['conn-leaving-old', 'conn-leaving-1', 'conn-leaving-2'] };
  const STAYING = { customer: 'cust-staying', connections: ['conn-staying-1'] };

  interface StripeAccount {
    key: string;
    sim: SimulatorHandle;
    source: string;
    secret: string;
  }
  let t: InboundHub;
  let hooks: Receiver;
  const accounts: StripeAccount[] = [];

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await t.api<any>(method, path, body);
    expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
    return res.body;
  };

  beforeAll(async () => {
    t = await startInboundHub();
    hooks = await startReceiver();
    await call('POST', '/endpoints', { url: `${hooks.url}/all` });
    for (const key of ['stripe-a', 'stripe-b']) {
      // Each end customer has their own Stripe account: a simulator, an integration and a source of its own.
      const sim = await startSimulator('stripe', { records: { customers: 12, charges: 8, subscriptions: 4 } });
      const integration = await call('POST', '/integrations', { connectorKey: 'stripe', key, baseUrl: sim.baseUrl });
      const secret = `whsec_${key}`;
      const source = await t.createSource({ name: key, connector: 'stripe', integrationId: integration.id, secret });
      accounts.push({ key, sim, source: source.id, secret });
    }
  });
  afterAll(async () => {
    await t?.close();
    await hooks?.close();
    for (const account of accounts) await account.sim.close();
  });

  async function connect(id: string, endCustomerId: string, account: StripeAccount): Promise<void> {
    await call('POST', '/connections', { integration: account.key, id, endCustomerId, credentials: { apiKey: KEY } });
  }

  async function run(syncId: string, body: Record<string, unknown> = {}): Promise<Record<string, any>> {
    const { run: queued } = await call('POST', `/syncs/${syncId}/trigger`, body);
    const done = await eventually(async () => {
      const current = await call('GET', `/sync-runs/${queued.id}`);
      return current.status === 'queued' || current.status === 'running' ? undefined : current;
    }, 20_000);
    expect(done.status, JSON.stringify(done.errors)).toBe('succeeded');
    return done;
  }

  /** A mapping, records (with their versions), metric points and sync runs of a connection. */
  async function sync(connectionId: string): Promise<string> {
    await call('POST', '/mappings', {
      connectionId,
      model: 'customers',
      fields: [
        { source: 'name', target: 'name', direction: 'bidirectional' },
        { source: 'email', target: 'email', direction: 'import' },
      ],
      conflictStrategy: 'manual_review',
    });
    // Only when triggered: the scheduler's tick adds no run while the test counts them.
    const customers = await call('PUT', `/connections/${connectionId}/syncs/customers`, { frequency: null });
    expect((await run(customers.id)).added).toBe(12);
    const metrics = await call('PUT', `/connections/${connectionId}/syncs/$metrics`, { frequency: null, historicalDays: 30 });
    await run(metrics.id);
    return customers.id;
  }

  /** A Patchbay edit the provider refuses (its write-back waits for a retry) while the provider changes the record too: a conflict. */
  async function conflict(connectionId: string, syncId: string, account: StripeAccount): Promise<void> {
    const feed = await call('GET', `/records?connectionId=${connectionId}&model=customers&limit=1`);
    const externalId = feed.data[0].externalId as string;
    account.sim.control.injectFault({ kind: 'status', status: 400, method: 'POST' });
    expect(await call('PUT', `/records/${connectionId}/customers/${externalId}`, { data: { name: 'Edited in Patchbay' } })).toMatchObject({ exportQueued: true });
    account.sim.data!.customers!.update(externalId, (c) => ({ ...(c as object), name: 'Changed at the provider' }));
    expect((await run(syncId, { full: true })).conflicts).toBe(1);
    // The write-back failed once and waits (5 s) for its next attempt.
    await eventually(async () => {
      const [job] = await rows<{ state: string; attempts: number }>(t.database.db, sql`select state, attempts from jobs where type = 'records.export' and payload->>'connectionId' = ${connectionId}`);
      return job?.state === 'pending' && job.attempts === 1 ? job : undefined;
    });
  }

  /** A Stripe event about the end customer, delivered twice (the second is stored as a duplicate), processed and routed to the connection. */
  async function webhook(account: StripeAccount, eventId: string, endCustomerId: string, connectionId: string): Promise<void> {
    const body = JSON.stringify({ id: eventId, object: 'event', type: 'customer.updated', account: STRIPE_ACCOUNT_ID, data: { object: { id: 'cus_1', object: 'customer', email: `${endCustomerId}@example.com`, metadata: { endCustomerId } } } });
    const first = await t.deliver(account.source, 'stripe', account.secret, body);
    expect(first.status).toBe(200);
    expect((await t.deliver(account.source, 'stripe', account.secret, body)).status).toBe(200);
    const { id } = JSON.parse(first.body) as { id: string };
    await eventually(async () => {
      const event = await call('GET', `/inbound-events/${id}`);
      return event.status === 'processed' ? event : undefined;
    });
    expect(await call('GET', `/inbound-events/${id}`)).toMatchObject({ connectionId });
  }

  interface Mention {
    table: string;
    row: Record<string, any>;
  }

  /** Every row, of every table, with a text, JSON or binary column that contains one of `needles`. */
  async function rowsNaming(needles: readonly string[]): Promise<Mention[]> {
    const columns = await rows<{ table_name: string; column_name: string; data_type: string }>(
      t.database.db,
      sql`select c.table_name, c.column_name, c.data_type from information_schema.columns c
        join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
        where c.table_schema = current_schema() and c.data_type in ('text', 'character varying', 'json', 'jsonb', 'bytea')
        order by c.table_name, c.ordinal_position`,
    );
    const tables = new Map<string, { name: string; type: string }[]>();
    for (const c of columns) tables.set(c.table_name, [...(tables.get(c.table_name) ?? []), { name: c.column_name, type: c.data_type }]);
    const found: Mention[] = [];
    for (const [table, cols] of tables) {
      const tests = cols.flatMap((c) =>
        needles.map((needle) =>
          c.type === 'bytea' ? sql`position(convert_to(${needle}, 'UTF8') in ${sql.identifier(c.name)}) > 0` : sql`position(${needle} in ${sql.identifier(c.name)}::text) > 0`,
        ),
      );
      const hits = await rows<{ row: Record<string, any> }>(t.database.db, sql`select to_jsonb(x) as row from ${sql.identifier(table)} x where ${sql.join(tests, sql` or `)}`);
      for (const hit of hits) found.push({ table, row: hit.row });
    }
    return found;
  }

  const tally = (mentions: readonly Mention[]) => {
    const byTable: Record<string, number> = {};
    for (const m of mentions) byTable[m.table] = (byTable[m.table] ?? 0) + 1;
    return byTable;
  };

  it('leaves no row naming them or their connections, and every row of the other end customer', { timeout: 180_000 }, async () => {
    const [a, b] = accounts as [StripeAccount, StripeAccount];
    // The one who stays.
    await connect('conn-staying-1', STAYING.customer, b);
    await conflict('conn-staying-1', await sync('conn-staying-1'), b);
    await webhook(b, 'evt_B1', STAYING.customer, 'conn-staying-1');

    // The one who leaves: a connection synced, notified and deleted long ago, then two others.
    await connect('conn-leaving-old', LEAVING.customer, a);
    await sync('conn-leaving-old');
    await webhook(a, 'evt_A1', LEAVING.customer, 'conn-leaving-old');
    await call('DELETE', '/connections/conn-leaving-old');
    await connect('conn-leaving-1', LEAVING.customer, a);
    const syncId = await sync('conn-leaving-1');
    await webhook(a, 'evt_A2', LEAVING.customer, 'conn-leaving-1');
    await connect('conn-leaving-2', LEAVING.customer, a);
    const unfinished = async () => Number((await rows<{ n: number }>(t.database.db, sql`select count(*)::int as n from outbound_deliveries where state <> 'succeeded'`))[0]!.n);
    await eventually(async () => ((await unfinished()) === 0 ? true : undefined));
    // A job of the one who stays that cannot run before the test ends: the erasure must leave it.
    await enqueue(t.database.db, { type: 'records.export', payload: { connectionId: 'conn-staying-1', model: 'customers', externalId: 'cus_sentinel' }, runAt: new Date(Date.now() + 86_400_000) });
    const staying = await rowsNaming([STAYING.customer, ...STAYING.connections]);
    // Last, so that the refused write-back's next attempt is seconds away when the erasure comes
    // (a running job is left to end by itself).
    await conflict('conn-leaving-1', syncId, a);

    const needles = [LEAVING.customer, ...LEAVING.connections];
    const before = tally(await rowsNaming(needles));
    // Every kind of row the erasure must reach is there to begin with.
    for (const table of ['syncs', 'sync_runs', 'records', 'record_versions', 'conflicts', 'metric_points', 'mappings', 'jobs', 'inbound_events', 'events', 'outbound_messages', 'secrets']) {
      expect(before[table], table).toBeGreaterThan(0);
    }

    const res = await t.api<any>('DELETE', `/end-customers/${LEAVING.customer}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.connectionsDeleted.sort()).toEqual(['conn-leaving-1', 'conn-leaving-2']);
    // Two syncs a connection (customers, metrics); runs: the old one's two, the first one's three (a full run for the conflict).
    expect(res.body.erased).toMatchObject({ syncs: 4, syncRuns: 5, records: 24, conflicts: 1, mappings: 2, inboundEvents: 4 });
    for (const kind of ['events', 'recordVersions', 'metricPoints']) expect(res.body.erased[kind], kind).toBeGreaterThan(0);

    const left = await rowsNaming(needles);
    const notices = new Set(left.filter((m) => m.table === 'events' && m.row.type === 'connection.deleted' && m.row.data.reason === 'end_customer_erased').map((m) => m.row.id as string));
    expect(notices.size).toBe(2);
    const accepted = (m: Mention) =>
      m.table === 'audit_log' || (m.table === 'events' && notices.has(m.row.id)) || (m.table === 'outbound_messages' && notices.has(m.row.event_id));
    expect(left.filter((m) => !accepted(m))).toEqual([]);
    // What the audit log keeps of them: who did what, by id.
    expect([...new Set(left.filter((m) => m.table === 'audit_log').map((m) => m.row.action as string))].sort()).toEqual([
      'connection.created',
      'connection.deleted',
      'end_customer.erased',
      'record.updated',
      'sync.configured',
    ]);
    expect(left.filter((m) => m.table === 'audit_log').map((m) => JSON.stringify(m.row)).join('\n')).not.toMatch(/@example\.com|Edited in Patchbay/);

    // The other end customer keeps every row (a waiting write-back may have been tried again
    // meanwhile, or run its course and left the queue on a loaded machine — the sentinel job a day
    // ahead stands for its jobs —, and the health planner, every 5 s, may have given a connection
    // its schedule).
    const writeBack = (m: Mention) => m.table === 'jobs' && m.row.type === 'records.export' && m.row.payload?.externalId !== 'cus_sentinel';
    const comparable = (mentions: readonly Mention[]) =>
      mentions
        .filter((m) => m.table !== 'health_states' && !writeBack(m))
        .map((m) => (m.table === 'jobs' ? { ...m, row: { ...m.row, attempts: 0, run_at: null, state: null, last_error: null, locked_by: null, locked_until: null, updated_at: null } } : m))
        .map((m) => JSON.stringify(m))
        .sort();
    expect(comparable(await rowsNaming([STAYING.customer, ...STAYING.connections]))).toEqual(comparable(staying));
  });

  it('leaves alone the data of a connection id that another end customer uses now', async () => {
    const [, b] = accounts as [StripeAccount, StripeAccount];
    await connect('conn-reused', 'cust-first', b);
    await call('DELETE', '/connections/conn-reused');
    // A caller may choose connection ids: the id is free again, and now someone else's.
    await connect('conn-reused', 'cust-second', b);
    const customers = await call('PUT', '/connections/conn-reused/syncs/customers', { frequency: null });
    await run(customers.id);

    const res = await call('DELETE', '/end-customers/cust-first');
    expect(res).toMatchObject({ connectionsDeleted: [], erased: { syncs: 0, syncRuns: 0, records: 0 } });
    expect((await call('GET', '/connections/conn-reused/syncs')).data).toHaveLength(1);
    expect((await call('GET', '/records?connectionId=conn-reused&model=customers')).data).toHaveLength(12);
  });
});
