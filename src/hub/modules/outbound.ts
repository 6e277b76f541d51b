/**
 * Outbound webhooks as a hub module: `install` registers the fan-out and the dispatch, sweep and
 * prune jobs (every role: an API process publishes, a worker delivers); `routes` serve the
 * outbound API with the service installed for the same database.
 */
import type { Config } from '../../core/index.ts';
import type { Database } from '../../db/index.ts';
import { registerOutbound, type Outbound, type OutboundSettings } from '../../webhooks/outbound/index.ts';
import { outboundRoutes } from '../../api/routes/outbound/index.ts';
import { inboundLoopGuard } from '../../webhooks/inbound/index.ts';
import type { HubModule } from '../context.ts';

const installed = new Map<Database, Outbound>();

/** The outbound service this process installed for a database (a hub's), if any. */
export function outboundFor(database: Database): Outbound | undefined {
  return installed.get(database);
}

/** What operators set through the environment (README's configuration table). */
export function outboundSettings(config: Config): Partial<OutboundSettings> {
  return { retentionDays: config.retentionDays, autoDisableAfterMs: config.endpointDisableAfterDays * 86_400_000 };
}

export const outboundModule: HubModule = {
  name: 'outbound',
  routes: [
    {
      plugin: async (app) => {
        const outbound = installed.get(app.deps.database);
        if (!outbound) throw new Error('the outbound module must be installed before its routes are registered');
        await app.register(outboundRoutes, { outbound });
      },
    },
  ],
  install(context) {
    installed.set(
      context.database,
      registerOutbound({
        queue: context.queue,
        database: context.database,
        vault: context.vault,
        logger: context.logger,
        clock: context.clock,
        registry: context.metrics,
        // Endpoints may not point back at this hub's own inbound sources (a webhook loop).
        settings: { ...outboundSettings(context.config), loopGuard: inboundLoopGuard({ publicUrl: context.config.publicUrl, port: context.config.port }) },
      }),
    );
  },
  async stop() {
    for (const [database, outbound] of installed) {
      await outbound.stop();
      installed.delete(database);
    }
  },
};
