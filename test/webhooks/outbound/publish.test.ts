/** Publishing: schema checks, idempotency, batches, the envelope, and routing (types, channels, payload filters). */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../../src/db/index.ts';
import { BUILT_IN_EVENT_TYPES } from '../../../src/webhooks/outbound/index.ts';
import { checkSchema } from '../../../src/webhooks/outbound/event-types.ts';
import { endpoint, eventType, outboundHarness, publishEvent, startReceiver, type OutboundHarness, type Receiver } from './support.ts';

let h: OutboundHarness;
let receiver: Receiver;
beforeAll(async () => {
  // No workers: these tests look at what publishing stores.
  h = await outboundHarness({ startQueue: false });
  receiver = await startReceiver();
  await eventType(h, 'invoice.paid', {
    type: 'object',
    properties: { invoiceId: { type: 'string' }, amount: { type: 'integer', minimum: 0 }, currency: { type: 'string', enum: ['EUR', 'USD'] } },
    required: ['invoiceId', 'amount'],
    additionalProperties: false,
  });
  await eventType(h, 'user.signed_up');
});
afterAll(async () => {
  await h.close();
  await receiver.close();
});

const targetsOf = async (messageId: string) => ((await h.get(`/api/v1/messages/${messageId}`)).body.deliveries as { endpointId: string }[]).map((d) => d.endpointId).sort();

describe('event types', () => {
  it('lists the built-in types first, then the environment’s own', async () => {
    const res = await h.get('/api/v1/event-types');
    const names = res.body.data.map((t: { name: string }) => t.name);
    expect(names.slice(0, 3)).toEqual(['connection.created', 'connection.refresh_failed', 'connection.recovered']);
    expect(names).toContain('message.attempt.exhausted');
    expect(names).toContain('endpoint.disabled');
    expect(names.slice(-2)).toEqual(['invoice.paid', 'user.signed_up']);
    expect(res.body.data.find((t: { name: string }) => t.name === 'sync.completed')).toMatchObject({ builtIn: true, schemaVersion: 1, example: expect.any(Object) });
  });

  it('describes each built-in type with a schema its example (and its publisher) matches', async () => {
    for (const type of BUILT_IN_EVENT_TYPES) expect(() => checkSchema(type.schema, type.example), type.name).not.toThrow();
  });

  it('versions the schema: a change becomes the next schemaVersion, which publishing then uses', async () => {
    await eventType(h, 'plan.changed', { type: 'object', properties: { plan: { type: 'string' } }, required: ['plan'] });
    const updated = await h.patch('/api/v1/event-types/plan.changed', { schema: { type: 'object', properties: { plan: { type: 'string' }, seats: { type: 'integer' } }, required: ['plan', 'seats'] }, example: { plan: 'pro', seats: 3 } });
    expect(updated.body).toMatchObject({ schemaVersion: 2, example: { plan: 'pro', seats: 3 } });
    expect((await h.post('/api/v1/events', { type: 'plan.changed', data: { plan: 'pro' } })).body.errors).toEqual([{ field: '/data/seats', message: "must have required property 'seats'" }]);
    const published = await h.post('/api/v1/events', { type: 'plan.changed', data: { plan: 'pro', seats: 3 } });
    expect(published.body.schemaVersion).toBe(2);
    // The same schema again is not a new version.
    expect((await h.patch('/api/v1/event-types/plan.changed', { schema: updated.body.schema })).body.schemaVersion).toBe(2);
  });

  it('refuses a schema that does not compile, an example that does not match it, and changes to built-in types', async () => {
    expect((await h.post('/api/v1/event-types', { name: 'bad.schema', schema: { type: 'nonsense' } })).status).toBe(422);
    expect((await h.post('/api/v1/event-types', { name: 'bad.example', schema: { type: 'object', required: ['a'] }, example: {} })).body.errors).toEqual([{ field: '/example/a', message: "must have required property 'a'" }]);
    expect((await h.post('/api/v1/event-types', { name: 'sync.completed' })).status).toBe(409);
    expect((await h.patch('/api/v1/event-types/sync.completed', { description: 'mine' })).status).toBe(409);
    expect((await h.post('/api/v1/event-types', { name: 'user.signed_up' })).status).toBe(409);
  });

  it('refuses to publish an archived type', async () => {
    await eventType(h, 'old.thing');
    expect((await h.del('/api/v1/event-types/old.thing')).body.archived).toBe(true);
    expect((await h.post('/api/v1/events', { type: 'old.thing', data: {} })).status).toBe(422);
  });
});

