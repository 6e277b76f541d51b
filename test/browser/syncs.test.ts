/**
 * Syncs in a real Chromium against a real hub (`npm start`'s launcher: simulators, hub, demo
 * seed): an operator runs the Stripe customers sync of the demo connection and follows it to
 * 100 % on its run page, finds it in the Syncs list with filters in the URL, browses its records
 * and compares a record's versions side by side, rolls the run back, and reads the conflicts
 * queue. Every screen passes axe-core with no console error and no failed request, and is
 * photographed at 1,440 and 360 px, light and dark.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { screenshot, type DemoHub } from './support.ts';
import { browserSuite } from './suite.ts';

/** Screens are checked by axe and photographed on a shared two-core machine: minutes, not seconds. */
const SLOW = 180_000;
const CONNECTION = 'acme-stripe';

const suite = browserSuite({ defaultTimeoutMs: 30_000 });
const { api, newContext, open, settled, expectAccessible } = suite;
let hub: DemoHub;
/** The run the first flow starts; later flows read it. */
let runId = '';
let recordId = '';
let mappingId = '';

beforeAll(async () => {
  await suite.start();
  hub = suite.hub;
}, 300_000);

afterEach(() => suite.endTest());

afterAll(() => suite.close(), 60_000);

describe('an operator following syncs', () => {
  it('sees an empty Syncs screen that says what to do next', async () => {
    const page = await open(await newContext());
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Syncs' }).click();
    await page.getByRole('heading', { name: 'Syncs', level: 1 }).waitFor();
    await page.getByText('No sync has run in dev yet').waitFor();
    await expectAccessible(page);
    await screenshot(page, 'syncs-empty-1440-light');
  }, SLOW);

  it('runs the Stripe customers sync and watches its progress reach 100 % on the run page', async () => {
    // Paused, so the scheduler does not run it first: the run followed here reads every customer.
    const scheduled = await api(`/api/v1/connections/${CONNECTION}/syncs/customers`, { method: 'PUT', body: { enabled: false } });
    expect(scheduled.status).toBe(200);
    const page = await open(await newContext());
    await page.goto(`${hub.url}/connections/${CONNECTION}`);
    await page.getByRole('button', { name: 'Run customers now' }).click();
    await page.getByRole('link', { name: 'Open the customers run' }).click();
    await page.getByRole('heading', { name: 'customers run', level: 1 }).waitFor();
    runId = new URL(page.url()).pathname.split('/').pop()!;
    expect(runId).toMatch(/^[a-z]+_/);
    const progress = page.getByRole('status', { name: 'Run of customers' });
    await progress.getByText('100 %').waitFor({ timeout: 90_000 });
    const fetched = Number((await progress.locator('dt:text-is("Fetched") + dd').textContent())!.replace(/\D/g, ''));
    expect(fetched).toBeGreaterThan(0);
    expect(await progress.textContent()).toMatch(/Rate[\d,.]+\/s/);
    await page.getByRole('list', { name: 'Run log' }).getByText('succeeded').waitFor();
    // The hub agrees with what the page shows.
    const run = await api(`/api/v1/sync-runs/${runId}`);
    expect(run.body).toMatchObject({ status: 'succeeded', connectionId: CONNECTION, model: 'customers' });
    expect(run.body.added + run.body.updated + run.body.unchanged + run.body.deleted).toBe(fetched);
    expect(run.body.added).toBeGreaterThan(0);
    await expectAccessible(page);
    await screenshot(page, 'sync-run-1440-light');
  }, SLOW);

  it('finds the run in the Syncs list, and keeps its filters in the URL', async () => {
    const page = await open(await newContext());
    await page.goto(`${hub.url}/syncs`);
    const table = page.getByRole('table', { name: 'Sync runs' });
    await table.getByRole('link', { name: 'customers' }).first().waitFor();
    expect(await table.getByText(runId).count()).toBe(1);
    await expectAccessible(page);
    await screenshot(page, 'syncs-1440-light');
    await page.getByLabel('Status').selectOption('failed');
    await page.getByText('No run matches these filters').waitFor();
    expect(new URL(page.url()).search).toBe('?status=failed');
    await page.getByLabel('Status').selectOption('succeeded');
    await table.getByText(runId).waitFor();
    await page.getByLabel('Connection').fill(CONNECTION);
    await page.getByLabel('Connection').press('Enter');
    await expect.poll(() => new URL(page.url()).searchParams.get('connectionId')).toBe(CONNECTION);
    await table.getByText(runId).waitFor();
  }, SLOW);

  it('browses the records of the run and compares a record’s versions side by side', async () => {
    const page = await open(await newContext());
    await page.goto(`${hub.url}/syncs/runs/${runId}`);
    await page.getByRole('link', { name: `Browse the customers records of ${CONNECTION}` }).click();
    const table = page.getByRole('table', { name: 'Records' });
    const first = table.getByRole('link').first();
    await first.waitFor();
    recordId = (await first.textContent())!;
    expect(new URL(page.url()).searchParams.get('model')).toBe('customers');
    await expectAccessible(page);
    await screenshot(page, 'records-1440-light');

    // A change made in Patchbay is a new version of the record (and is written back to Stripe).
    const changed = await api(`/api/v1/records/${CONNECTION}/customers/${recordId}`, { method: 'PUT', body: { data: { name: 'Renamed in Patchbay' } } });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body.version).toBe(2);

    await page.getByLabel('Filter this page').fill(recordId);
    await page.getByLabel('Filter this page').press('Enter');
    await expect.poll(() => table.getByRole('link').count()).toBe(1);
    await table.getByRole('link', { name: recordId }).click();
    await page.getByRole('heading', { name: `customers ${recordId}`, level: 1 }).waitFor();
    const versions = page.getByRole('table', { name: `Versions of ${recordId}, newest first` });
    await versions.getByRole('columnheader', { name: 'v2 (current)' }).waitFor();
    await versions.getByRole('columnheader', { name: 'v1' }).waitFor();
    const nameRow = versions.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'name', exact: true }) });
    expect(await nameRow.textContent()).toContain('Renamed in Patchbay');
    expect(await nameRow.textContent()).toContain('(changed in this version)');
    await expectAccessible(page);
    await screenshot(page, 'record-versions-1440-light');
  }, SLOW);

  it('rolls the run back, which is a run of its own', async () => {
    const page = await open(await newContext());
    await page.goto(`${hub.url}/syncs/runs/${runId}`);
    await page.getByRole('button', { name: 'Roll back' }).click();
    const dialog = page.getByRole('dialog', { name: 'Roll back this customers run?' });
    await dialog.getByRole('button', { name: 'Roll back the run' }).click();
    await page.getByRole('status').getByText('Run rolled back').waitFor();
    await page.getByText('Its changes were undone by run').waitFor();
    expect(await page.getByRole('button', { name: 'Roll back' }).count()).toBe(0);
    const reverted = await api(`/api/v1/sync-runs/${runId}`);
    expect(reverted.body.rolledBackBy).toMatch(/^[a-z]+_/);
    await expectAccessible(page);
    await screenshot(page, 'sync-run-rolled-back');
  }, SLOW);

  it('maps the Stripe customers model, renames a field and sees the live preview follow', async () => {
    const page = await open(await newContext());
    await page.goto(`${hub.url}/syncs`);
    await page.getByRole('link', { name: 'Mappings' }).click();
    await page.getByText('No mappings yet').waitFor();
    await expectAccessible(page);
    await screenshot(page, 'mappings-empty');
    await page.getByRole('button', { name: 'New mapping' }).click();
    const dialog = page.getByRole('dialog', { name: 'New mapping' });
    await dialog.getByLabel('Connection').selectOption(CONNECTION);
    await dialog.getByLabel('Model').selectOption('customers');
    await dialog.getByRole('button', { name: 'Create mapping' }).click();
    await page.getByRole('heading', { name: 'customers mapping', level: 1 }).waitFor();
    await page.getByRole('status').getByText('Mapping of customers created').waitFor();
    // The preview reads live records from the Stripe simulator through the saved mapping.
    const sample = page.getByRole('article', { name: 'Sample record 1' });
    await sample.getByRole('group', { name: 'Sample 1 as Patchbay stores it' }).getByText('"name"').waitFor();
    await expectAccessible(page);
    await screenshot(page, 'mapping-1440-light');

    const sources = await page.getByRole('textbox', { name: /^Provider field of row/ }).evaluateAll((inputs) => inputs.map((input) => (input as unknown as { value: string }).value));
    const row = sources.indexOf('name') + 1;
    expect(row).toBeGreaterThan(0);
    await page.getByLabel(`Patchbay field of row ${row}`).fill('fullName');
    await page.getByLabel(`Direction of row ${row}`).selectOption('bidirectional');
    await page.getByRole('button', { name: 'Save mapping' }).click();
    await page.getByRole('status').getByText('Mapping saved').waitFor();
    const stored = sample.getByRole('group', { name: 'Sample 1 as Patchbay stores it' });
    await stored.getByText('"fullName"').waitFor();
    expect(await stored.getByText('"name"').count()).toBe(0);
    await sample.getByRole('group', { name: 'Sample 1 as a change is written back' }).getByText('"name"').waitFor();
    const mappings = (await api(`/api/v1/mappings?connectionId=${CONNECTION}`)).body.data;
    expect(mappings).toHaveLength(1);
    expect(mappings[0].fields).toContainEqual({ source: 'name', target: 'fullName', direction: 'bidirectional' });
    mappingId = mappings[0].id;
  }, SLOW);

  it('reads the conflicts queue, empty with what to do next', async () => {
    const page = await open(await newContext());
    await page.goto(`${hub.url}/syncs`);
    await page.getByRole('link', { name: 'Conflicts' }).click();
    await page.getByRole('heading', { name: 'Conflicts', level: 1 }).waitFor();
    await page.getByText('No conflict waits for review').waitFor();
    await expectAccessible(page);
    await screenshot(page, 'conflicts-empty');
  }, SLOW);

  it('shows the Stripe connector’s Revenue widget on the connection page, with what the metrics sync collected', async () => {
    const metrics = await api(`/api/v1/connections/${CONNECTION}/syncs/$metrics`, { method: 'PUT', body: { enabled: false } });
    expect(metrics.status).toBe(200);
    const triggered = await api(`/api/v1/syncs/${String(metrics.body.id)}/trigger`, { method: 'POST', body: {} });
    let status = '';
    await expect.poll(async () => (status = (await api(`/api/v1/sync-runs/${String(triggered.body.run.id)}`)).body.status), { timeout: 90_000 }).toMatch(/succeeded|failed/);
    expect(status).toBe('succeeded');
    const from = new Date(Date.now() - 30 * 86_400_000);
    from.setUTCHours(0, 0, 0, 0);
    const series = await api(`/api/v1/connections/${CONNECTION}/metrics?metricId=revenue&rollup=day&from=${from.toISOString()}`);
    const total = (series.body.data as { value: number }[]).reduce((sum, p) => sum + p.value, 0);

    const page = await open(await newContext());
    await page.goto(`${hub.url}/connections/${CONNECTION}`);
    const widget = page.getByRole('article', { name: 'Revenue widget' });
    await widget.getByText('card · dashboard').waitFor();
    await widget.getByText('connected').waitFor();
    if (series.body.data.length > 0) {
      const shown = await widget.locator('dt:text-is("Last 30 days") + dd').textContent();
      expect(Number(shown!.replace(/[^\d.]/g, ''))).toBeCloseTo(total, 0);
    } else {
      await widget.getByText('No revenue collected in the last 30 days').waitFor();
    }
    await expectAccessible(page);
    await screenshot(page, 'connection-widgets');
    await page.getByRole('link', { name: /the last metrics run/ }).click();
    await page.getByRole('heading', { name: 'metrics run', level: 1 }).waitFor();
    await page.goBack();
    await page.getByRole('link', { name: 'Every run of this connection' }).click();
    await page.getByRole('heading', { name: 'Syncs', level: 1 }).waitFor();
    expect(new URL(page.url()).searchParams.get('connectionId')).toBe(CONNECTION);
    await page.getByRole('table', { name: 'Sync runs' }).getByRole('link', { name: 'metrics' }).waitFor();
  }, SLOW);

  it('lays out every syncs screen at 1,440 and 360 px, light and dark, with no accessibility violation', async () => {
    const screens: [string, string][] = [
      ['syncs', '/syncs'],
      ['sync-run', `/syncs/runs/${runId}`],
      ['records', `/records?connectionId=${CONNECTION}&model=customers`],
      ['record', `/records/${CONNECTION}/customers/${recordId}`],
      ['conflicts', '/conflicts'],
      ['mappings', '/syncs/mappings'],
      ['mapping', `/syncs/mappings/${mappingId}`],
      ['connection-widgets', `/connections/${CONNECTION}`],
    ];
    // One sign-in for every size and scheme: the hub allows 10 sign-ins a minute.
    const page = await open(await newContext());
    for (const [width, dark] of [
      [1440, true],
      [360, false],
      [360, true],
    ] as const) {
      await page.setViewportSize({ width, height: 900 });
      await page.emulateMedia({ colorScheme: dark ? 'dark' : 'light' });
      for (const [name, path] of screens) {
        await page.goto(`${hub.url}${path}`);
        await page.getByRole('heading', { level: 1 }).waitFor();
        await expectAccessible(page);
        await screenshot(page, `${name}-${width}-${dark ? 'dark' : 'light'}`);
        // Nothing pushes the page sideways: wide tables scroll inside their own box.
        expect(await page.evaluate<number>('document.documentElement.scrollWidth'), `${name} at ${width} px`).toBeLessThanOrEqual(width);
      }
    }
  }, 420_000);
});
