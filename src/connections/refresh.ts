/**
 * Renewing OAuth tokens. Every renewal — on demand when a use finds the token expired, in the
 * background before it expires, or forced after a provider refused it — goes through
 * `refreshConnectionTokens`, which makes concurrent renewals of one connection ONE call to the
 * token endpoint:
 * - in this process, callers share one promise;
 * - across processes, the renewal runs in a transaction holding the connection row
 *   (`SELECT … FOR UPDATE`) and re-reads the tokens once it has it: a process that waited finds
 *   them renewed and uses them. The row stays locked during the token request (bounded by the
 *   integration's timeout); only renewals and status changes of that one connection wait.
 * Rotated refresh tokens are stored with the access token they came with; a refresh token the
 * provider does not rotate is kept.
 *
 * A failure the provider says is final (`invalid_grant`: revoked or expired) sets the status to
 * `error` / `refresh_failed` at once; a passing one (network, 5xx) is retried by the background
 * job with backoff, and only its last attempt gives up the same way.
 */
import { sql } from 'drizzle-orm';
import { silentLogger, systemClock, type Clock, type Logger } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import type { Vault } from '../credentials/index.ts';
import { EXPIRY_SKEW_MS, expiresWithin, OAuthError, renewTokens, type OAuthTokenSet } from '../credentials/oauth/index.ts';
import { enqueue } from '../queue/index.ts';
import { getIntegration } from '../integrations/index.ts';
import { connections } from './schema.ts';
import { environmentOf, openConfigSecrets, openTokens, storeTokens } from './credentials.ts';
import { integrationOAuth } from './oauth-client.ts';
import { byId, lockConnection, setConnectionStatus, type ConnectionScope } from './status.ts';

export const REFRESH_JOB = 'connections.refresh-token';
/** Attempts of one background renewal before the connection is marked `refresh_failed`. */
export const REFRESH_MAX_ATTEMPTS = 5;

export interface RefreshOptions {
  clock?: Clock;
  logger?: Logger;
  /** Renew even if the token is not due (a provider refused it). */
  force?: boolean;
  /** With `force`: renew only if this is still the stored access token (another caller may have renewed it already). */
  ifAccessToken?: string;
  /** Renew when the token expires within this long. Default: the expiry skew (30 s). */
  marginMs?: number;
  /** Set by the background job: it retries by itself, and its last attempt gives up. */
  job?: { final: boolean };
}

const inFlight = new Map<string, Promise<OAuthTokenSet>>();

/**
 * Renews a connection's tokens if they are due (or forced) and returns the current ones.
 *
 * @example
 * const tokens = await refreshConnectionTokens(db, vault, scope, connectionId, { force: true, ifAccessToken: refused });
 */
export function refreshConnectionTokens(db: Db, vault: Vault, scope: ConnectionScope, id: string, options: RefreshOptions = {}): Promise<OAuthTokenSet> {
  const key = `${scope.environmentId}\0${id}\0${options.force ? 'force' : 'due'}`;
  let running = inFlight.get(key);
  if (!running) {
    running = renew(db, vault, scope, id, options).finally(() => inFlight.delete(key));
    inFlight.set(key, running);
  }
  return running;
}

