import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRoutes } from '../../src/api/index.ts';
import { startSimulator, type SimulatorHandle } from '../../simulators/index.ts';
import { bearer } from '../support/api.ts';
import { createSyncApi, type SyncApi } from '../syncs/api-support.ts';

let t: SyncApi;
let hubspot: SimulatorHandle;
let stripe: SimulatorHandle;

beforeAll(async () => {
  t = await createSyncApi();
  hubspot = await startSimulator('hubspot', { records: { contacts: 1_200, companies: 150, deals: 150 } });
  stripe = await startSimulator('stripe', { records: { customers: 300, charges: 600, subscriptions: 120 } });
  t.connect('conn_hs', 'hubspot', hubspot);
  t.connect('conn_st', 'stripe', stripe);
});
afterAll(async () => {
  await Promise.all([hubspot.close(), stripe.close()]);
  await t.close();
});

const json = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, headers = t.auth) => {
  const res = await t.api.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
  return { status: res.statusCode, body: res.json() as Record<string, any> };
};

async function readFeed(connectionId: string, cursor?: string) {
  const changes: Record<string, any>[] = [];
  let next = cursor;
  for (;;) {
    const { status, body } = await json('GET', `/api/v1/records?connectionId=${connectionId}&limit=500${next ? `&cursor=${next}` : ''}`);
    expect(status).toBe(200);
    changes.push(...body.data);
    next = body.nextCursor;
    if (!body.hasMore) return { changes, cursor: next! };
  }
}

