/**
 * One connection's connector context, its provider requests going through the proxy with the
 * connection's credential, the integration's settings, the environment's SSRF rule and the
 * caller's correlation id. Sync runs, write-backs, previews and the public proxy all use it.
 */
import { createConnectorContext, type ConnectorContext } from '../connectors/index.ts';
import type { Logger } from '../core/index.ts';
import { connectionLimitKey, type ProviderProxy } from '../proxy/index.ts';
import type { ResolvedConnection } from './connections.ts';

export interface ProviderContextOptions {
  logger: Logger;
  correlationId?: string | undefined;
  signal?: AbortSignal | undefined;
  onAttempt?: (() => void) | undefined;
}

export function providerContext(proxy: ProviderProxy, connection: ResolvedConnection, options: ProviderContextOptions): ConnectorContext {
  return createConnectorContext(connection.connector, {
    ...(connection.providerEnvironment ? { environment: connection.providerEnvironment } : {}),
    ...(connection.baseUrl ? { baseUrl: connection.baseUrl } : {}),
    integrationConfig: connection.integrationConfig ?? {},
    connectionConfig: connection.connectionConfig ?? {},
    credentials: connection.credentials,
    metadata: connection.metadata ?? {},
    logger: options.logger,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(connection.timeoutMs ? { timeoutMs: connection.timeoutMs } : {}),
    proxy: {
      proxy,
      limitKey: connectionLimitKey(connection.connector.key, connection.environmentId, connection.id),
      allowPrivateNetworks: connection.allowPrivateNetworks,
      retryAttempts: connection.retryAttempts,
      rateLimit: connection.rateLimit,
      correlationId: options.correlationId,
      ...(options.onAttempt ? { onAttempt: options.onAttempt } : {}),
    },
  });
}
