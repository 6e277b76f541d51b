/**
 * What the syncs module and the proxy need to know about a connection, and the one thing they
 * tell back (its status). The connections module implements it; tests implement it over
 * simulators. Keeping it this small keeps syncs independent of how connections are stored.
 */
import type { Connector } from '../connectors/index.ts';

/** The organization and environment an action happens in; every query is scoped by both. */
export interface Scope {
  organizationId: string;
  environmentId: string;
}

export interface ResolvedConnection {
  id: string;
  organizationId: string;
  environmentId: string;
  integrationId: string;
  connector: Connector;
  /** Provider environment (`production`, `sandbox`…). */
  providerEnvironment?: string | undefined;
  /** The integration's base URL override; the manifest's is used when absent. */
  baseUrl?: string | undefined;
  /** Fresh secret values (refreshed first when they were about to expire). */
  credentials: Readonly<Record<string, string>>;
  metadata?: Readonly<Record<string, unknown>> | undefined;
  integrationConfig?: Readonly<Record<string, string>> | undefined;
  connectionConfig?: Readonly<Record<string, string>> | undefined;
  /** The environment's SSRF setting. */
  allowPrivateNetworks: boolean;
  /** The integration's settings for provider requests. */
  retryAttempts?: number | undefined;
  rateLimit?: string | undefined;
  timeoutMs?: number | undefined;
}

export type ConnectionStatus = 'connected' | 'syncing' | 'error';

export interface ConnectionResolver {
  /** The connection in this scope, with a usable credential; undefined when there is none. */
  resolve(scope: Scope, connectionId: string): Promise<ResolvedConnection | undefined>;
  /** The connector of an integration in this scope (to check a mapping against its models). */
  connectorOfIntegration?(scope: Scope, integrationId: string): Promise<Connector | undefined>;
  setStatus(scope: Scope, connectionId: string, status: ConnectionStatus, reason?: string): Promise<void>;
  /** A run ended: when, and its error (null when it succeeded). */
  recordOutcome?(scope: Scope, connectionId: string, outcome: { at: Date; error: string | null }): Promise<void>;
}

/** A resolver that knows no connection (until the connections module provides one). */
export const noConnections: ConnectionResolver = {
  resolve: async () => undefined,
  setStatus: async () => undefined,
};

/**
 * A resolver that keeps each connection for `ttlMs` (and shares one lookup between concurrent
 * requests): resolving opens the credential and reads several rows, too much for every proxied
 * request. A change to a connection (a new credential, a deletion) reaches proxied requests
 * within `ttlMs`; keep it well under the credential renewal margin (30 s).
 */
export function cachingResolver(inner: ConnectionResolver, options: { ttlMs: number; now?: () => number; maxEntries?: number }): ConnectionResolver {
  const now = options.now ?? Date.now;
  const max = options.maxEntries ?? 10_000;
  const cache = new Map<string, { at: number; value: Promise<ResolvedConnection | undefined> }>();
  return {
    ...inner,
    resolve(scope, connectionId) {
      const key = `${scope.organizationId}/${scope.environmentId}/${connectionId}`;
      const hit = cache.get(key);
      if (hit && now() - hit.at < options.ttlMs) return hit.value;
      const value = inner.resolve(scope, connectionId);
      cache.delete(key);
      cache.set(key, { at: now(), value });
      // Failures are not kept; the oldest entries go first when the map is full.
      value.catch(() => cache.get(key)?.value === value && cache.delete(key));
      if (cache.size > max) cache.delete(cache.keys().next().value!);
      return value;
    },
  };
}
