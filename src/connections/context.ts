/**
 * `getConnectionContext`: everything a connector, the proxy or a sync needs to call the provider
 * for one connection — the connector, the base URL, the configuration, and the credential placed
 * where the manifest says, an OAuth token renewed first when it has expired. Requests go through
 * the SSRF-guarded provider agent of the connection's environment.
 */
import type { Dispatcher } from 'undici';
import { and, eq } from 'drizzle-orm';
import { problems, silentLogger, systemClock, type Clock, type Logger } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import { environments, recordAudit, type Actor, type Environment } from '../auth/index.ts';
import type { SecretStoreHost, Vault } from '../credentials/index.ts';
import { EXPIRY_SKEW_MS, expiresWithin, OAuthError, renewable } from '../credentials/oauth/index.ts';
import {
  ConnectorConfigError,
  createConnectorContext,
  resolveBaseUrl,
  resolveConfig,
  resolveCredential,
  TemplateError,
  type Connector,
  type ConnectorContext,
  type ConnectorContextOptions,
} from '../connectors/index.ts';
import type { InjectedCredential } from '../proxy/index.ts';
import { guardedProviderAgent } from '../proxy/index.ts';
import { connectorOf, effectiveSettings, getIntegration, integrationOwner, integrations, integrationSecrets, type Integration, type IntegrationSettings } from '../integrations/index.ts';
import { connections, type Connection } from './schema.ts';
import { connectionOwner, CredentialUnavailableError, environmentOf, openConfigSecrets, openCredentialValues, openTokens } from './credentials.ts';
import { refreshConnectionTokens, refreshFailureMessage } from './refresh.ts';
import type { ConnectionScope } from './status.ts';

export interface ConnectionServiceOptions {
  clock?: Clock;
  logger?: Logger;
  /** Operator limits for managedVault `env:` and `file:` references; both are off without them. */
  secretStoreHost?: SecretStoreHost;
  /** Who acts: changes (and credential reads) are audited with it. */
  actor?: Actor | undefined;
}

export interface ConnectionContext {
  connection: Connection;
  integration: Integration;
  connector: Connector;
  environment: Environment;
  settings: IntegrationSettings;
  /** Integration then connection configuration (secret fields included), checked, with defaults. */
  config: Record<string, string>;
  /** Undefined for connectors with no provider API (webhook-only). */
  baseUrl: string | undefined;
  credential: InjectedCredential;
  /** The guarded agent every request of this connection goes through. */
  dispatcher: Dispatcher;
  /** What `createConnectorContext` and `runConnectionTest` take. */
  options: ConnectorContextOptions;
  /** The connector's context: a provider client with the credential injected. */
  connectorContext(extra?: { logger?: Logger; signal?: AbortSignal }): ConnectorContext;
}

export async function getConnection(db: Db, scope: ConnectionScope, id: string): Promise<Connection | undefined> {
  const [row] = await db
    .select()
    .from(connections)
    .where(and(eq(connections.organizationId, scope.organizationId), eq(connections.environmentId, scope.environmentId), eq(connections.id, id)));
  return row;
}

/** The parts a context is built from; a new connection's come from the request, before it is stored. */
export interface ContextParts {
  connection: Connection;
  integration: Integration;
  environment: Environment;
  integrationConfig: Record<string, string>;
  connectionConfig: Record<string, string>;
  /** Secret values the credential placement is filled from. */
  credentials: Record<string, string>;
  logger?: Logger | undefined;
}

