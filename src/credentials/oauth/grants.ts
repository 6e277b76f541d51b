/**
 * The OAuth 2.0 exchanges, each one call to openid-client: the authorization request (with PKCE
 * S256 and, for OpenID Connect, a nonce), the code exchange, refresh (keeping the refresh token
 * unless the provider rotates it), the client credentials grant and RFC 7009 revocation.
 * Failures come out as `OAuthError`.
 */
import * as oidc from 'openid-client';
import type { Clock } from '../../core/index.ts';
import { oauthConfiguration, type OAuthClientSettings } from './client.ts';
import { OAuthError, toOAuthError } from './errors.ts';
import type { OAuthTokenSet } from './tokens.ts';

export interface TokenResult {
  tokens: OAuthTokenSet;
  /** The token response fields the manifest keeps (e.g. Salesforce's `instance_url`). */
  kept: Record<string, unknown>;
  /** Claims of a validated ID token. */
  idTokenClaims?: Record<string, unknown>;
}

export interface AuthorizationRequest {
  redirectUri: string;
  state: string;
  scope: string;
  /** PKCE verifier: its S256 challenge goes in the request. Absent when the provider cannot do PKCE. */
  codeVerifier?: string | undefined;
  /** OpenID Connect nonce, echoed in the ID token. */
  nonce?: string | undefined;
  extraParams?: Readonly<Record<string, string>>;
}

/** The provider URL the browser is sent to. */
export async function authorizationUrl(settings: OAuthClientSettings, request: AuthorizationRequest): Promise<URL> {
  const config = await oauthConfiguration(settings);
  const params: Record<string, string> = {
    ...request.extraParams,
    redirect_uri: request.redirectUri,
    state: request.state,
    ...(request.scope ? { scope: request.scope } : {}),
    ...(request.nonce ? { nonce: request.nonce } : {}),
  };
  if (request.codeVerifier) {
    params.code_challenge = await oidc.calculatePKCECodeChallenge(request.codeVerifier);
    params.code_challenge_method = 'S256';
  }
  return oidc.buildAuthorizationUrl(config, params);
}

function toTokenSet(
  response: oidc.TokenEndpointResponse,
  clock: Clock,
  grant: OAuthTokenSet['grant'],
  previous?: OAuthTokenSet,
): OAuthTokenSet {
  const now = clock.now();
  const refreshToken = response.refresh_token ?? previous?.refreshToken;
  const idToken = response.id_token ?? previous?.idToken;
  const scope = response.scope ?? previous?.scope;
  return {
    accessToken: response.access_token,
    ...(refreshToken ? { refreshToken } : {}),
    tokenType: response.token_type,
    ...(typeof response.expires_in === 'number' ? { expiresAt: new Date(now.getTime() + response.expires_in * 1000).toISOString() } : {}),
    ...(scope ? { scope } : {}),
    ...(idToken ? { idToken } : {}),
    grant,
    obtainedAt: now.toISOString(),
  };
}

function keep(response: oidc.TokenEndpointResponse, fields: readonly string[]): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const name of fields) if ((response as Record<string, unknown>)[name] !== undefined) kept[name] = (response as Record<string, unknown>)[name];
  return kept;
}

function claimsOf(response: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers): Record<string, unknown> | undefined {
  const claims = response.claims();
  return claims ? { ...claims } : undefined;
}

export interface CodeExchange {
  /** The callback's query parameters (code, state, maybe iss). */
  params: URLSearchParams;
  redirectUri: string;
  expectedState: string;
  codeVerifier?: string | undefined;
  nonce?: string | undefined;
  keepFields: readonly string[];
}

