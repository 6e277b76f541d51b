import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { SyncServices } from '../../syncs/index.ts';
import { connectionActionRoutes } from './connection-actions.ts';
import { conflictRoutes } from './conflicts.ts';
import { mappingRoutes } from './mappings.ts';
import { metricRoutes } from './metrics.ts';
import { proxyRoutes } from './proxy.ts';
import { recordRoutes } from './records.ts';
import { syncRoutes } from './syncs.ts';
import { syncRunListRoutes } from './syncs-runs.ts';

/**
 * The routes of the syncs module and the provider proxy (under /api/v1): syncs and runs,
 * records, mappings, conflicts, metrics, connector actions, and `/proxy/{connectionId}/*`. `services` is read per
 * request, so the hub can build the routes before it installs the module.
 */
export function syncsApi(services: () => SyncServices): FastifyPluginAsyncTypebox[] {
  return [syncRoutes(services), syncRunListRoutes, recordRoutes(services), mappingRoutes(services), conflictRoutes, metricRoutes(services), connectionActionRoutes(services), proxyRoutes(services)];
}
