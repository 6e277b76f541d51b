/**
 * Operations as a hub module: health checks, alert evaluation and notification jobs on every
 * worker; the alerts, alert-rules, notification-channels and health routes on the API.
 */
import type { Config } from '../../core/index.ts';
import type { Database } from '../../db/index.ts';
import { createOperations, HEALTH_DEFAULTS, type HealthDefaults, type Operations } from '../../alerts/index.ts';
import { alertRoutes } from '../../api/routes/alerts.ts';
import { alertRuleRoutes } from '../../api/routes/alert-rules.ts';
import { notificationChannelRoutes } from '../../api/routes/notification-channels.ts';
import { connectionHealthRoutes } from '../../api/routes/connection-health.ts';
import type { HubModule } from '../context.ts';

const installed = new Map<Database, Operations>();

/** The operations service this process installed for a database (a hub's), if any. */
export function operationsFor(database: Database): Operations | undefined {
  return installed.get(database);
}

export function healthDefaults(config: Config): HealthDefaults {
  return { ...HEALTH_DEFAULTS, intervalSeconds: config.healthCheckIntervalSeconds, timeoutMs: config.healthCheckTimeoutMs, failureThreshold: config.healthFailureThreshold };
}

export const alertsModule: HubModule = {
  name: 'alerts',
  routes: [
    {
      plugin: async (app) => {
        const ops = installed.get(app.deps.database);
        if (!ops) throw new Error('the alerts module must be installed before its routes are registered');
        await app.register(alertRoutes);
        await app.register(alertRuleRoutes);
        await app.register(notificationChannelRoutes, { ops });
        await app.register(connectionHealthRoutes, { ops });
      },
    },
  ],
  install(context) {
    const ops = createOperations({
      database: context.database,
      vault: context.vault,
      clock: context.clock,
      logger: context.logger,
      publicUrl: context.config.publicUrl,
      retentionDays: context.config.retentionDays,
      health: healthDefaults(context.config),
      redis: context.redis,
      registry: context.metrics,
      proxy: context.proxy,
    });
    ops.install(context.queue);
    installed.set(context.database, ops);
  },
  async stop() {
    for (const [database, ops] of installed) {
      await ops.stop();
      installed.delete(database);
    }
  },
};
