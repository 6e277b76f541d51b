import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimulatorHandle } from '../../simulators/index.ts';
import { createSyncApi, type SyncApi } from '../syncs/api-support.ts';

let t: SyncApi;
let stripe: SimulatorHandle;

beforeAll(async () => {
  t = await createSyncApi();
  stripe = await startSimulator('stripe', { records: { customers: 30, charges: 40, subscriptions: 5 } });
  t.connect('conn_a', 'stripe', stripe);
  t.connect('conn_b', 'stripe', stripe);
});
afterAll(async () => {
  await stripe.close();
  await t.close();
});

const json = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) => {
  const res = await t.api.app.inject({ method, url, headers: t.auth, ...(payload === undefined ? {} : { payload: payload as object }) });
  return { status: res.statusCode, body: res.json() as Record<string, any> };
};

async function runOnce(connectionId: string, model: string): Promise<string> {
  // Paused: the scheduler would otherwise queue runs of its own beside the ones counted here.
  const sync = await json('PUT', `/api/v1/connections/${connectionId}/syncs/${model}`, { enabled: false });
  expect(sync.status).toBe(200);
  const triggered = await json('POST', `/api/v1/syncs/${sync.body.id}/trigger`, {});
  expect(triggered.status).toBe(202);
  await t.waitForRun(triggered.body.run.id);
  return triggered.body.run.id;
}

describe('the runs of every sync in an environment', () => {
  it('lists runs across connections newest first, filtered by connection, model and status, one page at a time', async () => {
    const first = await runOnce('conn_a', 'customers');
    const second = await runOnce('conn_b', 'charges');
    const third = await runOnce('conn_a', 'charges');

    const all = await json('GET', '/api/v1/sync-runs');
    expect(all.status).toBe(200);
    expect(all.body.data.map((r: { id: string }) => r.id)).toEqual([third, second, first]);
    expect(all.body.nextCursor).toBeNull();

    const ofA = await json('GET', '/api/v1/sync-runs?connectionId=conn_a');
    expect(ofA.body.data.map((r: { id: string }) => r.id)).toEqual([third, first]);
    const charges = await json('GET', '/api/v1/sync-runs?model=charges');
    expect(charges.body.data.map((r: { id: string }) => r.id)).toEqual([third, second]);
    const succeeded = await json('GET', '/api/v1/sync-runs?status=succeeded&connectionId=conn_b');
    expect(succeeded.body.data).toMatchObject([{ id: second, status: 'succeeded', connectionId: 'conn_b', model: 'charges' }]);
    expect((await json('GET', '/api/v1/sync-runs?status=failed')).body.data).toEqual([]);

    const one = await json('GET', '/api/v1/sync-runs?limit=2');
    expect(one.body.data).toHaveLength(2);
    const next = await json('GET', `/api/v1/sync-runs?limit=2&cursor=${one.body.nextCursor}`);
    expect(next.body.data.map((r: { id: string }) => r.id)).toEqual([first]);
  });

  it('answers a bad filter or cursor with a problem, not a 500', async () => {
    const bad = await json('GET', '/api/v1/sync-runs?status=exploded');
    expect(bad.status).toBe(400);
    const cursor = await json('GET', '/api/v1/sync-runs?cursor=not-a-cursor');
    expect(cursor.status).toBe(400);
  });
});
