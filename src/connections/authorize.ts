/**
 * Connecting an OAuth account in the browser (authorization code, PKCE S256 unless the manifest
 * says the provider cannot). `startAuthorization` stores a single-use state bound to the connect
 * session (or dashboard user) and to the browser, and returns the provider URL;
 * `finishAuthorization` consumes the state, exchanges the code, seals the tokens and marks the
 * connection connected — a new one (`connection.created`) or an existing one re-authorized
 * (`connection.recovered`). What goes wrong comes out as a `ConnectFlowError` naming the failure,
 * which the callback page puts into words.
 */
import { newId, ProblemError, systemClock, type Clock, type Logger, type Resolver } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import type { Vault } from '../credentials/index.ts';
import {
  authorizationUrl,
  consumeAuthorizationState,
  createAuthorizationState,
  exchangeCode,
  OAuthError,
  randomNonce,
  randomPKCECodeVerifier,
  stateCookieName,
} from '../credentials/oauth/index.ts';
import { getConnector } from '../connectors/index.ts';
import { publish } from '../events/index.ts';
import type { Integration } from '../integrations/index.ts';
import { connections, type Connection } from './schema.ts';
import { getConnection } from './context.ts';
import { CONNECTION_ID, checkConnectionConfig, findIntegration } from './connections.ts';
import { environmentOf, openConfigSecrets, sealConnectionSecrets, storeTokens } from './credentials.ts';
import { integrationOAuth, type IntegrationOAuth } from './oauth-client.ts';
import { byId, eventData, isAuthError, setConnectionStatus, type ConnectionScope } from './status.ts';
import { markSessionUsed } from './connect.ts';

export type FlowFailure =
  | 'session_invalid'
  | 'integration_unavailable'
  | 'connection_mismatch'
  | 'invalid_configuration'
  | 'state_unknown'
  | 'state_expired'
  | 'other_browser'
  | 'wrong_host'
  | 'session_used'
  | 'access_denied'
  | 'invalid_scope'
  | 'redirect_uri_mismatch'
  | 'invalid_client'
  | 'invalid_grant'
  | 'invalid_id_token'
  | 'provider_unreachable'
  | 'provider_error';

export interface FlowFacts {
  /** The provider's display name, when known. */
  provider?: string;
  /** The provider's own error code and words. */
  providerError?: { code: string; description?: string };
  /** The scopes that were requested. */
  scopes?: string;
  fields?: string[];
  /** wrong_host: the host the flow was opened on, and PUBLIC_URL's. */
  hosts?: { opened: string; public: string };
}

export class ConnectFlowError extends Error {
  constructor(
    readonly failure: FlowFailure,
    readonly detail: string,
    readonly facts: FlowFacts = {},
  ) {
    super(`${failure}: ${detail}`);
    this.name = 'ConnectFlowError';
  }
}

export interface FlowOptions {
  clock?: Clock;
  logger?: Logger;
  resolve?: Resolver;
}

export interface StartInput {
  integration: string;
  endCustomerId: string;
  /** An existing connection re-authorizes it; a new id names the connection to create. */
  connectionId?: string | undefined;
  connectionConfig?: Record<string, string> | undefined;
  tags?: string[] | undefined;
  connectSessionId?: string | undefined;
  userId?: string | undefined;
  /** `${PUBLIC_URL}/oauth/callback`, registered at the provider. */
  callbackUrl: string;
}

export interface StartedAuthorization {
  authorizationUrl: string;
  /** The browser-binding cookie to set. */
  cookie: { name: string; value: string; expiresAt: Date };
  connectionId: string;
  reauthorize: boolean;
}

function failureOf(err: OAuthError): FlowFailure {
  if (err.code === 'access_denied') return 'access_denied';
  if (err.code === 'invalid_scope') return 'invalid_scope';
  if (err.code === 'redirect_uri_mismatch' || /redirect[_ ]?ur[il]/i.test(err.description ?? '')) return 'redirect_uri_mismatch';
  if (err.code === 'invalid_client' || err.code === 'unauthorized_client') return 'invalid_client';
  if (err.code === 'invalid_grant') return 'invalid_grant';
  if (err.code === 'invalid_id_token') return 'invalid_id_token';
  if (['network_error', 'timeout', 'refused_address', 'server_error', 'temporarily_unavailable', 'discovery_failed'].includes(err.code)) return 'provider_unreachable';
  return 'provider_error';
}

const fromOAuth = (err: OAuthError, facts: FlowFacts): ConnectFlowError =>
  new ConnectFlowError(failureOf(err), err.message, { ...facts, providerError: { code: err.code, ...(err.description ? { description: err.description } : {}) } });