/** @throws ProblemError 422 when the configuration or credential does not fit the manifest */
export function assembleContext(parts: ContextParts): ConnectionContext {
  const { connection, integration, environment } = parts;
  const connector = connectorOf(integration);
  const { manifest } = connector;
  const settings = effectiveSettings(integration, manifest);
  const dispatcher = guardedProviderAgent(environment.allowPrivateNetworks);
  let config: Record<string, string>;
  let baseUrl: string | undefined;
  let credential: InjectedCredential;
  try {
    config = resolveConfig(manifest, parts.integrationConfig, parts.connectionConfig);
    const hasBaseUrl = integration.baseUrl !== null || Object.keys(manifest.baseUrls).length > 0;
    baseUrl = hasBaseUrl
      ? resolveBaseUrl(manifest, {
          environment: integration.providerEnvironment,
          ...(integration.baseUrl ? { override: integration.baseUrl } : {}),
          values: { ...connection.metadata, ...config },
        })
      : undefined;
    credential = resolveCredential(manifest, parts.credentials);
  } catch (err) {
    if (err instanceof ConnectorConfigError) throw problems.unprocessable(`The configuration of connection ${connection.id} does not fit ${manifest.name}.`, [...err.errors]);
    if (err instanceof TemplateError) throw problems.unprocessable(`Connection ${connection.id} cannot reach ${manifest.name}: ${err.message}.`);
    throw err;
  }
  const options: ConnectorContextOptions = {
    environment: integration.providerEnvironment,
    ...(integration.baseUrl ? { baseUrl: integration.baseUrl } : {}),
    integrationConfig: parts.integrationConfig,
    connectionConfig: parts.connectionConfig,
    credentials: parts.credentials,
    metadata: connection.metadata,
    timeoutMs: settings.timeoutMs,
    dispatcher,
    ...(parts.logger ? { logger: parts.logger } : {}),
  };
  return {
    connection,
    integration,
    connector,
    environment,
    settings,
    config,
    baseUrl,
    credential,
    dispatcher,
    options,
    connectorContext: (extra = {}) =>
      createConnectorContext(connector, {
        ...options,
        ...(extra.logger ? { logger: extra.logger } : {}),
        ...(extra.signal ? { signal: extra.signal } : {}),
      }),
  };
}

/**
 * @example
 * const ctx = await getConnectionContext(db, vault, { organizationId, environmentId }, 'conn_…');
 * const res = await ctx.connectorContext().http.request({ path: '/v1/customers' });
 *
 * @throws ProblemError 404 for an unknown connection, 409 (`credential-unavailable`) when the
 *   credential cannot be read or renewed, 422 when the configuration does not fit the manifest
 */
export async function getConnectionContext(
  db: Db,
  vault: Vault,
  scope: ConnectionScope,
  connectionId: string,
  options: ConnectionServiceOptions = {},
): Promise<ConnectionContext> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  // Two reads whatever the credential: the connection with its integration and environment, then
  // every secret of the connection and the integration (opened from memory below).
  const [row] = await db
    .select({ connection: connections, integration: integrations, environment: environments })
    .from(connections)
    .leftJoin(integrations, and(eq(integrations.environmentId, connections.environmentId), eq(integrations.id, connections.integrationId)))
    .leftJoin(environments, eq(environments.id, connections.environmentId))
    .where(and(eq(connections.organizationId, scope.organizationId), eq(connections.environmentId, scope.environmentId), eq(connections.id, connectionId)));
  if (!row) throw problems.notFound('Connection', connectionId);
  const { connection, integration, environment } = row;
  if (!integration) throw problems.notFound('Integration', connection.integrationId);
  if (!integration.enabled) throw problems.conflict(`Integration ${integration.key} is disabled; enable it to use its connections.`);
  if (!environment) throw problems.notFound('Environment', scope.environmentId);
  const connector = connectorOf(integration);
  const secrets = await vault.preload(db, scope, [connectionOwner(connection.id), integrationOwner(integration.id)]);
  const renewed = { happened: false };
  const credentials = await currentCredentials(db, { read: secrets, write: vault }, scope, connection, { manifest: connector.manifest, environment, clock, logger, secretStoreHost: options.secretStoreHost }, renewed);
  const integrationConfig = { ...integration.config, ...(await integrationSecrets(db, secrets, scope, integration)).config };
  const connectionConfig = { ...connection.config, ...(await openConfigSecrets(db, secrets, scope, connection.id)) };
  // A renewal may have changed the kept token fields (e.g. Salesforce's instance_url).
  const fresh = renewed.happened ? ((await getConnection(db, scope, connectionId)) ?? connection) : connection;
  return assembleContext({ connection: fresh, integration, environment, integrationConfig, connectionConfig, credentials, logger });
}