/** Exchanges the authorization code; an `error` in the callback comes out as that OAuthError. */
export async function exchangeCode(settings: OAuthClientSettings, exchange: CodeExchange, clock: Clock): Promise<TokenResult> {
  const identity = Boolean(settings.endpoints.issuer);
  const current = new URL(exchange.redirectUri);
  for (const [name, value] of exchange.params) {
    // RFC 9207's `iss` is checked against the issuer of identity connectors; other providers
    // have no issuer we know, so it is not ours to check.
    if (name === 'iss' && !identity) continue;
    current.searchParams.append(name, value);
  }
  try {
    const config = await oauthConfiguration(settings, { verifyIdTokens: identity && exchange.nonce !== undefined });
    const response = await oidc.authorizationCodeGrant(config, current, {
      expectedState: exchange.expectedState,
      ...(exchange.codeVerifier ? { pkceCodeVerifier: exchange.codeVerifier } : {}),
      ...(exchange.nonce ? { expectedNonce: exchange.nonce, idTokenExpected: true } : {}),
    });
    const claims = claimsOf(response);
    return {
      tokens: toTokenSet(response, clock, 'authorization_code'),
      kept: keep(response, exchange.keepFields),
      ...(claims ? { idTokenClaims: claims } : {}),
    };
  } catch (err) {
    throw toOAuthError(err, err instanceof oidc.AuthorizationResponseError ? 'authorization' : 'token');
  }
}

/**
 * Renews a token set: the refresh token grant, or the client credentials grant again for tokens
 * obtained that way. A refresh token the provider does not rotate is kept.
 */
export async function renewTokens(
  settings: OAuthClientSettings,
  tokens: OAuthTokenSet,
  options: { scope?: string | undefined; keepFields: readonly string[] },
  clock: Clock,
): Promise<TokenResult> {
  if (tokens.grant === 'client_credentials' && !tokens.refreshToken) return clientCredentials(settings, options, clock);
  if (!tokens.refreshToken) {
    throw new OAuthError('no_refresh_token', 'The provider issued no refresh token, so the access token cannot be renewed; reconnect the account.', 'refresh');
  }
  try {
    const config = await oauthConfiguration(settings, { verifyIdTokens: Boolean(settings.endpoints.issuer) });
    const response = await oidc.refreshTokenGrant(config, tokens.refreshToken);
    const claims = claimsOf(response);
    return { tokens: toTokenSet(response, clock, tokens.grant, tokens), kept: keep(response, options.keepFields), ...(claims ? { idTokenClaims: claims } : {}) };
  } catch (err) {
    throw toOAuthError(err, 'refresh');
  }
}

/** The client credentials grant (system-to-system: no end customer, no refresh token). */
export async function clientCredentials(
  settings: OAuthClientSettings,
  options: { scope?: string | undefined; keepFields: readonly string[] },
  clock: Clock,
): Promise<TokenResult> {
  try {
    const config = await oauthConfiguration(settings);
    const response = await oidc.clientCredentialsGrant(config, options.scope ? { scope: options.scope } : {});
    return { tokens: toTokenSet(response, clock, 'client_credentials'), kept: keep(response, options.keepFields) };
  } catch (err) {
    throw toOAuthError(err, 'token');
  }
}

export interface RevocationResult {
  attempted: boolean;
  ok: boolean;
  error?: string;
}

/**
 * RFC 7009: revokes the refresh token (which ends the grant at most providers) and the access
 * token. Without a revocation endpoint nothing is attempted.
 */
export async function revokeTokens(settings: OAuthClientSettings, tokens: OAuthTokenSet): Promise<RevocationResult> {
  if (!settings.endpoints.revocationUrl) return { attempted: false, ok: false };
  const errors: string[] = [];
  const config = await oauthConfiguration(settings).catch((err: unknown) => {
    errors.push(toOAuthError(err, 'revocation').message);
    return undefined;
  });
  if (!config) return { attempted: true, ok: false, error: errors[0]! };
  const targets: [string, string][] = [
    ...(tokens.refreshToken ? [[tokens.refreshToken, 'refresh_token'] as [string, string]] : []),
    [tokens.accessToken, 'access_token'],
  ];
  for (const [token, hint] of targets) {
    try {
      await oidc.tokenRevocation(config, token, { token_type_hint: hint });
    } catch (err) {
      errors.push(`${hint}: ${toOAuthError(err, 'revocation').message}`);
    }
  }
  return errors.length === 0 ? { attempted: true, ok: true } : { attempted: true, ok: false, error: errors.join('; ') };
}