async function oauthFor(db: Db, vault: Vault, scope: ConnectionScope, integration: Integration, config: Record<string, string>): Promise<IntegrationOAuth> {
  try {
    return await integrationOAuth(db, vault, scope, integration, await environmentOf(db, scope), config);
  } catch (err) {
    if (err instanceof ProblemError && (err.status === 400 || err.status === 422)) {
      throw new ConnectFlowError('invalid_configuration', err.detail ?? err.title, { fields: err.errors?.map((e) => e.message) ?? [] });
    }
    throw err;
  }
}

export async function startAuthorization(db: Db, vault: Vault, scope: ConnectionScope, input: StartInput, options: FlowOptions = {}): Promise<StartedAuthorization> {
  const clock = options.clock ?? systemClock;
  const integration = await findIntegration(db, scope, input.integration);
  if (!integration || !integration.enabled || getConnector(integration.connectorKey)?.manifest.connectionMode !== 'oauth') {
    const why = !integration ? `No integration ${input.integration} in this environment.` : !integration.enabled ? `Integration ${integration.key} is disabled.` : `Integration ${integration.key} does not connect with OAuth.`;
    throw new ConnectFlowError('integration_unavailable', why);
  }
  let existing: Connection | undefined;
  if (input.connectionId !== undefined) {
    if (!CONNECTION_ID.test(input.connectionId)) throw new ConnectFlowError('connection_mismatch', `"${input.connectionId}" is not a valid connection id.`);
    existing = await getConnection(db, scope, input.connectionId);
    if (existing && (existing.endCustomerId !== input.endCustomerId || existing.integrationId !== integration.id)) {
      throw new ConnectFlowError('connection_mismatch', `Connection ${input.connectionId} belongs to another end customer or integration.`);
    }
  }
  let config: { plain: Record<string, string>; secret: Record<string, string> };
  if (existing) {
    config = { plain: existing.config, secret: await openConfigSecrets(db, vault, scope, existing.id) };
  } else {
    const environment = await environmentOf(db, scope);
    const checked = await checkConnectionConfig(integration, input.connectionConfig ?? {}, { allowPrivateNetworks: environment.allowPrivateNetworks, resolve: options.resolve });
    if (checked.errors.length > 0) {
      throw new ConnectFlowError('invalid_configuration', 'The connection needs configuration before connecting.', { fields: checked.errors.map((e) => e.message) });
    }
    config = checked;
  }
  const oauth = await oauthFor(db, vault, scope, integration, { ...config.plain, ...config.secret });
  const provider = oauth.connector.manifest.name;
  const codeVerifier = oauth.auth.pkce ? randomPKCECodeVerifier() : undefined;
  const nonce = oauth.settings.endpoints.issuer && oauth.scope.split(oauth.auth.scopeSeparator).includes('openid') ? randomNonce() : undefined;
  const connectionId = existing?.id ?? input.connectionId ?? newId('conn');
  const started = await createAuthorizationState(db, clock, {
    ...scope,
    integrationId: integration.id,
    connectionId,
    reauthorize: existing !== undefined,
    endCustomerId: input.endCustomerId,
    connectionConfig: config.plain,
    tags: existing ? existing.tags : (input.tags ?? []),
    connectSessionId: input.connectSessionId,
    userId: input.userId,
    secrets: {
      ...(codeVerifier ? { codeVerifier } : {}),
      ...(nonce ? { nonce } : {}),
      ...(Object.keys(config.secret).length > 0 ? { configSecrets: config.secret } : {}),
    },
  });
  let url: URL;
  try {
    url = await authorizationUrl(oauth.settings, {
      redirectUri: input.callbackUrl,
      state: started.state,
      scope: oauth.scope,
      codeVerifier,
      nonce,
      extraParams: oauth.auth.authorizationParams,
    });
  } catch (err) {
    if (err instanceof OAuthError) throw fromOAuth(err, { provider });
    throw err;
  }
  options.logger?.info({ integrationId: integration.id, connectionId, reauthorize: existing !== undefined, pkce: Boolean(codeVerifier) }, 'oauth authorization started');
  return {
    authorizationUrl: url.href,
    cookie: { name: started.cookieName, value: started.binding, expiresAt: started.expiresAt },
    connectionId,
    reauthorize: existing !== undefined,
  };
}

export interface FinishInput {
  /** The callback's query parameters. */
  params: URLSearchParams;
  /** The browser's cookies (the binding cookie is looked up by the state's name). */
  cookies: Readonly<Record<string, string | undefined>>;
  callbackUrl: string;
}

export interface FinishedAuthorization {
  connection: Connection;
  created: boolean;
  provider: string;
  /** The binding cookie to clear. */
  cookieName: string;
}

