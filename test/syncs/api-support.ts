/**
 * The syncs API under test: the real API (with the syncs routes), a real queue running the sync,
 * export and metrics jobs, the real proxy, and connections resolved from simulators.
 */
import { eq } from 'drizzle-orm';
import { syncsApi } from '../../src/api/index.ts';
import { loadRegistry } from '../../src/connectors/index.ts';
import { silentLogger, systemClock } from '../../src/core/index.ts';
import { createProviderProxy, type ProviderProxy } from '../../src/proxy/index.ts';
import { createQueue, type Queue } from '../../src/queue/index.ts';
import { createSyncEngine, syncRuns, type SyncEngine, type SyncRun } from '../../src/syncs/index.ts';
import type { SimulatorHandle } from '../../simulators/index.ts';
import { bearer, createTestApi, type TestApi } from '../support/api.ts';
import { fixtureResolver, type FixtureResolver } from './support.ts';

export interface SyncApi {
  api: TestApi;
  engine: SyncEngine;
  resolver: FixtureResolver;
  proxy: ProviderProxy;
  queue: Queue;
  /** The dev environment's scope (where the test keys act). */
  scope: { organizationId: string; environmentId: string };
  auth: Record<string, string>;
  connect(connectionId: string, connector: string, sim: SimulatorHandle, extra?: Parameters<FixtureResolver['add']>[3]): void;
  waitForRun(runId: string, timeoutMs?: number): Promise<SyncRun>;
  close(): Promise<void>;
}

export async function createSyncApi(): Promise<SyncApi> {
  await loadRegistry();
  let engine: SyncEngine | undefined;
  const api = await createTestApi({ clock: systemClock, plugins: syncsApi(() => engine!.services).map((plugin) => ({ plugin })) });
  const resolver = fixtureResolver();
  // Retries wait a few ms: the policy itself is tested in test/proxy.
  const proxy = createProviderProxy({ sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 5))) });
  engine = createSyncEngine({ db: api.database.db, logger: silentLogger, clock: api.clock, proxy, resolver, cancelCheckMs: 50 });
  const queue = createQueue({ database: api.database, logger: silentLogger, concurrency: 4, leaseSeconds: 30 });
  engine.install(queue);
  await queue.start();
  const dev = api.seed.environments.find((e) => e.name === 'dev')!;
  const scope = { organizationId: api.seed.organization.id, environmentId: dev.id };
  return {
    api,
    engine,
    resolver,
    proxy,
    queue,
    scope,
    auth: bearer(api.keys.developer),
    connect(connectionId, connector, sim, extra = {}) {
      resolver.add(connectionId, connector, sim, { ...scope, ...extra });
    },
    async waitForRun(runId, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const [run] = await api.database.db.select().from(syncRuns).where(eq(syncRuns.id, runId));
        if (run && run.status !== 'queued' && run.status !== 'running') return run;
        if (Date.now() > deadline) throw new Error(`run ${runId} still ${run?.status} after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    async close() {
      await queue.stop({ graceMs: 1_000 });
      await proxy.close();
      await api.close();
    },
  };
}

/** Polls `check` until it returns something other than undefined. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`nothing after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
