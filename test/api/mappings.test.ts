import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimulatorHandle } from '../../simulators/index.ts';
import { createSyncApi, eventually, type SyncApi } from '../syncs/api-support.ts';

let t: SyncApi;
let hubspot: SimulatorHandle;
let stripe: SimulatorHandle;

interface Contact {
  id: string;
  properties: Record<string, string | null>;
  updatedAt: string;
}

const MAPPING = {
  connectionId: 'conn_map',
  model: 'contacts',
  fields: [
    { source: 'email', target: 'email', direction: 'bidirectional' },
    { source: 'firstname', target: 'fullName', direction: 'bidirectional', transforms: [{ type: 'concatenate', sources: ['firstname', 'lastname'], separator: ' ' }] },
    { source: 'lifecyclestage', target: 'stage', direction: 'bidirectional', transforms: [{ type: 'enumMap', values: { lead: 'Lead', customer: 'Customer', opportunity: 'Opportunity' } }] },
    { source: 'createdAt', target: 'createdOn', direction: 'import', transforms: [{ type: 'dateFormat', from: 'iso', to: 'date' }] },
  ],
};

beforeAll(async () => {
  t = await createSyncApi();
  hubspot = await startSimulator('hubspot', { records: { contacts: 400, companies: 10, deals: 10 } });
  stripe = await startSimulator('stripe', { records: { customers: 50, charges: 10, subscriptions: 10 } });
  t.connect('conn_map', 'hubspot', hubspot);
  t.connect('conn_st', 'stripe', stripe);
});
afterAll(async () => {
  await Promise.all([hubspot.close(), stripe.close()]);
  await t.close();
});
afterEach(() => {
  hubspot.control.clearFaults();
});

const call = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) => {
  const res = await t.api.app.inject({ method, url, headers: t.auth, ...(payload === undefined ? {} : { payload: payload as object }) });
  return { status: res.statusCode, body: (res.body ? res.json() : null) as Record<string, any> };
};

const contacts = () => hubspot.data!.contacts! as unknown as { ids(): readonly string[]; get(id: string): Contact | undefined; update(id: string, f: (c: Contact, ms: number) => Contact): Contact | undefined };

/** The provider changes one property, as a HubSpot user would. */
function providerSets(id: string, property: string, value: string): void {
  contacts().update(id, (c, ms) => ({ ...c, properties: { ...c.properties, [property]: value, lastmodifieddate: new Date(ms).toISOString() }, updatedAt: new Date(ms).toISOString() }));
}

/** Contacts whose provider stage is `stage` (so a test knows what changes and what does not). */
function withStage(stage: string, count: number, skip = 0): string[] {
  return contacts()
    .ids()
    .filter((id) => contacts().get(id)!.properties.lifecyclestage === stage)
    .slice(skip, skip + count);
}

/** Exports fail until the test lets them through, so the provider cannot confirm an edit. */
const holdExports = () => hubspot.control.injectFault({ kind: 'status', status: 400, method: 'PATCH' });

let syncId: string;
async function sync(): Promise<Record<string, any>> {
  const run = await t.waitForRun((await call('POST', `/api/v1/syncs/${syncId}/trigger`, {})).body.run.id);
  expect(run.errors).toEqual([]);
  return run;
}
const record = async (id: string) => (await call('GET', `/api/v1/records/conn_map/contacts/${id}`)).body;

