/**
 * Processing: routing to a connection, filters that drop or re-route, forwarding with a type
 * mapping, triggering syncs, retries then dead-letter, reprocessing — and the CLI operations.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/core/index.ts';
import { bootstrapOrganization } from '../../../src/auth/index.ts';
import { createVault } from '../../../src/credentials/index.ts';
import { rows } from '../../../src/db/index.ts';
import { createQueue, type Job, type Queue } from '../../../src/queue/index.ts';
import { runOperation, type OperationContext } from '../../../src/hub/index.ts';
import { loadConfig } from '../../../src/core/index.ts';
import { createInbound, createProcessor, createSource, getInboundEvent, pruneInboundEvents, reprocessInboundEvent, type Inbound, type Scope, type SourceInput } from '../../../src/webhooks/inbound/index.ts';
import { SIGNERS } from '../../../simulators/index.ts';
import { createTestDatabase, type TestDatabase } from '../../support/db.ts';
import { captureLogs } from '../../support/logs.ts';
import { eventually } from './support.ts';

const SECRET = 'whsec_processing';
const PUBLIC = 'https://hooks.example.com';
let database: TestDatabase;
let inbound: Inbound;
let queue: Queue;
let scope: Scope;
const vault = createVault({ keys: [{ id: 't', key: randomBytes(32) }] });
const logs = captureLogs();
const syncs: { connectionId: string; model?: string | undefined }[] = [];
let syncFails = false;

const lookupConnection = async ({ externalAccountId }: { externalAccountId: string }) => (externalAccountId === 'acct_known' ? 'conn_known' : undefined);
const triggerSync = async (input: { connectionId: string; model?: string | undefined }) => {
  if (syncFails) throw new Error('the provider answered 503');
  syncs.push({ connectionId: input.connectionId, model: input.model });
  return { runIds: [`run_${syncs.length}`] };
};

beforeAll(async () => {
  database = await createTestDatabase();
  const seed = (await bootstrapOrganization(database.db, { organizationName: 'Acme', organizationSlug: 'acme', environments: ['dev'], ownerEmail: 'o@acme.test', ownerName: 'O', keyEnvironment: 'dev' }))!;
  scope = { organizationId: seed.organization.id, environmentId: seed.environments[0]!.id };
  inbound = createInbound({ database, vault, clock: systemClock, logger: logs.logger, publicUrl: PUBLIC, lookupConnection, triggerSync });
  queue = createQueue({ database, logger: logs.logger, concurrency: 4, leaseSeconds: 30 });
  inbound.register(queue);
  await queue.start();
});
afterAll(async () => {
  await queue?.stop({ graceMs: 1_000 });
  await database?.drop();
});

async function source(input: Partial<SourceInput>): Promise<string> {
  const created = await database.db.transaction((tx) => createSource(tx, vault, systemClock, scope, { name: 'stripe', connectorKey: 'stripe', secret: SECRET, ...input }));
  return created.id;
}

async function deliver(sourceId: string, event: Record<string, unknown>): Promise<string> {
  const signed = SIGNERS.stripe!(SECRET, { url: `${PUBLIC}/webhooks/in/${sourceId}`, body: JSON.stringify({ object: 'event', ...event }) });
  const reply = await inbound.ingestor.handle({ sourceId, method: 'POST', path: `/webhooks/in/${sourceId}`, query: '', headers: signed.headers, rawBody: Buffer.from(signed.body), remoteIp: '127.0.0.1' });
  expect(reply.status).toBe(200);
  return (JSON.parse(reply.body) as { id: string }).id;
}

const settled = (id: string, statuses = ['processed', 'failed']) =>
  eventually(async () => {
    const event = await getInboundEvent(database.db, scope, id);
    return event && statuses.includes(event.status) ? event : undefined;
  });

describe('processing', () => {
  it('routes to the connection and forwards with the mapped type', async () => {
    const id = await source({ action: { type: 'forward', eventTypes: { 'charge.succeeded': 'payment.received', '*': 'stripe.other' } } });
    const forwarded = await settled(await deliver(id, { id: 'evt_p1', type: 'charge.succeeded', account: 'acct_known' }));
    expect(forwarded).toMatchObject({ status: 'processed', connectionId: 'conn_known', eventType: 'charge.succeeded', outcome: { action: 'forwarded', type: 'payment.received' } });
    const other = await settled(await deliver(id, { id: 'evt_p2', type: 'invoice.paid', account: 'acct_unknown' }));
    expect(other).toMatchObject({ connectionId: null, outcome: { type: 'stripe.other' } });
    const [event] = await rows<{ data: { connectionId: string } }>(database.db, sql`select data from events where id = ${(forwarded.outcome as { eventId: string }).eventId}`);
    expect(event!.data.connectionId).toBe('conn_known');
  });

  it('drops or re-routes events by filter', async () => {
    const id = await source({
      filters: [
        { match: { type: 'customer.created' }, then: 'drop' },
        { match: { 'payload.data.object.amount': { $gte: 1000 } }, then: { type: 'sync', model: 'charges' } },
      ],
    });
    expect(await settled(await deliver(id, { id: 'evt_f1', type: 'customer.created' }))).toMatchObject({ status: 'processed', outcome: { action: 'dropped' } });
    const synced = await settled(await deliver(id, { id: 'evt_f2', type: 'charge.succeeded', account: 'acct_known', data: { object: { amount: 5000 } } }));
    expect(synced).toMatchObject({ status: 'processed', outcome: { action: 'sync', connectionId: 'conn_known', runIds: [expect.any(String)] } });
    expect(syncs.at(-1)).toEqual({ connectionId: 'conn_known', model: 'charges' });
    expect(await settled(await deliver(id, { id: 'evt_f3', type: 'charge.succeeded', data: { object: { amount: 10 } } }))).toMatchObject({ outcome: { action: 'forwarded' } });
  });

  it('fails at once, without retrying, a sync of an account with no connection', async () => {
    const id = await source({ action: { type: 'sync' } });
    const failed = await settled(await deliver(id, { id: 'evt_s1', type: 'x', account: 'acct_nobody' }));
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, lastError: 'no connection for account acct_nobody' });
  });

  it('retries a failure, dead-letters it after the last attempt, and reprocesses it', async () => {
    syncFails = true;
    const id = await source({ action: { type: 'sync' } });
    const eventId = await deliver(id, { id: 'evt_r1', type: 'x', account: 'acct_known' });
    const first = await eventually(async () => {
      const event = await getInboundEvent(database.db, scope, eventId);
      return event?.lastError ? event : undefined;
    });
    expect(first).toMatchObject({ status: 'received', attempts: 1, lastError: 'the provider answered 503' });
    // The queue's last attempt, run by hand (the real one would come minutes later).
    const processor = createProcessor({ database, clock: systemClock, lookupConnection, triggerSync });
    const job = { id: 'job_x', attempts: 8, maxAttempts: null, payload: { eventId } } as unknown as Job<{ eventId: string }>;
    await expect(processor.run({ job, logger: logs.logger, signal: new AbortController().signal })).rejects.toThrow('503');
    expect(await getInboundEvent(database.db, scope, eventId)).toMatchObject({ status: 'failed', attempts: 2 });

    syncFails = false;
    await database.db.transaction((tx) => reprocessInboundEvent(tx, systemClock, scope, eventId));
    expect(await settled(eventId)).toMatchObject({ status: 'processed', attempts: 3, lastError: null });
  });

  it('deletes settled events past their retention, and keeps the ones still waiting however old', async () => {
    const id = await source({});
    const old = await settled(await deliver(id, { id: 'evt_old', type: 'charge.refunded' }));
    const young = await settled(await deliver(id, { id: 'evt_young', type: 'charge.refunded' }));
    const waiting = await deliver(id, { id: 'evt_waiting', type: 'charge.refunded' });
    await eventually(async () => ((await getInboundEvent(database.db, scope, waiting))?.status === 'processed' ? true : undefined));
    // Age two of them by 40 days; one of those is waiting again (as if its processing never ran).
    const aged = new Date(Date.now() - 40 * 86_400_000).toISOString();
    await rows(database.db, sql`update inbound_events set received_at = ${aged}::timestamptz where id in (${old.id}, ${waiting})`);
    await rows(database.db, sql`update inbound_events set status = 'received' where id = ${waiting}`);
    expect(await pruneInboundEvents(database.db, new Date(Date.now() - 30 * 86_400_000), 1)).toBe(1);
    expect(await getInboundEvent(database.db, scope, old.id)).toBeUndefined();
    expect(await getInboundEvent(database.db, scope, young.id)).toMatchObject({ status: 'processed' });
    expect(await getInboundEvent(database.db, scope, waiting)).toMatchObject({ status: 'received' });
    await rows(database.db, sql`update inbound_events set status = 'processed' where id = ${waiting}`);
  });

  it('never logs a payload', () => {
    expect(logs.text()).not.toContain('evt_p1');
    expect(logs.text()).not.toContain('acct_known');
  });
});

describe('the CLI operations', () => {
  const context = (): OperationContext => ({ config: loadConfig({ PATCHBAY_DATA_DIR: database.dataDir }), database, logger: logs.logger, clock: systemClock, vault });

  it('lists, shows and reprocesses', async () => {
    const id = await source({});
    const eventId = await deliver(id, { id: 'evt_cli', type: 'charge.refunded' });
    await settled(eventId);
    const list = (await runOperation(context(), 'inbound.list', { org: 'acme', env: 'dev', source: id })) as { data: { id: string; status: string }[] };
    expect(list.data.map((e) => e.id)).toEqual([eventId]);
    const shown = (await runOperation(context(), 'inbound.show', { id: eventId })) as { body: string; bodyEncoding: string };
    expect(shown).toMatchObject({ bodyEncoding: 'utf8', body: expect.stringContaining('evt_cli') });
    expect(await runOperation(context(), 'inbound.reprocess', { id: eventId })).toEqual({ count: 1, ids: [eventId] });
    await settled(eventId);
    expect(await runOperation(context(), 'inbound.reprocess', { org: 'acme', env: 'dev', source: id, status: 'processed' })).toEqual({ count: 1, ids: [eventId] });
    await expect(runOperation(context(), 'inbound.reprocess', { org: 'acme', env: 'dev', status: 'rejected' })).rejects.toThrow(/can be reprocessed/);
    await expect(runOperation(context(), 'inbound.show', { id: 'inb_nothing' })).rejects.toMatchObject({ exitCode: 3 });
  });
});
