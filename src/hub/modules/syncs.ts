/** Syncs, records, mappings, conflicts, metrics and the provider proxy, over the connections. */
import { syncsApi } from '../../api/index.ts';
import { createSyncEngine, type SyncEngine, type SyncServices } from '../../syncs/index.ts';
import { connectionResolver } from '../connection-resolver.ts';
import type { HubModule } from '../context.ts';

export function syncsModule(): HubModule {
  let engine: SyncEngine | undefined;
  const services = (): SyncServices => {
    if (!engine) throw new Error('the syncs module is not installed');
    return engine.services;
  };
  return {
    name: 'syncs',
    routes: syncsApi(services).map((plugin) => ({ plugin })),
    install(context) {
      const { database, logger, clock, vault, proxy } = context;
      const resolver = connectionResolver({ db: database.db, vault, clock, logger });
      engine = createSyncEngine({ db: database.db, logger, clock, proxy, resolver, retentionDays: context.config.retentionDays });
      engine.install(context.queue);
    },
  };
}