describe('publishing', () => {
  it('answers 422 with every failing path when data does not match the schema', async () => {
    const res = await h.post('/api/v1/events', { type: 'invoice.paid', data: { amount: -5, currency: 'GBP', extra: true } });
    expect(res.status).toBe(422);
    expect(res.body.type).toBe('https://patchbay.dev/problems/unprocessable');
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        { field: '/data/invoiceId', message: "must have required property 'invoiceId'" },
        { field: '/data/extra', message: 'must NOT have additional properties' },
        { field: '/data/amount', message: 'must be >= 0' },
        { field: '/data/currency', message: 'must be equal to one of the allowed values' },
      ]),
    );
  });

  it('refuses unknown and built-in types', async () => {
    expect((await h.post('/api/v1/events', { type: 'nope.never', data: {} })).body.errors).toEqual([{ field: '/type', message: 'nope.never is not an event type of this environment (create it first)' }]);
    expect((await h.post('/api/v1/events', { type: 'endpoint.disabled', data: { endpointId: 'ep_x', reason: 'x' } })).status).toBe(422);
  });

  it('returns the first message for an eventId seen before', async () => {
    const first = await h.post('/api/v1/events', { type: 'user.signed_up', data: { userId: 'u_1' }, eventId: 'signup-u_1' });
    const again = await h.post('/api/v1/events', { type: 'user.signed_up', data: { userId: 'u_1', changed: true }, eventId: 'signup-u_1' });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: first.body.id, eventId: 'signup-u_1', data: { userId: 'u_1' }, duplicate: true });
    // Other environments have their own eventIds.
    const prod = await h.api.app.inject({ method: 'POST', url: '/api/v1/event-types', headers: { authorization: `Bearer ${h.api.keys.prod}` }, payload: { name: 'user.signed_up' } });
    expect(prod.statusCode).toBe(201);
    const inProd = await h.api.app.inject({ method: 'POST', url: '/api/v1/events', headers: { authorization: `Bearer ${h.api.keys.prod}` }, payload: { type: 'user.signed_up', data: {}, eventId: 'signup-u_1' } });
    expect(inProd.statusCode).toBe(201);
  });

  it('stores the envelope { id, type, schemaVersion, occurredAt, data, organizationId, environment }', async () => {
    const ep = await endpoint(h, { url: `${receiver.url}/env`, eventTypes: ['invoice.paid'] });
    const occurredAt = '2026-03-04T05:06:07.000Z';
    const id = await publishEvent(h, { type: 'invoice.paid', data: { invoiceId: 'in_1', amount: 100 }, occurredAt });
    const [message] = await rows<{ payload: string }>(h.api.database.db, sql`select payload from outbound_messages where id = ${id}`);
    expect(JSON.parse(message!.payload)).toEqual({ id, type: 'invoice.paid', schemaVersion: 1, occurredAt, data: { amount: 100, invoiceId: 'in_1' }, organizationId: h.api.seed.organization.id, environment: 'dev' });
    expect(await targetsOf(id)).toEqual([ep]);
    await h.del(`/api/v1/endpoints/${ep}`);
  });

  it('publishes a batch of 1,000 in one transaction, all or none', async () => {
    const ep = await endpoint(h, { url: `${receiver.url}/batch`, eventTypes: ['user.signed_up'] });
    const events = Array.from({ length: 1_000 }, (_, i) => ({ type: 'user.signed_up', data: { userId: `u_${i}` }, eventId: `batch-${i}` }));
    const res = await h.post('/api/v1/events/batch', { events });
    expect(res.status).toBe(201);
    expect(res.body.data).toHaveLength(1_000);
    const [count] = await rows<{ n: number }>(h.api.database.db, sql`select count(*)::int as n from outbound_deliveries where endpoint_id = ${ep} and state = 'pending'`);
    expect(count!.n).toBe(1_000);
    // One dispatch job for the endpoint, not a thousand.
    const [jobs] = await rows<{ n: number }>(h.api.database.db, sql`select count(*)::int as n from jobs where payload->>'endpointId' = ${ep}`);
    expect(jobs!.n).toBe(1);

    // A bad event anywhere refuses the whole batch, naming it.
    const bad = await h.post('/api/v1/events/batch', { events: [{ type: 'user.signed_up', data: {}, eventId: 'batch-new-1' }, { type: 'invoice.paid', data: {} }] });
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual(expect.arrayContaining([{ field: '/events/1/data/invoiceId', message: "must have required property 'invoiceId'" }]));
    expect((await h.post('/api/v1/events', { type: 'user.signed_up', data: {}, eventId: 'batch-new-1' })).status).toBe(201);
    expect((await h.post('/api/v1/events/batch', { events: [...events, events[0]] })).status).toBe(400);
    await h.del(`/api/v1/endpoints/${ep}`);
  });
});

