import type { HubModule } from './context.ts';
import { alertsModule } from './modules/alerts.ts';
import { apiModule } from './modules/api.ts';
import { connectionsModule } from './modules/connections.ts';
import { inboundModule } from './modules/inbound.ts';
import { outboundModule } from './modules/outbound.ts';
import { syncsModule } from './modules/syncs.ts';

/** The domain modules every hub installs, in order. */
// Outbound first: its in-transaction fan-out listener must be in place before anything publishes.
export const productModules: HubModule[] = [outboundModule, connectionsModule, inboundModule, syncsModule(), alertsModule, apiModule];
