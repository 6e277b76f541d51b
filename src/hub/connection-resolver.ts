/**
 * The connections module seen from the syncs module: a connection with a usable credential
 * (renewed first when due), its integration's settings and its environment's SSRF rule; status
 * changes under the connections module's rules (an auth error is not cleared by a sync).
 */
import { ProblemError, type Clock, type Logger } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import type { Vault } from '../credentials/index.ts';
import { getConnectionContext, recordSyncOutcome, setConnectionStatus } from '../connections/index.ts';
import { connectorOf, getIntegration } from '../integrations/index.ts';
import type { ConnectionResolver } from '../syncs/index.ts';

export function connectionResolver(deps: { db: Db; vault: Vault; clock: Clock; logger: Logger }): ConnectionResolver {
  const { db, vault, clock, logger } = deps;
  return {
    async resolve(scope, connectionId) {
      let ctx;
      try {
        ctx = await getConnectionContext(db, vault, scope, connectionId, { clock, logger });
      } catch (err) {
        if (err instanceof ProblemError && err.status === 404) return undefined;
        throw err;
      }
      const { connection, integration, settings, options } = ctx;
      return {
        id: connection.id,
        organizationId: scope.organizationId,
        environmentId: scope.environmentId,
        integrationId: integration.id,
        connector: ctx.connector,
        providerEnvironment: options.environment,
        baseUrl: options.baseUrl,
        credentials: options.credentials,
        metadata: options.metadata,
        integrationConfig: options.integrationConfig as Record<string, string>,
        connectionConfig: options.connectionConfig as Record<string, string>,
        allowPrivateNetworks: ctx.environment.allowPrivateNetworks,
        retryAttempts: settings.retryAttempts,
        rateLimit: settings.rateLimit ?? undefined,
        timeoutMs: settings.timeoutMs,
      };
    },
    async connectorOfIntegration(scope, integrationId) {
      const integration = await getIntegration(db, scope, integrationId);
      return integration ? connectorOf(integration) : undefined;
    },
    async setStatus(scope, connectionId, status, reason) {
      await setConnectionStatus(db, scope, connectionId, status === 'error' ? { status, reason: 'invalid_credentials', message: reason ?? null } : { status }, { clock });
    },
    async recordOutcome(scope, connectionId, outcome) {
      await recordSyncOutcome(db, scope, connectionId, outcome);
    },
  };
}