async function currentCredentials(
  db: Db,
  vaults: { read: Vault; write: Vault },
  scope: ConnectionScope,
  connection: Connection,
  context: { manifest: Connector['manifest']; environment: Environment; clock: Clock; logger: Logger; secretStoreHost?: SecretStoreHost | undefined },
  renewed: { happened: boolean },
): Promise<Record<string, string>> {
  if (connection.credentialType !== 'oauth2' && connection.credentialType !== 'clientCredentials') {
    return openCredentialValues(db, vaults.read, scope, connection, context);
  }
  let tokens = await openTokens(db, vaults.read, scope, connection.id);
  const now = context.clock.now();
  if (expiresWithin(tokens, now, EXPIRY_SKEW_MS)) {
    if (!renewable(tokens)) throw new CredentialUnavailableError('refresh_failed', 'The access token has expired and the provider issued no refresh token; the end customer must reconnect the account.');
    try {
      tokens = await refreshConnectionTokens(db, vaults.write, scope, connection.id, { clock: context.clock, logger: context.logger });
      renewed.happened = true;
    } catch (err) {
      if (!(err instanceof OAuthError)) throw err;
      // Still valid for a moment: use it while the background job retries.
      if (!err.permanent && tokens.expiresAt && Date.parse(tokens.expiresAt) > now.getTime()) return { accessToken: tokens.accessToken };
      const message = err.permanent
        ? refreshFailureMessage(err)
        : `The access token has expired and could not be renewed just now (${err.code}${err.description ? `: ${err.description}` : ''}); Patchbay keeps trying in the background.`;
      throw new CredentialUnavailableError('refresh_failed', message, { cause: err });
    }
  }
  return { accessToken: tokens.accessToken };
}

/** A connection's secret values, for `GET /connections/{id}/credentials` (its only way out). */
export interface RevealedCredentials {
  credentialType: Connection['credentialType'];
  /** OAuth: the token set (renewed first when expired); API key and basic: the form; managedVault: the resolved values. */
  values: Record<string, unknown>;
  configSecrets: Record<string, string>;
}

export async function revealCredentials(
  db: Db,
  vault: Vault,
  scope: ConnectionScope,
  connectionId: string,
  options: ConnectionServiceOptions = {},
): Promise<RevealedCredentials> {
  const connection = await getConnection(db, scope, connectionId);
  if (!connection) throw problems.notFound('Connection', connectionId);
  // Audited before anything is decrypted: a read that fails half-way still shows in the log.
  if (options.actor) {
    await recordAudit(db, { ...scope, actor: options.actor, action: 'connection.credentials_read', targetType: 'connection', targetId: connectionId, details: { credentialType: connection.credentialType } });
  }
  const configSecrets = await openConfigSecrets(db, vault, scope, connectionId);
  if (connection.credentialType === 'oauth2' || connection.credentialType === 'clientCredentials') {
    const integration = await getIntegration(db, scope, connection.integrationId);
    const manifest = connectorOf(integration!).manifest;
    // Renews an expired token (and says why it cannot).
    await currentCredentials(db, { read: vault, write: vault }, scope, connection, { manifest, environment: await environmentOf(db, scope), clock: options.clock ?? systemClock, logger: options.logger ?? silentLogger }, { happened: false });
    const tokens = await openTokens(db, vault, scope, connectionId);
    return { credentialType: connection.credentialType, values: { ...tokens }, configSecrets };
  }
  const integration = await getIntegration(db, scope, connection.integrationId);
  const values = await openCredentialValues(db, vault, scope, connection, {
    manifest: connectorOf(integration!).manifest,
    environment: await environmentOf(db, scope),
    secretStoreHost: options.secretStoreHost,
  });
  return { credentialType: connection.credentialType, values, configSecrets };
}