describe('syncs through the API', () => {
  it('lists the models a connection can sync', async () => {
    const { status, body } = await json('GET', '/api/v1/connections/conn_hs/syncs');
    expect(status).toBe(200);
    expect(body.models.map((m: { model: string }) => m.model)).toEqual(['contacts', 'companies', 'deals']);
    expect(body.data).toEqual([]);
  });

  it('configures a sync with the connector’s defaults, runs it on the queue, and logs the run', async () => {
    const configured = await json('PUT', '/api/v1/connections/conn_hs/syncs/contacts', { historicalDays: 3650 });
    expect(configured.status).toBe(200);
    expect(configured.body).toMatchObject({ model: 'contacts', frequency: 'hourly', dataStrategy: 'events', historicalDays: 3650, enabled: true });

    const triggered = await json('POST', `/api/v1/syncs/${configured.body.id}/trigger`, {});
    expect(triggered.status).toBe(202);
    expect(triggered.body.created).toBe(true);
    const again = await json('POST', `/api/v1/syncs/${configured.body.id}/trigger`, {});
    expect(again.body).toMatchObject({ created: false, run: { id: triggered.body.run.id } });

    const run = await t.waitForRun(triggered.body.run.id);
    expect(run).toMatchObject({ status: 'succeeded', added: 1_200, pages: 12 });
    const log = await json('GET', `/api/v1/syncs/${configured.body.id}/runs`);
    expect(log.body.data[0]).toMatchObject({ id: run.id, status: 'succeeded', providerCalls: 12, added: 1_200, errors: [] });
    const one = await json('GET', `/api/v1/sync-runs/${run.id}`);
    expect(one.body).toMatchObject({ id: run.id, full: true, trigger: 'manual' });

    const { changes, cursor } = await readFeed('conn_hs');
    expect(changes).toHaveLength(1_200);
    expect(changes[0]).toMatchObject({ model: 'contacts', change: 'ADDED', version: 1 });

    const contacts = hubspot.data!.contacts!;
    contacts.touch(contacts.ids().slice(0, 2));
    const second = await t.waitForRun((await json('POST', `/api/v1/syncs/${configured.body.id}/trigger`, {})).body.run.id);
    expect(second).toMatchObject({ status: 'succeeded', full: false, updated: 2 });
    const since = await readFeed('conn_hs', cursor);
    expect(since.changes.map((c) => [c.externalId, c.change, c.version])).toEqual(contacts.ids().slice(0, 2).map((id) => [id, 'UPDATED', 2]));
  });

  it('refuses a model the connector does not have, and a frequency it cannot schedule', async () => {
    expect((await json('PUT', '/api/v1/connections/conn_hs/syncs/tickets', {})).status).toBe(422);
    const bad = await json('PUT', '/api/v1/connections/conn_hs/syncs/deals', { frequency: 'every 5 seconds' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('/frequency');
    expect((await json('PUT', '/api/v1/connections/conn_nope/syncs/deals', {})).status).toBe(404);
  });

  it('rejects a feed cursor it did not give out', async () => {
    const { status } = await json('GET', '/api/v1/records?connectionId=conn_hs&cursor=bm9wZQ');
    expect(status).toBe(400);
  });

  it('cancels a queued run', async () => {
    const sync = (await json('PUT', '/api/v1/connections/conn_hs/syncs/companies', { frequency: null })).body;
    hubspot.control.setDelay(100);
    try {
      const run = (await json('POST', `/api/v1/syncs/${sync.id}/trigger`, {})).body.run;
      const cancelled = await json('POST', `/api/v1/sync-runs/${run.id}/cancel`);
      expect(cancelled.status).toBe(200);
      expect(['cancelled', 'running']).toContain(cancelled.body.status);
      expect((await t.waitForRun(run.id)).status).toBe('cancelled');
      expect((await json('POST', `/api/v1/sync-runs/${run.id}/cancel`)).status).toBe(409);
    } finally {
      hubspot.control.setDelay(0);
    }
  });

  it('rolls a run back: records return to their versions before it, and the rollback is a run of its own', async () => {
    const sync = (await json('PUT', '/api/v1/connections/conn_hs/syncs/deals', {})).body;
    await t.waitForRun((await json('POST', `/api/v1/syncs/${sync.id}/trigger`, {})).body.run.id);
    const { cursor } = await readFeed('conn_hs');
    const deals = hubspot.data!.deals!;
    const ids = deals.ids();
    const before = await json('GET', `/api/v1/records/conn_hs/deals/${ids[0]}`);
    deals.touch(ids.slice(0, 3));
    deals.remove([ids[5]!]);
    const added = deals.add(1).map((d) => (d as { id: string }).id);
    const bad = await t.waitForRun((await json('POST', `/api/v1/syncs/${sync.id}/trigger`, {})).body.run.id);
    expect(bad).toMatchObject({ status: 'succeeded', updated: 3, deleted: 1, added: 1 });

    const rolled = await json('POST', `/api/v1/sync-runs/${bad.id}/rollback`);
    expect(rolled.status).toBe(200);
    expect(rolled.body.reverted).toMatchObject({ id: bad.id, rolledBackBy: rolled.body.rollback.id });
    expect(rolled.body.rollback).toMatchObject({ trigger: 'rollback', revertsRunId: bad.id, status: 'succeeded', updated: 4, deleted: 1 });

    const restored = await json('GET', `/api/v1/records/conn_hs/deals/${ids[0]}`);
    expect(restored.body.data).toEqual(before.body.data);
    expect(restored.body.version).toBe(3);
    expect(restored.body.versions.map((v: { version: number; replacedByRunId: string }) => [v.version, v.replacedByRunId])).toEqual([
      [2, rolled.body.rollback.id],
      [1, bad.id],
    ]);
    expect((await json('GET', `/api/v1/records/conn_hs/deals/${ids[5]}`)).body.deletedAt).toBeNull();
    expect((await json('GET', `/api/v1/records/conn_hs/deals/${added[0]}`)).body.deletedAt).not.toBeNull();

    // The feed tells consumers about the revert too.
    const after = await readFeed('conn_hs', cursor);
    const byId = new Map(after.changes.map((c) => [c.externalId, c.change]));
    expect(byId.get(ids[0])).toBe('UPDATED');
    expect(byId.get(ids[5])).toBe('ADDED');
    expect(byId.get(added[0])).toBe('DELETED');

    expect((await json('POST', `/api/v1/sync-runs/${bad.id}/rollback`)).status).toBe(409);
    const audit = await json('GET', '/api/v1/audit-log?action=sync_run.rolled_back', undefined, bearer(t.api.keys.owner));
    expect(audit.body.data[0]).toMatchObject({ targetId: bad.id });
  });

  it('collects metrics and rolls them up', async () => {
    const sync = await json('PUT', '/api/v1/connections/conn_st/syncs/$metrics', { historicalDays: 90 });
    expect(sync.status).toBe(200);
    expect(sync.body).toMatchObject({ kind: 'metrics', frequency: 'daily' });
    const run = await t.waitForRun((await json('POST', `/api/v1/syncs/${sync.body.id}/trigger`, {})).body.run.id);
    expect(run.status).toBe('succeeded');
    expect(run.added).toBeGreaterThan(90);

    const daily = await json('GET', '/api/v1/connections/conn_st/metrics?metricId=mrr');
    expect(daily.status).toBe(200);
    expect(daily.body.metrics.map((m: { id: string }) => m.id)).toEqual(['mrr', 'revenue']);
    expect(daily.body.data.length).toBeGreaterThanOrEqual(30);
    expect(daily.body.data.every((p: { value: number }) => p.value > 0)).toBe(true);

    const from = new Date(Date.now() - 90 * 86_400_000).toISOString();
    const monthly = await json('GET', `/api/v1/connections/conn_st/metrics?metricId=revenue&rollup=month&from=${from}`);
    const daysOfRevenue = await json('GET', `/api/v1/connections/conn_st/metrics?metricId=revenue&from=${from}&limit=5000`);
    const sum = (points: { value: number }[]) => Math.round(points.reduce((s, p) => s + p.value, 0) * 100) / 100;
    expect(monthly.body.data.length).toBeLessThanOrEqual(4);
    expect(sum(monthly.body.data)).toBeCloseTo(sum(daysOfRevenue.body.data), 1);

    // MRR is a level: a week keeps its last day's value.
    const weekly = await json('GET', `/api/v1/connections/conn_st/metrics?metricId=mrr&rollup=week&from=${from}`);
    const lastDay = daily.body.data.at(-1);
    expect(weekly.body.data.at(-1).value).toBe(lastDay.value);
  });
});

describe('the OpenAPI document', () => {
  it('stays valid with the syncs, records, mappings, conflicts, metrics and proxy routes, every one documented', async () => {
    const doc = (await t.api.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    const documented = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(item)) documented.add(`${method.toUpperCase()} ${path}`);
    }
    const undocumented = listRoutes(t.api.app).filter((r) => !documented.has(r.replace(/\*$/, '{*}')) && !r.startsWith('GET /api/v1/docs'));
    expect(undocumented).toEqual([]);
    for (const op of [
      'GET /api/v1/connections/{id}/syncs',
      'PUT /api/v1/connections/{id}/syncs/{model}',
      'POST /api/v1/syncs/{id}/trigger',
      'GET /api/v1/sync-runs/{id}',
      'POST /api/v1/sync-runs/{id}/rollback',
      'GET /api/v1/records',
      'PUT /api/v1/records/{connectionId}/{model}/{externalId}',
      'POST /api/v1/mappings/{id}/preview',
      'POST /api/v1/conflicts/{id}/resolve',
      'GET /api/v1/connections/{id}/metrics',
      'POST /api/v1/proxy/{connectionId}/{*}',
    ]) {
      expect(documented).toContain(op);
    }
  });
});
