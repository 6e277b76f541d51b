import { syncsApi } from '../api/index.ts';
import { loadRegistry } from '../connectors/index.ts';
import { installConnectionJobs } from '../connections/index.ts';
import { closeProviderAgent, createProviderProxy, type ProviderProxy } from '../proxy/index.ts';
import { createSyncEngine, type SyncEngine, type SyncServices } from '../syncs/index.ts';
import { connectionResolver } from './connection-resolver.ts';
import type { HubModule } from './context.ts';
import { inboundModule } from './inbound.ts';
import { outboundModule } from './modules/outbound.ts';

/**
 * Connectors, integrations, connections and OAuth: the catalog is loaded at start (a broken
 * connector stops start-up, naming its file), and the token renewal jobs are installed. Their
 * routes are part of the API itself (src/api/routes).
 */
const connectionsModule: HubModule = {
  name: 'connections',
  async install(context) {
    await loadRegistry();
    installConnectionJobs({
      db: context.database.db,
      vault: context.vault,
      queue: context.queue,
      clock: context.clock,
      logger: context.logger,
      refreshMarginSeconds: context.config.oauthRefreshMarginSeconds,
    });
  },
  // Provider connections (the guarded agents' sockets) close with the hub.
  stop: closeProviderAgent,
};

/** Syncs, records, mappings, conflicts, metrics and the provider proxy, over the connections. */
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
      const { database, logger, clock, vault } = context;
      proxy = createProviderProxy({ logger, redis: context.redis, registry: context.metrics, clock });
      const resolver = connectionResolver({ db: database.db, vault, clock, logger });
      engine = createSyncEngine({ db: database.db, logger, clock, proxy, resolver });
      engine.install(context.queue);
    },
    async stop() {
      await proxy?.close();
    },
  };
}

/** The domain modules every hub installs, in order. */
// Outbound first: its in-transaction fan-out listener must be in place before anything publishes.
export const productModules: HubModule[] = [outboundModule, connectionsModule, inboundModule, syncsModule()];
