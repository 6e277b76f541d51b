import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../src/db/index.ts';
import { getConnector } from '../../src/connectors/index.ts';
import { startSimulator, type SimulatorHandle } from '../../simulators/index.ts';
import { createSyncHarness, type SyncHarness } from './support.ts';

interface Case {
  connector: string;
  model: string;
  /** The simulator's dataset behind the model. */
  dataset: string;
  /** An incremental run sees changes to existing records (not only new ones). */
  seesUpdates: boolean;
  /** An incremental run (or every run, for snapshots) sees deletions. */
  seesDeletions: boolean;
}

const CASES: Case[] = [
  { connector: 'hubspot', model: 'contacts', dataset: 'contacts', seesUpdates: true, seesDeletions: true },
  { connector: 'hubspot', model: 'companies', dataset: 'companies', seesUpdates: true, seesDeletions: true },
  { connector: 'hubspot', model: 'deals', dataset: 'deals', seesUpdates: true, seesDeletions: true },
  { connector: 'salesforce', model: 'Account', dataset: 'Account', seesUpdates: true, seesDeletions: true },
  { connector: 'salesforce', model: 'Contact', dataset: 'Contact', seesUpdates: true, seesDeletions: true },
  { connector: 'salesforce', model: 'Opportunity', dataset: 'Opportunity', seesUpdates: true, seesDeletions: true },
  // Stripe objects have no modification time: incremental runs take new objects; reconciles the rest.
  { connector: 'stripe', model: 'customers', dataset: 'customers', seesUpdates: false, seesDeletions: false },
  { connector: 'stripe', model: 'charges', dataset: 'charges', seesUpdates: false, seesDeletions: false },
  { connector: 'stripe', model: 'subscriptions', dataset: 'subscriptions', seesUpdates: true, seesDeletions: true },
  { connector: 'github', model: 'repositories', dataset: 'repos', seesUpdates: true, seesDeletions: true },
  { connector: 'github', model: 'issues', dataset: 'issues', seesUpdates: true, seesDeletions: false },
  // PagerDuty lists by creation time: new incidents incrementally, status changes at the reconcile.
  { connector: 'pagerduty', model: 'incidents', dataset: 'incidents', seesUpdates: false, seesDeletions: false },
  { connector: 'pipedrive', model: 'persons', dataset: 'persons', seesUpdates: true, seesDeletions: false },
  { connector: 'pipedrive', model: 'deals', dataset: 'deals', seesUpdates: true, seesDeletions: false },
];

let h: SyncHarness;
const sims = new Map<string, SimulatorHandle>();

beforeAll(async () => {
  h = await createSyncHarness();
  for (const key of new Set(CASES.map((c) => c.connector))) {
    const sim = await startSimulator(key);
    sims.set(key, sim);
    h.resolver.add(`conn_${key}`, key, sim, key === 'pagerduty' ? { connectionConfig: { fromEmail: 'oncall@example.com' } } : {});
  }
}, 60_000);
afterAll(async () => {
  await Promise.all([...sims.values()].map((s) => s.close()));
  await h.close();
});

async function live(connectionId: string, model: string): Promise<number> {
  const [row] = await rows<{ n: number }>(
    h.database.db,
    sql`select count(*)::int as n from records where connection_id = ${connectionId} and model = ${model} and deleted_at is null`,
  );
  return row!.n;
}

describe.each(CASES)('$connector $model', ({ connector, model, dataset, seesUpdates, seesDeletions }) => {
  it('is declared by the connector', () => {
    expect(getConnector(connector)!.syncs.map((s) => s.model)).toContain(model);
  });

  it('backfills every record, then takes what changed incrementally', async () => {
    const sim = sims.get(connector)!;
    const data = sim.data![dataset]!;
    const conn = `conn_${connector}`;
    const sync = await h.configure(conn, model);
    const first = await h.run((await h.trigger(sync)).id);
    expect(first.errors).toEqual([]);
    expect(first).toMatchObject({ status: 'succeeded', full: true, added: data.size });
    expect(first.pages).toBeGreaterThanOrEqual(1);
    expect(await live(conn, model)).toBe(data.size);
    // Every field a record carries is declared in the model's schema (mappings are checked against it).
    const declared = Object.keys((getConnector(connector)!.syncs.find((s) => s.model === model)!.schema as { properties: object }).properties);
    const [sample] = await rows<{ data: Record<string, unknown> }>(h.database.db, sql`select data from records where connection_id = ${conn} and model = ${model} limit 1`);
    expect(Object.keys(sample!.data).filter((k) => !declared.includes(k))).toEqual([]);

    // Ids that existed at the first run, away from the newest (tests add records at the end).
    const ids = data.ids();
    data.touch(ids.slice(1, 4));
    data.add(2);
    if (seesDeletions) data.remove(ids.slice(10, 12));
    const second = await h.run((await h.trigger(sync)).id);
    expect(second.errors).toEqual([]);
    expect(second.status).toBe('succeeded');
    expect(second.added).toBe(2);
    expect(second.updated).toBe(seesUpdates ? 3 : 0);
    expect(second.deleted).toBe(seesDeletions ? 2 : 0);
    if (!second.full) expect(second.pages).toBeLessThanOrEqual(first.pages);
    expect(await live(conn, model)).toBe(seesDeletions ? data.size : first.added + 2);
  });
});

describe('backfill windows', () => {
  it.each([
    ['salesforce', 'Account', 'Account'],
    ['pagerduty', 'incidents', 'incidents'],
    ['pipedrive', 'persons', 'persons'],
    ['stripe', 'charges', 'charges'],
    ['github', 'issues', 'issues'],
  ])('%s %s reaches back only historicalDays', async (connector, model, dataset) => {
    const sim = sims.get(connector)!;
    const conn = `conn_${connector}_window`;
    h.resolver.add(conn, connector, sim);
    const sync = await h.configure(conn, model, { historicalDays: 60 });
    const run = await h.run((await h.trigger(sync)).id);
    expect(run.status).toBe('succeeded');
    const size = sim.data![dataset]!.size;
    // Modification (or creation) times spread over a year: about 60/365 of the records.
    expect(run.added).toBeGreaterThan(size * 0.1);
    expect(run.added).toBeLessThan(size * 0.3);
  });
});
