/**
 * The inbound webhooks module as the hub installs it: the ingest route, the sources and
 * inbound-events API, the processing jobs. Events are routed to connections through the
 * connections module, and the `sync` action asks the syncs module for a run.
 */
import type { Database } from '../../db/index.ts';
import { loadRegistry } from '../../connectors/index.ts';
import { findConnectionByAccount } from '../../connections/index.ts';
import { triggerFromWebhook } from '../../syncs/index.ts';
import { createInbound } from '../../webhooks/inbound/index.ts';
import { sourceRoutes } from '../../api/routes/sources.ts';
import { inboundEventRoutes } from '../../api/routes/inbound-events.ts';
import { ingestRoutes } from '../../api/routes/webhooks-in.ts';
import type { InboundRuntime, InboundRuntimeOf } from '../../api/routes/inbound-runtime.ts';
import type { HubModule } from '../context.ts';

// One runtime per hub (tests run several hubs in one process); routes find theirs by database.
const runtimes = new WeakMap<Database, InboundRuntime>();

/** The inbound runtime this process installed for a database (a hub's), if any. */
export const inboundRuntimeFor = (database: Database): InboundRuntime | undefined => runtimes.get(database);

export const inboundRuntimeOf: InboundRuntimeOf = (app) => {
  const runtime = runtimes.get(app.deps.database);
  if (!runtime) throw new Error('the inbound webhooks module is not installed in this hub');
  return runtime;
};

export const inboundModule: HubModule = {
  name: 'inbound',
  routes: [{ plugin: sourceRoutes(inboundRuntimeOf) }, { plugin: inboundEventRoutes }, { plugin: ingestRoutes(inboundRuntimeOf), absolute: true }],
  async install(context) {
    await loadRegistry();
    const inbound = createInbound({
      database: context.database,
      vault: context.vault,
      clock: context.clock,
      logger: context.logger,
      publicUrl: context.config.publicUrl,
      maxJsonDepth: context.config.maxJsonDepth,
      retentionDays: context.config.retentionDays,
      lookupConnection: ({ connectorKey, ...lookup }) => (connectorKey ? findConnectionByAccount(context.database.db, { ...lookup, connectorKey }) : Promise.resolve(undefined)),
      // The "hybrid" strategy: an incremental run of the connection's real-time and hybrid syncs now.
      triggerSync: ({ organizationId, environmentId, connectionId, model }) =>
        context.database.db.transaction(async (tx) => {
          const runs = await triggerFromWebhook(tx, { organizationId, environmentId }, connectionId, context.clock, model ? [model] : undefined);
          return { runIds: runs.map((run) => run.id) };
        }),
    });
    runtimes.set(context.database, { vault: context.vault, ingestor: inbound.ingestor });
    inbound.register(context.queue);
  },
};
