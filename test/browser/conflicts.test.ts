/**
 * A sync conflict, made the way it happens and settled from the dashboard. A mapping of the demo
 * Stripe customers asks for manual review. While Stripe cannot be reached (the integration points
 * at an address that answers 404), two customers are renamed in Patchbay — their write-backs fail
 * and wait for a retry — and renamed again at Stripe. Stripe comes back, the next sync sees both
 * sides changed and holds the two names for review. In a real Chromium the operator takes Stripe's
 * value for one customer and keeps Patchbay's for the other; the hub's records and Stripe follow.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { STRIPE_SAMPLE_KEY } from '../../simulators/stripe.ts';
import { screenshot } from './support.ts';
import { browserSuite } from './suite.ts';

const SLOW = 300_000;
const CONNECTION = 'acme-stripe';

const suite = browserSuite({ defaultTimeoutMs: 30_000 });
const { api, newContext, open, expectAccessible, photograph, until } = suite;

beforeAll(() => suite.start(), 300_000);
afterEach(() => suite.endTest());
afterAll(() => suite.close(), 60_000);

/** Stripe itself (the simulator the demo connection reads), as a Stripe user would change it. */
async function stripe(method: 'GET' | 'POST', path: string, form?: Record<string, string>): Promise<Record<string, unknown>> {
  const res = await fetch(`${suite.hub.url}/_simulators/stripe${path}`, {
    method,
    headers: { authorization: `Bearer ${STRIPE_SAMPLE_KEY}`, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    ...(form ? { body: new URLSearchParams(form).toString() } : {}),
  });
  expect(res.status, `${method} ${path}`).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

/** Runs the sync over everything (a Stripe customer changed in place is only seen by a full run). */
async function runSync(syncId: string): Promise<Record<string, any>> {
  const triggered = await api(`/api/v1/syncs/${syncId}/trigger`, { method: 'POST', body: { full: true } });
  expect(triggered.status, JSON.stringify(triggered.body)).toBeLessThan(300);
  const runId = String(triggered.body.run.id);
  let run: Record<string, any> = {};
  await until(async () => ['succeeded', 'failed', 'cancelled'].includes((run = (await api(`/api/v1/sync-runs/${runId}`)).body).status), `run ${runId} ends`, 120_000);
  expect(run.status, JSON.stringify(run.errors)).toBe('succeeded');
  return run;
}

/** The hub's sync engine keeps a resolved connection (its base URL included) for 2 s. */
const settleConnectionCache = () => new Promise((resolve) => setTimeout(resolve, 2_500));

describe('an operator settling sync conflicts', () => {
  it('takes the provider’s value for one record and keeps Patchbay’s for another, from the conflicts screen', async () => {
    // Paused, so the scheduler runs nothing between the steps below.
    const sync = await api(`/api/v1/connections/${CONNECTION}/syncs/customers`, { method: 'PUT', body: { enabled: false } });
    expect(sync.status).toBe(200);
    const mapping = await api('/api/v1/mappings', {
      method: 'POST',
      body: {
        connectionId: CONNECTION,
        model: 'customers',
        conflictStrategy: 'manual_review',
        fields: [
          { source: 'name', target: 'name', direction: 'bidirectional' },
          { source: 'email', target: 'email', direction: 'import' },
        ],
      },
    });
    expect(mapping.status, JSON.stringify(mapping.body)).toBe(201);
    await runSync(String(sync.body.id));
    const listed = await api(`/api/v1/records?connectionId=${CONNECTION}&model=customers&limit=2`);
    const [taken, kept] = (listed.body.data as { externalId: string }[]).map((r) => r.externalId) as [string, string];
    expect(kept).toBeTruthy();

    // Stripe out of reach: every write-back fails and is retried later (5 s, 10 s, 20 s, 40 s…).
    const integration = (await api('/api/v1/integrations?connectorKey=stripe')).body.data[0] as { id: string; baseUrl: string };
    const offline = await api(`/api/v1/integrations/${integration.id}`, { method: 'PATCH', body: { baseUrl: `${suite.hub.url}/_simulators/stripe-offline` } });
    expect(offline.status, JSON.stringify(offline.body)).toBe(200);
    await settleConnectionCache();
    for (const id of [taken, kept]) {
      const edited = await api(`/api/v1/records/${CONNECTION}/customers/${id}`, { method: 'PUT', body: { data: { name: `Patchbay ${id}` } } });
      expect(edited.status, JSON.stringify(edited.body)).toBe(200);
      // Meanwhile someone renames the customer at Stripe.
      await stripe('POST', `/v1/customers/${id}`, { name: `Stripe ${id}` });
    }
    // The write-backs have failed a few times: their next try is far enough away for a sync to run first.
    await until(async () => {
      const jobs = (await api('/api/v1/jobs?type=records.export&state=pending')).body.data as { runAt: string; attempts: number }[];
      return jobs.length === 2 && jobs.every((job) => job.attempts > 0 && Date.parse(job.runAt) - Date.now() > 25_000);
    }, 'the write-backs wait 25 s or more for their next try', 120_000);
    const online = await api(`/api/v1/integrations/${integration.id}`, { method: 'PATCH', body: { baseUrl: integration.baseUrl } });
    expect(online.status, JSON.stringify(online.body)).toBe(200);
    await settleConnectionCache();
    const run = await runSync(String(sync.body.id));
    expect(run.conflicts).toBe(2);
    // Held: Patchbay's value stays meanwhile.
    expect((await api(`/api/v1/records/${CONNECTION}/customers/${taken}`)).body.data.name).toBe(`Patchbay ${taken}`);

    const page = await open(await newContext());
    await page.goto(`${suite.hub.url}/conflicts`);
    await page.getByRole('heading', { name: 'Conflicts', level: 1 }).waitFor();
    const table = page.getByRole('table', { name: 'Conflicts' });
    for (const id of [taken, kept]) {
      const row = table.getByRole('row').filter({ has: page.getByRole('link', { name: id, exact: true }) });
      expect(await row.textContent()).toContain(`Patchbay ${id}`);
      expect(await row.textContent()).toContain(`Stripe ${id}`);
    }
    await expectAccessible(page);
    await photograph(page, 'conflicts-pending');

    await table.getByRole('button', { name: `Take the provider's name of ${taken}` }).click();
    await page.getByRole('status').getByText('Took the provider\'s name').waitFor();
    // The toast speaks once the list shows the decision: the row has left the pending queue.
    expect(await table.getByRole('link', { name: taken, exact: true }).count()).toBe(0);
    const takenRecord = await api(`/api/v1/records/${CONNECTION}/customers/${taken}`);
    expect(takenRecord.body).toMatchObject({ data: { name: `Stripe ${taken}` }, pendingFields: [] });

    await table.getByRole('button', { name: `Keep Patchbay's name of ${kept}` }).click();
    await page.getByRole('status').getByText('Kept Patchbay\'s name').waitFor();
    await page.getByText('No conflict waits for review').waitFor();
    expect((await api(`/api/v1/records/${CONNECTION}/customers/${kept}`)).body.data.name).toBe(`Patchbay ${kept}`);
    // Patchbay's value is written back to Stripe (by the waiting write-back, at its next try).
    await until(async () => (await stripe('GET', `/v1/customers/${kept}`)).name === `Patchbay ${kept}`, `Stripe has Patchbay's name for ${kept}`, 90_000);

    const decided = await api(`/api/v1/conflicts?connectionId=${CONNECTION}&status=accepted`);
    expect((decided.body.data as { externalId: string; status: string }[]).map((c) => [c.externalId, c.status])).toEqual([[taken, 'accepted']]);
    await page.getByLabel('Status').selectOption('accepted');
    await expect.poll(() => new URL(page.url()).searchParams.get('status')).toBe('accepted');
    await table.getByRole('link', { name: taken, exact: true }).waitFor();
    expect(await table.getByText('accepted', { exact: true }).count()).toBe(1);
    await expectAccessible(page);
    await screenshot(page, 'conflicts-decided-1440-light');

    // A filter that matches nothing offers to drop the filters.
    await page.getByLabel('Connection').fill('nobody');
    await page.getByLabel('Connection').press('Enter');
    await page.getByText('No conflict matches these filters').waitFor();
    await photograph(page, 'conflicts-no-match');
    await page.getByRole('button', { name: 'Clear the filters' }).click();
    await page.getByText('No conflict waits for review').waitFor();
    expect(new URL(page.url()).search).toBe('');
  }, SLOW);
});