async function renew(db: Db, vault: Vault, scope: ConnectionScope, id: string, options: RefreshOptions): Promise<OAuthTokenSet> {
  const clock = options.clock ?? systemClock;
  const logger = (options.logger ?? silentLogger).child({ connectionId: id });
  try {
    return await db.transaction(async (tx) => {
      const connection = await lockConnection(tx, scope, id);
      const tokens = await openTokens(tx, vault, scope, id);
      const now = clock.now();
      const due = options.force
        ? options.ifAccessToken === undefined || options.ifAccessToken === tokens.accessToken
        : expiresWithin(tokens, now, options.marginMs ?? EXPIRY_SKEW_MS);
      if (!due) return tokens;
      const integration = await getIntegration(tx, scope, connection.integrationId);
      if (!integration) throw new OAuthError('invalid_client', `Integration ${connection.integrationId} no longer exists.`, 'refresh');
      const environment = await environmentOf(tx, scope);
      const config = { ...connection.config, ...(await openConfigSecrets(tx, vault, scope, id)) };
      const oauth = await integrationOAuth(tx, vault, scope, integration, environment, config);
      const result = await renewTokens(oauth.settings, tokens, { scope: oauth.scope, keepFields: oauth.auth.tokenResponseFields }, clock);
      await storeTokens(tx, vault, scope, id, result.tokens);
      await tx
        .update(connections)
        .set({
          tokenExpiresAt: result.tokens.expiresAt ? new Date(result.tokens.expiresAt) : null,
          lastRefreshAt: now,
          metadata: { ...connection.metadata, ...result.kept },
          errorCount: 0,
          updatedAt: now,
        })
        .where(byId(scope, id));
      if (connection.status === 'error' && connection.statusReason === 'refresh_failed') {
        await setConnectionStatus(tx, scope, id, { status: 'connected', credentialsVerified: true }, { clock });
      }
      logger.info({ grant: tokens.grant, rotated: result.tokens.refreshToken !== tokens.refreshToken }, 'oauth tokens renewed');
      return result.tokens;
    });
  } catch (err) {
    if (err instanceof OAuthError) await recordFailure(db, scope, id, err, options, clock, logger);
    throw err;
  }
}

/** Counts the failure; gives up (status `error` / `refresh_failed`) when retrying cannot help. */
async function recordFailure(db: Db, scope: ConnectionScope, id: string, err: OAuthError, options: RefreshOptions, clock: Clock, logger: Logger): Promise<void> {
  const final = err.permanent || options.job?.final === true;
  logger.warn({ code: err.code, stage: err.stage, final }, 'oauth token renewal failed');
  await db.transaction(async (tx) => {
    const [row] = await tx
      .update(connections)
      .set({ errorCount: sql`${connections.errorCount} + 1`, updatedAt: clock.now() })
      .where(byId(scope, id))
      .returning({ id: connections.id });
    if (!row) return;
    if (final) {
      await setConnectionStatus(tx, scope, id, { status: 'error', reason: 'refresh_failed', message: refreshFailureMessage(err) }, { clock });
    } else if (!options.job) {
      // A use found the token expired and the provider could not renew it just now: the
      // background job takes over, with backoff.
      await enqueue(tx, refreshJob(scope, id, new Date(clock.now().getTime() + 30_000)), { clock });
    }
  });
}

export function refreshJob(scope: ConnectionScope, id: string, runAt?: Date) {
  return {
    type: REFRESH_JOB,
    payload: { organizationId: scope.organizationId, environmentId: scope.environmentId, connectionId: id },
    key: `${REFRESH_JOB}:${scope.environmentId}:${id}`,
    organizationId: scope.organizationId,
    environmentId: scope.environmentId,
    maxAttempts: REFRESH_MAX_ATTEMPTS,
    ...(runAt ? { runAt } : {}),
  };
}

/** What the connection's status message says about a renewal that failed for good. */
export function refreshFailureMessage(err: OAuthError): string {
  const said = err.description ? `: ${err.description}` : '';
  if (err.code === 'invalid_grant') return `The provider refused the refresh token (invalid_grant${said}); it was revoked or has expired. The end customer must reconnect the account.`;
  if (err.code === 'no_refresh_token') return err.description ?? 'No refresh token; reconnect the account.';
  if (err.code === 'invalid_client' || err.code === 'unauthorized_client') {
    return `The provider refused the integration's OAuth client (${err.code}${said}). Check the client id and secret in the integration's settings.`;
  }
  if (err.permanent) return `The provider refused to renew the token (${err.code}${said}).`;
  return `The token could not be renewed after ${REFRESH_MAX_ATTEMPTS} attempts; the last one failed with ${err.code}${said}.`;
}
