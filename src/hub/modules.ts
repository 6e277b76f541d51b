import { loadRegistry } from '../connectors/index.ts';
import { installConnectionJobs } from '../connections/index.ts';
import { closeProviderAgent } from '../proxy/index.ts';
import type { HubModule } from './context.ts';
import { inboundModule } from './inbound.ts';

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

/** The domain modules every hub installs, in order. */
export const productModules: HubModule[] = [connectionsModule, inboundModule];
