/**
 * Connectors, integrations, connections and OAuth: the catalog is loaded at start (a broken
 * connector stops start-up, naming its file), and the token renewal jobs are installed. Their
 * routes are part of the API itself (src/api/routes).
 */
import { loadRegistry } from '../../connectors/index.ts';
import { installConnectionJobs } from '../../connections/index.ts';
import { closeProviderAgent } from '../../proxy/index.ts';
import type { HubModule } from '../context.ts';

export const connectionsModule: HubModule = {
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
