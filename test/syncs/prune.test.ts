/**
 * Record versions past retention are pruned, except what the next rollback needs; a run whose
 * versions are gone is refused by rollback with that reason.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.ts';
import { rows } from '../../src/db/index.ts';
import { pruneRecordVersions } from '../../src/syncs/index.ts';
import { startSimulator, type SimulatorHandle } from '../../simulators/index.ts';
import { createSyncApi, type SyncApi } from './api-support.ts';

let t: SyncApi;
let hubspot: SimulatorHandle;

beforeAll(async () => {
  t = await createSyncApi();
  hubspot = await startSimulator('hubspot', { records: { contacts: 10, companies: 20, deals: 10 } });
  t.connect('conn_prune', 'hubspot', hubspot);
});
afterAll(async () => {
  await hubspot.close();
  await t.close();
});

const json = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) => {
  const res = await t.api.app.inject({ method, url, headers: t.auth, ...(payload === undefined ? {} : { payload: payload as object }) });
  return { status: res.statusCode, body: res.json() as Record<string, any> };
};

const versionsOf = async (runId: string) =>
  (await rows<{ n: number }>(t.api.database.db, sql`select count(*)::int as n from record_versions where replaced_by_run_id = ${runId}`))[0]!.n;

describe('record version retention', () => {
  it('prunes versions older than retention but keeps those of the latest run, which stays reversible', async () => {
    const sync = (await json('PUT', '/api/v1/connections/conn_prune/syncs/companies', {})).body;
    const trigger = async () => t.waitForRun((await json('POST', `/api/v1/syncs/${sync.id}/trigger`, {})).body.run.id);
    await trigger();
    const companies = hubspot.data!.companies!;
    const ids = companies.ids();
    companies.touch(ids.slice(0, 4));
    const older = await trigger();
    companies.touch(ids.slice(4, 7));
    const latest = await trigger();
    expect([older.updated, latest.updated]).toEqual([4, 3]);
    expect([await versionsOf(older.id), await versionsOf(latest.id)]).toEqual([4, 3]);

    // Nothing is old enough yet.
    expect(await pruneRecordVersions(t.api.database.db, new ManualClock(Date.now()), { retentionDays: 30 })).toEqual({ deleted: 0, runsMarked: 0 });

    const later = new ManualClock(Date.now() + 31 * 86_400_000);
    expect(await pruneRecordVersions(t.api.database.db, later, { retentionDays: 30 })).toEqual({ deleted: 4, runsMarked: 1 });
    expect([await versionsOf(older.id), await versionsOf(latest.id)]).toEqual([0, 3]);

    // The latest run rolls back as before; the older one is refused, with the reason.
    expect((await json('POST', `/api/v1/sync-runs/${latest.id}/rollback`)).status).toBe(200);
    const refused = await json('POST', `/api/v1/sync-runs/${older.id}/rollback`);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/deleted by retention .* can no longer be rolled back/);
    // Its records are untouched by the refusal.
    const record = await json('GET', `/api/v1/records/conn_prune/companies/${ids[0]}`);
    expect(record.body.deletedAt).toBeNull();
  });
});