/** Finishes the flow the provider sent the browser back from. */
export async function finishAuthorization(db: Db, vault: Vault, input: FinishInput, options: FlowOptions = {}): Promise<FinishedAuthorization> {
  const clock = options.clock ?? systemClock;
  const state = input.params.get('state');
  if (!state) {
    const error = input.params.get('error');
    if (error) throw fromOAuth(new OAuthError(error, input.params.get('error_description') ?? undefined, 'authorization'), {});
    throw new ConnectFlowError('state_unknown', 'The callback carries no state parameter.');
  }
  const cookieName = stateCookieName(state);
  const consumed = await consumeAuthorizationState(db, clock, state, input.cookies[cookieName]);
  if (!consumed.ok) {
    const failure = consumed.reason === 'expired' ? 'state_expired' : consumed.reason === 'other-browser' ? 'other_browser' : 'state_unknown';
    throw new ConnectFlowError(failure, `The authorization state is ${consumed.reason}.`);
  }
  const { row, secrets } = consumed;
  const scope = { organizationId: row.organizationId, environmentId: row.environmentId };
  const integration = await findIntegration(db, scope, row.integrationId);
  if (!integration || !integration.enabled) throw new ConnectFlowError('integration_unavailable', `Integration ${row.integrationId} is gone or disabled.`);
  const config = { ...row.connectionConfig, ...(secrets.configSecrets ?? {}) };
  const oauth = await oauthFor(db, vault, scope, integration, config);
  const provider = oauth.connector.manifest.name;
  let result;
  try {
    result = await exchangeCode(
      oauth.settings,
      {
        params: input.params,
        redirectUri: input.callbackUrl,
        expectedState: state,
        codeVerifier: secrets.codeVerifier,
        nonce: secrets.nonce,
        keepFields: oauth.auth.tokenResponseFields,
      },
      clock,
    );
  } catch (err) {
    if (err instanceof OAuthError) throw fromOAuth(err, { provider, scopes: oauth.scope });
    throw err;
  }
  const { tokens, kept, idTokenClaims } = result;
  const identity = idTokenClaims ? { id: String(idTokenClaims.sub), ...(typeof idTokenClaims.name === 'string' ? { name: idTokenClaims.name } : {}) } : {};
  const now = clock.now();
  const tokenExpiresAt = tokens.expiresAt ? new Date(tokens.expiresAt) : null;

  const finished = await db.transaction(async (tx) => {
    // A connect session makes one connection: a second flow of the same session is refused.
    if (row.connectSessionId && !(await markSessionUsed(tx, row.connectSessionId, row.connectionId, clock))) {
      throw new ConnectFlowError('session_used', 'The connect session already made another connection.');
    }
    const [before] = await tx.select().from(connections).where(byId(scope, row.connectionId)).for('update');
    if (before) {
      if (before.endCustomerId !== row.endCustomerId || before.integrationId !== integration.id) {
        throw new ConnectFlowError('connection_mismatch', `Connection ${row.connectionId} now belongs to another end customer or integration.`);
      }
      await storeTokens(tx, vault, scope, before.id, tokens);
      await tx
        .update(connections)
        .set({
          credentialType: 'oauth2',
          metadata: { ...before.metadata, ...kept },
          accountInfo: { ...before.accountInfo, ...identity },
          tokenExpiresAt,
          lastRefreshAt: null,
          errorCount: 0,
          updatedAt: now,
        })
        .where(byId(scope, before.id));
      const wasBlocked = isAuthError(before.status, before.statusReason) || before.status === 'disconnected';
      const { connection } = await setConnectionStatus(tx, scope, before.id, { status: 'connected', credentialsVerified: true }, { clock });
      if (!wasBlocked) {
        await publish(tx, { ...scope, type: 'connection.recovered', data: eventData(connection, { previousStatus: before.status, reauthorized: true }), occurredAt: now });
      }
      return { connection, created: false };
    }
    const [connection] = await tx
      .insert(connections)
      .values({
        ...scope,
        id: row.connectionId,
        integrationId: integration.id,
        connectorKey: integration.connectorKey,
        endCustomerId: row.endCustomerId,
        tags: row.tags,
        config: row.connectionConfig,
        metadata: kept,
        credentialType: 'oauth2',
        status: 'connected',
        statusChangedAt: now,
        accountInfo: identity,
        tokenExpiresAt,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await sealConnectionSecrets(tx, vault, scope, row.connectionId, { tokens, ...(secrets.configSecrets ? { configSecrets: secrets.configSecrets } : {}) });
    await publish(tx, { ...scope, type: 'connection.created', data: eventData(connection!, { credentialType: 'oauth2' }), occurredAt: now });
    return { connection: connection!, created: true };
  });
  options.logger?.info({ connectionId: finished.connection.id, created: finished.created }, 'oauth authorization finished');
  return { ...finished, provider, cookieName };
}