describe('mappings', () => {
  let mappingId: string;

  it('are checked against the model when saved, every problem named', async () => {
    const bad = await call('POST', '/api/v1/mappings', {
      connectionId: 'conn_map',
      model: 'contacts',
      fields: [
        { source: 'phone', target: 'phone', direction: 'import' },
        { source: 'email', target: 'email', direction: 'bidirectional', transforms: [{ type: 'split', separator: '@', index: 0 }] },
        { source: 'lastname', target: 'email', direction: 'import' },
      ],
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['/fields/0/source', '/fields/1/transforms/0', '/fields/2/target']);
    expect(bad.body.errors[0].message).toMatch(/"phone" is not a field of contacts/);
    expect((await call('POST', '/api/v1/mappings', { ...MAPPING, model: 'tickets' })).status).toBe(422);
  });

  it('preview a mapping on given samples and on live records, writing nothing', async () => {
    const created = await call('POST', '/api/v1/mappings', MAPPING);
    expect(created.status).toBe(201);
    mappingId = created.body.id;
    expect((await call('POST', '/api/v1/mappings', MAPPING)).status).toBe(409);

    const given = await call('POST', `/api/v1/mappings/${mappingId}/preview`, {
      samples: [{ id: '1', email: 'ada@example.com', firstname: 'Ada', lastname: 'Lovelace', lifecyclestage: 'lead', createdAt: '2025-03-04T05:06:07.000Z' }, { id: '2', lifecyclestage: 'partner' }],
    });
    expect(given.status).toBe(200);
    expect(given.body.data[0]).toEqual({
      input: expect.any(Object),
      output: { email: 'ada@example.com', fullName: 'Ada Lovelace', stage: 'Lead', createdOn: '2025-03-04' },
      exported: { email: 'ada@example.com', firstname: 'Ada', lastname: 'Lovelace', lifecyclestage: 'lead' },
      errors: [],
    });
    expect(given.body.data[1].errors).toEqual([{ field: 'stage', message: 'stage: "partner" has no entry in the enum map' }]);

    const live = await call('POST', `/api/v1/mappings/${mappingId}/preview`, { limit: 3 });
    expect(live.body.data).toHaveLength(3);
    expect(live.body.data[0].output).toMatchObject({ email: expect.stringContaining('@example.com'), fullName: expect.stringMatching(/^Contact Number/) });
    expect((await call('GET', '/api/v1/records?connectionId=conn_map')).body.data).toEqual([]);
  });

  it('shape the records a sync saves', async () => {
    syncId = (await call('PUT', '/api/v1/connections/conn_map/syncs/contacts', {})).body.id;
    const run = await sync();
    expect(run.added).toBe(400);
    const first = contacts().ids()[0]!;
    expect((await record(first)).data).toEqual({
      email: contacts().get(first)!.properties.email,
      fullName: `Contact ${contacts().get(first)!.properties.lastname}`,
      stage: expect.stringMatching(/^(Lead|Customer|Opportunity)$/),
      createdOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    });
  });
});

describe('export', () => {
  it('writes a changed record back to the provider, mapped to its fields', async () => {
    const id = contacts().ids()[1]!;
    const put = await call('PUT', `/api/v1/records/conn_map/contacts/${id}`, { data: { fullName: 'Grace Hopper', stage: 'Customer' } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ changed: ['fullName', 'stage'], exportQueued: true, version: 2, data: { fullName: 'Grace Hopper', stage: 'Customer' } });
    await eventually(async () => (contacts().get(id)!.properties.lastname === 'Hopper' ? true : undefined));
    expect(contacts().get(id)!.properties).toMatchObject({ firstname: 'Grace', lastname: 'Hopper', lifecyclestage: 'customer' });
    const patch = hubspot.control.requests.find((r) => r.method === 'PATCH' && r.path.endsWith(id))!;
    expect(JSON.parse(patch.body)).toEqual({ properties: { firstname: 'Grace', lastname: 'Hopper', lifecyclestage: 'customer' } });
    expect(await eventually(async () => ((await record(id)).pendingFields.length === 0 ? true : undefined))).toBe(true);
    // The next sync reads the provider's copy of the edit: no new version.
    await sync();
    expect((await record(id)).version).toBe(2);
  });

  it('refuses fields the mapping does not write back', async () => {
    const id = contacts().ids()[2]!;
    const res = await call('PUT', `/api/v1/records/conn_map/contacts/${id}`, { data: { createdOn: '2020-01-01', nickname: 'x' } });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['/data/createdOn', '/data/nickname']);
  });

  it('writes back a record of a model without a mapping as it is (Stripe, form-encoded)', async () => {
    const sync = (await call('PUT', '/api/v1/connections/conn_st/syncs/customers', {})).body;
    await t.waitForRun((await call('POST', `/api/v1/syncs/${sync.id}/trigger`, {})).body.run.id);
    const id = stripe.data!.customers!.ids()[0]!;
    expect((await call('PUT', `/api/v1/records/conn_st/customers/${id}`, { data: { name: 'Renamed' } })).status).toBe(200);
    const post = await eventually(async () => stripe.control.requests.find((r) => r.method === 'POST' && r.path === `/v1/customers/${id}`));
    expect(post.body).toBe('name=Renamed');
    expect((stripe.data!.customers!.get(id) as { name: string }).name).toBe('Renamed');
  });
});

