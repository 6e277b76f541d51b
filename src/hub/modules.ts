import { syncsApi } from '../api/index.ts';
import { createProviderProxy, type ProviderProxy } from '../proxy/index.ts';
import { createSyncEngine, noConnections, type SyncEngine, type SyncServices } from '../syncs/index.ts';
import type { HubModule } from './context.ts';

/**
 * Syncs, records, mappings, conflicts, metrics and the provider proxy. Connections come from a
 * resolver; until the connections module provides one, there are none to sync.
 */
function syncsModule(): HubModule {
  let engine: SyncEngine | undefined;
  let proxy: ProviderProxy | undefined;
  const services = (): SyncServices => {
    if (!engine) throw new Error('the syncs module is not installed');
    return engine.services;
  };
  return {
    name: 'syncs',
    routes: syncsApi(services).map((plugin) => ({ plugin })),
    install(context) {
      proxy = createProviderProxy({ logger: context.logger, redis: context.redis, registry: context.metrics, clock: context.clock });
      engine = createSyncEngine({ db: context.database.db, logger: context.logger, clock: context.clock, proxy, resolver: noConnections });
      engine.install(context.queue);
    },
    async stop() {
      await proxy?.close();
    },
  };
}

/** The domain modules every hub installs, in order. */
export const productModules: HubModule[] = [syncsModule()];