describe('routing', () => {
  it('routes by event type (exact and prefix), channel and payload filter', async () => {
    const all = await endpoint(h, { url: `${receiver.url}/all` });
    const invoices = await endpoint(h, { url: `${receiver.url}/invoices`, eventTypes: ['invoice.*'] });
    const eu = await endpoint(h, { url: `${receiver.url}/eu`, channels: ['eu'] });
    const big = await endpoint(h, {
      url: `${receiver.url}/big`,
      eventTypes: ['invoice.paid'],
      filter: { $and: [{ amount: { $gte: 1000 } }, { currency: { $in: ['EUR', 'USD'] } }, { invoiceId: { $regex: '^in_\\.' } }, { note: { $exists: false } }, { $nor: [{ currency: 'USD', amount: { $lt: 2000 } }] }] },
    });
    const publish = (data: Record<string, unknown>, channels?: string[]) => publishEvent(h, { type: 'invoice.paid', data, ...(channels ? { channels } : {}) });

    expect(await targetsOf(await publish({ invoiceId: 'in_.1', amount: 5000, currency: 'EUR' }))).toEqual([all, invoices, big].sort());
    expect(await targetsOf(await publish({ invoiceId: 'in_.2', amount: 1500, currency: 'USD' }))).toEqual([all, invoices].sort());
    expect(await targetsOf(await publish({ invoiceId: 'in_.3', amount: 5000, currency: 'EUR' }, ['eu']))).toEqual([all, invoices, eu, big].sort());
    expect(await targetsOf(await publish({ invoiceId: 'inx3', amount: 5000, currency: 'EUR' }))).toEqual([all, invoices].sort());
    expect(await targetsOf(await publishEvent(h, { type: 'user.signed_up', data: {}, channels: ['us'] }))).toEqual([all]);
    for (const id of [all, invoices, eu, big]) await h.del(`/api/v1/endpoints/${id}`);
  });

  it('routes to the endpoints as they are when the event is published, whoever changed them (the fan-out caches them and checks them at each insert)', async () => {
    const a = await endpoint(h, { url: `${receiver.url}/a`, eventTypes: ['user.signed_up'] });
    expect(await targetsOf(await publishEvent(h, { type: 'user.signed_up', data: {} }))).toEqual([a]);
    // Changes made straight in the database, as another process would make them: no in-process hook sees them.
    const b = await endpoint(h, { url: `${receiver.url}/b`, eventTypes: ['user.*'] });
    await rows(h.api.database.db, sql`update outbound_endpoints set event_types = '["invoice.paid"]'::jsonb where id = ${a}`);
    expect(await targetsOf(await publishEvent(h, { type: 'user.signed_up', data: {} }))).toEqual([b]);
    await rows(h.api.database.db, sql`update outbound_endpoints set enabled = false where id = ${b}`);
    await rows(h.api.database.db, sql`update outbound_endpoints set event_types = null where id = ${a}`);
    expect(await targetsOf(await publishEvent(h, { type: 'user.signed_up', data: {} }))).toEqual([a]);
    await rows(h.api.database.db, sql`delete from outbound_endpoints where id = ${a}`);
    expect(await targetsOf(await publishEvent(h, { type: 'user.signed_up', data: {} }))).toEqual([]);
    await h.del(`/api/v1/endpoints/${b}`);
  });

  it('refuses an endpoint whose filter leaves the safe subset, naming the part', async () => {
    const res = await h.post('/api/v1/endpoints', { url: `${receiver.url}/f`, filter: { $where: 'sleep(1000)' } });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('/filter/$where');
  });
});

describe('the outbox', () => {
  it('stores nothing and queues nothing when the publishing transaction rolls back', async () => {
    const { publishMany } = await import('../../../src/events/index.ts');
    const scope = { organizationId: h.api.seed.organization.id, environmentId: h.api.seed.environments.find((e) => e.name === 'dev')!.id };
    const ep = await endpoint(h, { url: `${receiver.url}/tx`, eventTypes: ['user.signed_up'] });
    const before = await rows<{ n: number }>(h.api.database.db, sql`select count(*)::int as n from outbound_deliveries where endpoint_id = ${ep}`);
    await h.api.database.db
      .transaction(async (tx) => {
        await publishMany(tx, [{ ...scope, type: 'user.signed_up', data: { rolled: 'back' } }]);
        const inside = await rows<{ n: number }>(tx, sql`select count(*)::int as n from outbound_deliveries where endpoint_id = ${ep}`);
        expect(inside[0]!.n).toBe(before[0]!.n + 1);
        throw new Error('roll back');
      })
      .catch(() => undefined);
    const after = await rows<{ n: number }>(h.api.database.db, sql`select count(*)::int as n from outbound_deliveries where endpoint_id = ${ep}`);
    expect(after[0]!.n).toBe(before[0]!.n);
  });
});
