/**
 * The conformance suite: every connector of the registry, against its simulator, through a real
 * hub. Each test's title starts with the check's name (`connect: …`); `npm run conformance`
 * prints the connector × check table from them. A check that does not apply (records of a
 * connector without syncs) is skipped; a capability declared but not implemented, or implemented
 * but not declared, fails.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncRuns } from '../../src/syncs/index.ts';
import {
  createConnectorContext,
  implementedCapabilities,
  listConnectors,
  loadRegistry,
  overrideVerificationOrigin,
  runAction,
  runConnectionTest,
  validateManifest,
  type Connector,
  type ConnectorContextOptions,
} from '../../src/connectors/index.ts';
import { SIMULATORS, signerOf, simulatorProfile, startSimulator, type SimulatorHandle } from '../../simulators/index.ts';
import { eventually, startConformanceHub, type ConformanceHub } from './conformance/hub.ts';
import { connect, connectionConfigOf, deliver, tamperBody, wrongCredentials } from './conformance/steps.ts';

await loadRegistry();
const connectors = listConnectors();

let h: ConformanceHub;
beforeAll(async () => {
  h = await startConformanceHub();
}, 120_000);
afterAll(async () => {
  await h?.close();
});

interface SyncRunView {
  id: string;
  status: string;
  full: boolean;
  pages: number;
  providerCalls: number;
  added: number;
  updated: number;
  errors: unknown[];
}

describe.each(connectors.map((c) => [c.key, c] as const))('%s', (key, connector: Connector) => {
  const declared = new Set<string>(connector.manifest.capabilities);
  const profile = simulatorProfile(key);
  const hasProviderApi = declared.has('proxy');
  let sim: SimulatorHandle;
  let connectionId: string;

  const contextOptions = (over: Partial<ConnectorContextOptions> = {}): ConnectorContextOptions => ({
    // As when connecting: a base URL only for a provider API (not an SMTP server or a database).
    ...(Object.keys(connector.manifest.baseUrls).length > 0 ? { baseUrl: sim.baseUrl } : {}),
    credentials: sim.sample.credentials,
    connectionConfig: connectionConfigOf(sim),
    integrationConfig: sim.sample.integrationConfig,
    metadata: sim.sample.metadata,
    timeoutMs: 2_000,
    ...over,
  });

  beforeAll(async () => {
    if (!SIMULATORS[key]) return;
    const counts = Object.fromEntries(Object.values(profile?.records ?? {}).map((r) => [r.dataset, r.count]));
    sim = await startSimulator(key, { records: counts });
    // Verifiers that ask their provider (PayPal) ask the simulator.
    overrideVerificationOrigin(key, sim.baseUrl);
  }, 60_000);
  afterAll(async () => {
    overrideVerificationOrigin(key, undefined);
    await sim?.close();
  });

  it('simulator: has one, with a conformance profile covering its capabilities', () => {
    expect(SIMULATORS[key], `no simulator for ${key} in simulators/index.ts`).toBeDefined();
    expect(profile, `no conformance profile for ${key}`).toBeDefined();
    if (declared.has('proxy')) expect(profile!.proxyPath, 'profile.proxyPath').toBeTruthy();
    if (declared.has('webhooks')) expect(profile!.webhook, 'profile.webhook').toBeDefined();
    if (declared.has('webhooks')) expect(signerOf(key), `how ${key} signs its webhooks (simulators/webhooks/signers.ts or the simulator's definition)`).toBeDefined();
    if (declared.has('identity')) expect(profile!.user, 'profile.user').toBeDefined();
    if (declared.has('records')) expect(Object.keys(profile!.records ?? {}), 'profile.records').not.toHaveLength(0);
    for (const action of Object.keys(connector.actions)) expect(profile!.actions?.[action], `profile.actions.${action}`).toBeDefined();
  });

  it('manifest: is valid and served as it is by the catalog API', async () => {
    const json = JSON.parse(JSON.stringify(connector.manifest)) as Record<string, unknown>;
    const validation = validateManifest(json);
    expect(validation.ok ? [] : validation.problems).toEqual([]);
    const served = await h.api<Record<string, unknown>>('GET', `/connectors/${key}`);
    expect(served.status).toBe(200);
    expect(served.body).toMatchObject({ key, category: json.category, connectionMode: json.connectionMode, capabilities: json.capabilities });
  });

  it('capabilities: the declared ones are exactly the implemented ones', () => {
    expect([...declared].sort()).toEqual(implementedCapabilities(connector).sort());
  });

  it(`connect: makes a connection in its mode (${connector.manifest.connectionMode})`, async () => {
    connectionId = await connect(h, connector, sim);
  });

  it('test: passes with good credentials, through the API', async () => {
    const res = await h.api<{ ok: boolean; error?: unknown }>('POST', `/connections/${connectionId}/test`, {});
    expect(res.status).toBe(200);
    expect(res.body, JSON.stringify(res.body)).toMatchObject({ ok: true });
  });

  it.skipIf(!hasProviderApi)('bad key: fails as invalid_credentials, with the provider’s refusal', async () => {
    const result = await runConnectionTest(connector, contextOptions({ credentials: wrongCredentials(sim) }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('invalid_credentials');
    // 401 almost everywhere; Slack's Web API answers 200 with `ok: false, error: invalid_auth`, Datadog 403.
    expect([401, 403, 200]).toContain(result.error.status);
    expect(result.error.message).toContain(connector.manifest.name);
  });

  it.skipIf(!hasProviderApi)('timeout: fails as a timeout when the provider does not answer', async () => {
    sim.control.injectFault({ kind: 'hang', times: 1 });
    try {
      const result = await runConnectionTest(connector, contextOptions({ timeoutMs: 300 }));
      expect(result.ok ? 'connected' : result.error.code).toBe('timeout');
    } finally {
      sim.control.clearFaults();
    }
  });

  it.skipIf(!hasProviderApi)('5xx: fails as the provider being unavailable on a 503', async () => {
    sim.control.forceStatus(503, { times: 1 });
    try {
      const result = await runConnectionTest(connector, contextOptions());
      expect(result.ok ? { code: 'connected' } : result.error).toMatchObject({ code: expect.stringMatching(/^provider_(unavailable|error)$/), status: 503 });
    } finally {
      sim.control.clearForcedStatus();
    }
  });

  it.skipIf(!hasProviderApi)('rate limit: a 429 with Retry-After is classified, with the wait', async () => {
    const windowMs = connector.rateLimit?.windowMs ?? sim.rateLimit?.windowMs ?? 60_000;
    sim.control.setRateLimit(0, windowMs);
    try {
      const result = await runConnectionTest(connector, contextOptions());
      expect(result.ok ? { code: 'connected' } : result.error).toMatchObject({ code: 'rate_limited' });
      // Salesforce says a spent allowance with 403 REQUEST_LIMIT_EXCEEDED and no wait; the others with 429 and Retry-After.
      if (!result.ok && result.error.status === 429) {
        expect(result.error.retryAfterSeconds).toBeGreaterThanOrEqual(1);
        expect(result.error.retryAfterSeconds).toBeLessThanOrEqual(Math.max(1, Math.ceil(windowMs / 1000)));
      }
    } finally {
      sim.control.setRateLimit(null);
    }
  });

  it.skipIf(!hasProviderApi)('proxy: one call through the hub’s proxy reaches the provider with the credential', async () => {
    const res = await h.api('GET', `/proxy/${connectionId}${profile!.proxyPath!.startsWith('/') ? '' : '/'}${profile!.proxyPath}`);
    expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(200);
  });

  it.skipIf(!declared.has('records'))('records: a sync reads three pages or more, then a second run takes what is new', async () => {
    const [model, { dataset, count }] = Object.entries(profile!.records!)[0]!;
    const sync = await h.api<{ id: string; dataStrategy: string }>('PUT', `/connections/${connectionId}/syncs/${model}`, {});
    expect(sync.status, JSON.stringify(sync.body)).toBeLessThan(300);
    const run = async (): Promise<SyncRunView> => {
      const started = await h.api<{ run: SyncRunView }>('POST', `/syncs/${sync.body.id}/trigger`, {});
      expect(started.status, JSON.stringify(started.body)).toBe(202);
      // Polled in the database (the API's allowance is for people); read once through the API at the end.
      await eventually(
        async () => {
          const [row] = await h.database.db.select({ status: syncRuns.status }).from(syncRuns).where(eq(syncRuns.id, started.body.run.id));
          return row && ['succeeded', 'failed', 'cancelled'].includes(row.status) ? row : undefined;
        },
        60_000,
        `sync run of ${key} ${model}`,
      );
      return (await h.api<SyncRunView>('GET', `/sync-runs/${started.body.run.id}`)).body;
    };
    const first = await run();
    expect(first.errors).toEqual([]);
    expect(first).toMatchObject({ status: 'succeeded', full: true, added: count });
    // Pages read through ctx.paginate count as pages; a connector paging by hand (Sentry's Link
    // header says `results="false"` on a last page's next link) shows them as provider calls.
    expect(Math.max(first.pages, first.providerCalls)).toBeGreaterThanOrEqual(3);
    // A database-backed simulator (postgres) writes its rows and returns a promise.
    await (sim.data![dataset]!.add(2) as unknown);
    const second = await run();
    expect(second.errors).toEqual([]);
    expect(second).toMatchObject({ status: 'succeeded', full: sync.body.dataStrategy === 'snapshot' });
    expect(second.added).toBe(2);
  }, 90_000);

  it.skipIf(!declared.has('metrics'))('metrics: a pull gives points for each declared metric, each with its unit', async () => {
    for (const metric of connector.metrics) expect(metric.unit, `unit of ${metric.id}`).toBeTruthy();
    const ids = connector.metrics.map((m) => m.id);
    const ctx = createConnectorContext(connector, contextOptions({ timeoutMs: 10_000 }));
    const endDate = new Date();
    const points = await connector.fetchMetrics!(ctx, { metricIds: ids, startDate: new Date(endDate.getTime() - 30 * 86_400_000), endDate });
    expect(new Set(points.map((p) => p.metricId))).toEqual(new Set(ids));
    for (const point of points) {
      expect(Number.isFinite(point.value)).toBe(true);
      expect(Date.parse(point.time)).not.toBeNaN();
    }
  });

  it.skipIf(!declared.has('webhooks'))('webhooks: a signed event is accepted, a tampered one refused, a replay deduplicated', async () => {
    const { secret, body } = profile!.webhook!;
    const source = await h.api<{ id: string }>('POST', '/sources', { name: `${key} conformance`, connector: key, secret });
    expect(source.status, JSON.stringify(source.body)).toBe(201);
    const accepted = await deliver(h, key, source.body.id, secret, body);
    expect(accepted.status, accepted.body).toBeLessThan(300);
    const wrongSecret = await deliver(h, key, source.body.id, `${secret}-not-it`, body);
    expect(wrongSecret.status).toBe(401);
    if (profile!.webhook!.signsBody !== false) expect((await deliver(h, key, source.body.id, secret, body, tamperBody)).status).toBe(401);
    const replay = await deliver(h, key, source.body.id, secret, body);
    expect(replay.status, replay.body).toBeLessThan(300);
    const statuses = await eventually(async () => {
      const events = await h.api<{ data: { status: string }[] }>('GET', `/inbound-events?sourceId=${source.body.id}`);
      const list = events.body.data.map((e) => e.status);
      return list.includes('duplicate') && list.includes('rejected') ? list : undefined;
    }, 10_000, 'inbound events recorded');
    expect(statuses.filter((s) => s === 'duplicate')).toHaveLength(1);
  });

  it.skipIf(!declared.has('identity'))('identity: looks a user up in the directory, and finds no one for an unknown user', async () => {
    const ctx = createConnectorContext(connector, contextOptions());
    const wanted = profile!.user!;
    const user = await connector.lookupUser!(ctx, wanted);
    expect(user).toBeDefined();
    if (wanted.email) expect(user!.email).toBe(wanted.email);
    if (wanted.id) expect(user!.id).toBe(wanted.id);
    expect(await connector.lookupUser!(ctx, { email: 'nobody-at-all@patchbay-sim.example' })).toBeUndefined();
  });

  it.skipIf(!declared.has('actions'))('actions: each declared action runs against the simulator', async () => {
    const ctx = createConnectorContext(connector, contextOptions({ timeoutMs: 10_000 }));
    for (const name of Object.keys(connector.actions)) {
      const result = await runAction(connector, name, ctx, profile!.actions![name]!);
      expect(result, name).toBeTypeOf('object');
    }
  });
});
