/**
 * deploy/: the Grafana dashboard and the Prometheus alert rules are valid JSON and YAML of the
 * shape their tools load, and every metric they name is a family that `/metrics` of a running hub
 * lists after a scripted run (an integration, a connection, a proxied call, an event delivered, an
 * inbound event). The dashboard also covers every Patchbay family the hub exposes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startSimulator, type SimulatorHandle } from '../../simulators/index.ts';
import { ROOT } from '../support/process.ts';
import { startOpsHub, startReceiver, waitFor, type OpsHub, type Receiver } from './support.ts';

const DASHBOARD = path.join(ROOT, 'deploy/grafana/patchbay-dashboard.json');
const RULES = path.join(ROOT, 'deploy/prometheus/patchbay-alerts.yml');
/** Series Prometheus itself adds to every scrape. */
const PROMETHEUS_BUILTINS = new Set(['up']);

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource?: { type: string; uid: string };
  targets?: { refId: string; expr: string; legendFormat?: string }[];
}
interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

let h: OpsHub;
let stripe: SimulatorHandle;
let receiver: Receiver;
let exposition = '';

/** The metric families `/metrics` declares, with their types. */
const families = () => new Map([...exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));

/** The family a name in a query belongs to: a histogram's _bucket/_sum/_count are its series. */
function familyOf(name: string, known: Map<string, string>): string | undefined {
  if (known.has(name)) return name;
  const base = name.replace(/_(bucket|sum|count)$/, '');
  return base !== name && known.get(base) === 'histogram' ? base : undefined;
}