describe('conflicts', () => {
  const setStrategy = async (body: Record<string, unknown>) => {
    const mapping = (await call('GET', '/api/v1/mappings?connectionId=conn_map')).body.data[0];
    expect((await call('PUT', `/api/v1/mappings/${mapping.id}`, { fields: MAPPING.fields, ...body })).status).toBe(200);
  };

  it('last_modified (the default): the later change wins', async () => {
    await setStrategy({ conflictStrategy: 'last_modified' });
    holdExports();
    // Each field starts as `customer`; Patchbay says Lead, the provider Opportunity.
    const [laterProvider, laterPatchbay] = withStage('customer', 2, 2);
    await call('PUT', `/api/v1/records/conn_map/contacts/${laterProvider}`, { data: { stage: 'Lead' } });
    await new Promise((resolve) => setTimeout(resolve, 5));
    providerSets(laterProvider!, 'lifecyclestage', 'opportunity');
    providerSets(laterPatchbay!, 'lifecyclestage', 'opportunity');
    await new Promise((resolve) => setTimeout(resolve, 5));
    await call('PUT', `/api/v1/records/conn_map/contacts/${laterPatchbay}`, { data: { stage: 'Lead' } });

    const run = await sync();
    expect(run.conflicts).toBe(2);
    expect(await record(laterProvider!)).toMatchObject({ data: { stage: 'Opportunity' }, pendingFields: [] });
    expect(await record(laterPatchbay!)).toMatchObject({ data: { stage: 'Lead' }, pendingFields: ['stage'] });
  });

  it('source_priority: the named side wins, whatever the times', async () => {
    await setStrategy({ conflictStrategy: 'source_priority', sourcePriority: 'patchbay' });
    holdExports();
    const [id] = withStage('customer', 1, 10) as [string];
    await call('PUT', `/api/v1/records/conn_map/contacts/${id}`, { data: { stage: 'Lead' } });
    providerSets(id, 'lifecyclestage', 'opportunity');
    const run = await sync();
    expect(run.conflicts).toBe(1);
    expect(await record(id)).toMatchObject({ data: { stage: 'Lead' }, pendingFields: ['stage'] });
  });

  it('a per-field rule merges instead (append)', async () => {
    await setStrategy({ conflictStrategy: 'source_priority', sourcePriority: 'patchbay', conflictRules: [{ field: 'fullName', prioritySource: 'provider', mergeStrategy: 'append' }] });
    holdExports();
    const id = contacts().ids()[21]!;
    await call('PUT', `/api/v1/records/conn_map/contacts/${id}`, { data: { fullName: 'Ada Lovelace' } });
    providerSets(id, 'lastname', 'Byron');
    await sync();
    expect((await record(id)).data.fullName).toBe('Ada Lovelace\nContact Byron');
  });

  it('manual_review: held in a queue until a person accepts or rejects', async () => {
    await setStrategy({ conflictStrategy: 'manual_review', conflictRules: [] });
    holdExports();
    const [accepted, rejected] = withStage('customer', 2, 20);
    for (const id of [accepted!, rejected!]) {
      await call('PUT', `/api/v1/records/conn_map/contacts/${id}`, { data: { stage: 'Lead' } });
      providerSets(id, 'lifecyclestage', 'opportunity');
    }
    const run = await sync();
    expect(run.conflicts).toBe(2);
    // Meanwhile Patchbay's value stays.
    expect((await record(accepted!)).data.stage).toBe('Lead');

    const queue = await call('GET', '/api/v1/conflicts?status=pending&connectionId=conn_map');
    expect(queue.body.data.map((c: { externalId: string; field: string; patchbayValue: string; providerValue: string }) => [c.externalId, c.field, c.patchbayValue, c.providerValue])).toEqual([
      [accepted, 'stage', 'Lead', 'Opportunity'],
      [rejected, 'stage', 'Lead', 'Opportunity'],
    ]);
    const [first, second] = queue.body.data;

    const accept = await call('POST', `/api/v1/conflicts/${first.id}/resolve`, { resolution: 'accept' });
    expect(accept.body).toMatchObject({ status: 'accepted', resolvedBy: expect.any(String) });
    expect(await record(accepted!)).toMatchObject({ data: { stage: 'Opportunity' }, pendingFields: [] });
    expect((await call('POST', `/api/v1/conflicts/${first.id}/resolve`, { resolution: 'reject' })).status).toBe(409);

    hubspot.control.clearFaults();
    expect((await call('POST', `/api/v1/conflicts/${second.id}/resolve`, { resolution: 'reject' })).body.status).toBe('rejected');
    expect((await record(rejected!)).data.stage).toBe('Lead');
    await eventually(async () => (contacts().get(rejected!)!.properties.lifecyclestage === 'lead' ? true : undefined), 20_000);
    expect((await call('GET', '/api/v1/conflicts?status=pending&connectionId=conn_map')).body.data).toEqual([]);
  });
});
