/**
 * Syncs under test: a real database, the real proxy, and a connection resolver backed by
 * simulators (the connections module's stand-in). Runs execute directly, one attempt per call,
 * the way the queue would run them.
 */
import { eq } from 'drizzle-orm';
import { ManualClock, silentLogger, systemClock, type Clock } from '../../src/core/index.ts';
import { getConnector, loadRegistry } from '../../src/connectors/index.ts';
import { createProviderProxy, type ProviderProxy } from '../../src/proxy/index.ts';
import {
  configureSync,
  createSyncEngine,
  executeRun,
  syncRuns,
  syncs,
  triggerSync,
  type ConnectionResolver,
  type ConnectionStatus,
  type ResolvedConnection,
  type RunnerDeps,
  type Scope,
  type Sync,
  type SyncRun,
  type SyncSettings,
} from '../../src/syncs/index.ts';
import type { SimulatorHandle } from '../../simulators/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

export const SCOPE: Scope = { organizationId: 'org_test', environmentId: 'env_test' };

export interface FixtureResolver extends ConnectionResolver {
  add(connectionId: string, connector: string, sim: SimulatorHandle, extra?: Partial<ResolvedConnection>): void;
  statuses: { connectionId: string; status: ConnectionStatus }[];
}

export function fixtureResolver(): FixtureResolver {
  const connections = new Map<string, ResolvedConnection>();
  const statuses: { connectionId: string; status: ConnectionStatus }[] = [];
  return {
    statuses,
    add(connectionId, connector, sim, extra = {}) {
      connections.set(connectionId, {
        id: connectionId,
        ...SCOPE,
        integrationId: `int_${connector}`,
        connector: getConnector(connector)!,
        baseUrl: sim.baseUrl,
        credentials: sim.sample.credentials,
        metadata: sim.sample.metadata,
        connectionConfig: sim.sample.connectionConfig,
        integrationConfig: sim.sample.integrationConfig,
        allowPrivateNetworks: true,
        ...extra,
      });
    },
    async resolve(scope, connectionId) {
      const found = connections.get(connectionId);
      return found && found.environmentId === scope.environmentId ? found : undefined;
    },
    async connectorOfIntegration(_scope, integrationId) {
      return getConnector(integrationId.replace(/^int_/, ''));
    },
    async setStatus(_scope, connectionId, status) {
      statuses.push({ connectionId, status });
    },
  };
}

export interface SyncHarness {
  database: TestDatabase;
  resolver: FixtureResolver;
  proxy: ProviderProxy;
  deps: RunnerDeps;
  clock: Clock;
  configure(connectionId: string, model: string, settings?: SyncSettings): Promise<Sync>;
  trigger(sync: Sync, options?: { full?: boolean; trigger?: 'manual' | 'webhook' | 'schedule' }): Promise<SyncRun>;
  /** Runs attempts until the run ends (as the queue would), or until `attempts` ran. */
  run(runId: string, options?: { signal?: AbortSignal; attempts?: number }): Promise<SyncRun>;
  getRun(runId: string): Promise<SyncRun>;
  close(): Promise<void>;
}

export async function createSyncHarness(options: { batchSize?: number; clock?: Clock; cancelCheckMs?: number } = {}): Promise<SyncHarness> {
  await loadRegistry();
  const database = await createTestDatabase();
  const resolver = fixtureResolver();
  // Retries wait 1 ms instead of seconds; the policy itself is tested in test/proxy.
  const proxy = createProviderProxy({ sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 5))) });
  const clock = options.clock ?? systemClock;
  const { deps } = createSyncEngine({ db: database.db, clock, logger: silentLogger, proxy, resolver, batchSize: options.batchSize ?? 1_000, cancelCheckMs: options.cancelCheckMs ?? 50 });
  const getRun = async (runId: string) => (await database.db.select().from(syncRuns).where(eq(syncRuns.id, runId)))[0]!;
  return {
    database,
    resolver,
    proxy,
    deps,
    clock,
    async configure(connectionId, model, settings = {}) {
      // As the API does: the connector's defaults for the model, then the settings given.
      const connection = await resolver.resolve(SCOPE, connectionId);
      const definition = connection?.connector.syncs.find((s) => s.model === model);
      const defaults = { dataStrategy: definition?.dataStrategy };
      return database.db.transaction((tx) => configureSync(tx, SCOPE, { connectionId, model, defaults, ...settings }, clock));
    },
    async trigger(sync, opts = {}) {
      const [fresh] = await database.db.select().from(syncs).where(eq(syncs.id, sync.id));
      return database.db.transaction(async (tx) => (await triggerSync(tx, fresh!, opts.trigger ?? 'manual', { clock, full: opts.full })).run);
    },
    async run(runId, opts = {}) {
      const attempts = opts.attempts ?? 5;
      for (let attempt = 1; attempt <= attempts; attempt++) {
        try {
          await executeRun(deps, runId, { attempt, maxAttempts: 5, signal: opts.signal ?? new AbortController().signal, logger: silentLogger });
        } catch {
          // The queue would retry: so do we, unless the attempts run out.
        }
        const run = await getRun(runId);
        if (run.status !== 'running' && run.status !== 'queued') return run;
      }
      return getRun(runId);
    },
    getRun,
    async close() {
      await proxy.close();
      await database.drop();
    },
  };
}

export { ManualClock };