const metricNames = (expr: string) => [...new Set([...expr.matchAll(/\b([a-z_:][a-z0-9_:]*)\s*(?=[{[)\s]|$)/g)].map((m) => m[1]!))].filter((n) => n.startsWith('patchbay_') || PROMETHEUS_BUILTINS.has(n));

/** Brackets, braces and parentheses open and close in order (outside quoted strings). */
function balanced(expr: string): boolean {
  const stack: string[] = [];
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  let quoted = false;
  for (const ch of expr) {
    if (ch === '"') quoted = !quoted;
    if (quoted) continue;
    if ('([{'.includes(ch)) stack.push(ch);
    else if (ch in pairs && stack.pop() !== pairs[ch]) return false;
  }
  return stack.length === 0 && !quoted;
}

const dashboard = () => JSON.parse(fs.readFileSync(DASHBOARD, 'utf8')) as { uid: string; title: string; schemaVersion: number; panels: Panel[]; templating: { list: { name: string; type: string }[] } };
const queryPanels = () => dashboard().panels.filter((p) => p.type !== 'row');
const rules = () => (parse(fs.readFileSync(RULES, 'utf8')) as { groups: { name: string; rules: Rule[] }[] }).groups.flatMap((g) => g.rules);

beforeAll(async () => {
  stripe = await startSimulator('stripe');
  receiver = await startReceiver(() => ({ status: 200 }));
  h = await startOpsHub();
  expect((await h.api('POST', '/api/v1/integrations', { connectorKey: 'stripe', baseUrl: stripe.baseUrl })).status).toBe(201);
  const connection = await h.api('POST', '/api/v1/connections', { integration: 'stripe', endCustomerId: 'c', credentials: { apiKey: 'sk_test_patchbaysimulator0000000001' } });
  expect(connection.status).toBe(201);
  expect((await h.api('GET', `/api/v1/proxy/${connection.body.id}/v1/account`)).status).toBe(200);
  expect((await h.api('POST', '/api/v1/event-types', { name: 'order.created' })).status).toBe(201);
  expect((await h.api('POST', '/api/v1/endpoints', { url: `${receiver.url}/hooks` })).status).toBe(201);
  expect((await h.api('POST', '/api/v1/events', { type: 'order.created', data: { id: 1 } })).status).toBe(201);
  const source = await h.api('POST', '/api/v1/sources', { name: 'generic', verification: { type: 'none' } });
  expect(source.status).toBe(201);
  const inbound = await fetch(`${h.url}/webhooks/in/${source.body.id}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id":"evt_1"}' });
  expect(inbound.status).toBeLessThan(300);
  await waitFor(() => receiver.requests.length > 0, 20_000, 'the delivery');
  await waitFor(async () => {
    exposition = await (await fetch(`${h.url}/metrics`)).text();
    return /^patchbay_outbound_attempt_duration_seconds_count\{[^}]*\} [1-9]/m.test(exposition);
  }, 20_000, 'the attempt in /metrics');
}, 90_000);

afterAll(async () => {
  await h?.close();
  await receiver?.close();
  await stripe?.close();
});

describe('the Grafana dashboard', () => {
  it('is a dashboard Grafana imports: a uid, a Prometheus data source variable, panels with unique ids on the grid', () => {
    const d = dashboard();
    expect(d).toMatchObject({ uid: 'patchbay-overview', title: 'Patchbay', schemaVersion: expect.any(Number) });
    expect(d.templating.list).toContainEqual(expect.objectContaining({ name: 'datasource', type: 'datasource' }));
    expect(new Set(d.panels.map((p) => p.id)).size).toBe(d.panels.length);
    for (const p of d.panels) {
      expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
      expect(p.title.length, `panel ${p.id}`).toBeGreaterThan(0);
    }
    for (const p of queryPanels()) {
      expect(p.datasource, p.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      for (const t of p.targets!) expect(balanced(t.expr), `${p.title}: ${t.expr}`).toBe(true);
    }
  });

  it('names only metric families that /metrics of a running hub lists', () => {
    const known = families();
    for (const p of queryPanels()) {
      for (const t of p.targets!) {
        for (const name of metricNames(t.expr)) expect(familyOf(name, known), `${p.title}: ${name} is not in /metrics`).toBeDefined();
      }
    }
  });

  it('has a panel for every Patchbay family the hub exposes (process internals aside)', () => {
    const used = new Set(queryPanels().flatMap((p) => p.targets!.flatMap((t) => metricNames(t.expr))).map((n) => familyOf(n, families())));
    const exposed = [...families().keys()].filter((f) => f.startsWith('patchbay_') && !/^patchbay_(nodejs|process)_/.test(f));
    expect(exposed.length).toBeGreaterThan(20);
    for (const family of exposed) expect(used.has(family), `no panel shows ${family}`).toBe(true);
  });
});

describe('the Prometheus alert rules', () => {
  it('are rule groups Prometheus loads: each alert named once, with an expression, a duration, a severity and a summary', () => {
    const all = rules();
    expect(all.length).toBeGreaterThan(10);
    expect(new Set(all.map((r) => r.alert)).size).toBe(all.length);
    for (const r of all) {
      expect(r.alert, r.alert).toMatch(/^Patchbay[A-Z][A-Za-z]+$/);
      expect(balanced(r.expr), `${r.alert}: ${r.expr}`).toBe(true);
      expect(r.for ?? '0s', r.alert).toMatch(/^\d+[smh]$/);
      expect(['info', 'warning', 'critical'], r.alert).toContain(r.labels.severity);
      expect(r.annotations.summary, r.alert).toBeTruthy();
      expect(r.annotations.description, r.alert).toBeTruthy();
    }
  });

  it('names only metric families that /metrics of a running hub lists', () => {
    const known = families();
    for (const r of rules()) {
      const names = metricNames(r.expr);
      expect(names.length, r.alert).toBeGreaterThan(0);
      for (const name of names) if (!PROMETHEUS_BUILTINS.has(name)) expect(familyOf(name, known), `${r.alert}: ${name} is not in /metrics`).toBeDefined();
    }
  });

  it('alert on quota usage above 80 % and on breached health thresholds (p95, error rate, availability)', () => {
    const byName = new Map(rules().map((r) => [r.alert, r]));
    expect(byName.get('PatchbayQuotaUsageHigh')?.expr).toMatch(/patchbay_provider_quota_used_ratio\) > 0\.8$/);
    expect(byName.get('PatchbayHealthCheckSlow')?.expr).toMatch(/patchbay_health_check_duration_seconds_bucket.*> 0\.5$/);
    expect(byName.get('PatchbayHealthCheckErrorRate')?.expr).toMatch(/patchbay_health_checks_total.*> 0\.01$/);
    expect(byName.get('PatchbayHealthAvailabilityLow')?.expr).toMatch(/patchbay_health_checks_total.*< 0\.999$/);
  });
});
