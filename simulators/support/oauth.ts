/**
 * A minimal OAuth 2.0 authorization server for provider simulators, so the demo can connect an
 * account with no network: the authorization endpoint (auto-consent, redirect with a code),
 * the token endpoint (authorization code with PKCE per RFC 7636, refresh with optional rotation,
 * client credentials), revocation per RFC 7009, and for OpenID providers an RS256 ID token with
 * discovery and JWKS. Issued access tokens become credentials the simulator's API accepts.
 *
 * It is a stand-in for the provider's consent screen, not a conformance target: the OAuth flows
 * are tested against `oidc-provider`.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { bodyParams, bearerToken, type InternalControl, type Route, type SimReply, type SimRequest } from './server.ts';

export interface OAuthServerOptions {
  clientId?: string;
  clientSecret?: string;
  paths: { authorize: string; token: string; revoke?: string; jwks?: string; discovery?: string };
  accessTokenPrefix: string;
  refreshTokenPrefix?: string;
  /** Absent: access tokens never expire (GitHub OAuth apps). */
  accessTokenTtlSeconds?: number;
  /** Default true. */
  refreshTokens?: boolean;
  /** A refresh gives a new refresh token and retires the old one. Default false. */
  rotateRefreshTokens?: boolean;
  clientCredentials?: boolean;
  /** How answers look: RFC 6749 JSON; Slack's `{ ok }` envelope; GitHub's form unless JSON is asked for. */
  style?: 'rfc6749' | 'slack' | 'github';
  /** Extra token response fields (Salesforce's `instance_url`, Slack's `team`). */
  tokenFields?(origin: string, scope: string): Record<string, unknown>;
  /** OpenID Connect: issue ID tokens for the `openid` scope. */
  oidc?: { issuer(origin: string): string; claims: Record<string, unknown> };
}

export interface OAuthControl {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Send the next authorization requests back with `error=access_denied`. */
  denyConsent(deny?: boolean): void;
  /** Answer token requests with this OAuth error (`invalid_grant`, `server_error`…); `null` stops. */
  failTokenRequests(error: string | null): void;
  /** Issues tokens directly, as a finished authorization would. */
  issueTokens(scope?: string): { accessToken: string; refreshToken?: string };
  /** Makes every access token issued so far expired. */
  expireAccessTokens(): void;
  /** Token endpoint hits, by grant type. */
  readonly tokenRequests: Record<string, number>;
  readonly revoked: ReadonlySet<string>;
}

interface PendingCode {
  redirectUri: string;
  scope: string;
  challenge?: string;
  challengeMethod?: string;
  nonce?: string;
  expiresAt: number;
}

const CODE_TTL_MS = 10 * 60_000;

export function oauthServer(options: OAuthServerOptions, control: InternalControl): { routes: Route[]; control: OAuthControl } {
  const clientId = options.clientId ?? 'sim-client-id';
  const clientSecret = options.clientSecret ?? 'sim-client-secret';
  const style = options.style ?? 'rfc6749';
  const codes = new Map<string, PendingCode>();
  const refreshTokens = new Map<string, { scope: string; accessTokens: Set<string> }>();
  const revoked = new Set<string>();
  const tokenRequests: Record<string, number> = {};
  let deny = false;
  let failure: string | null = null;
  let keys: { privateKey: KeyObject; jwk: Record<string, unknown> } | undefined;

  const signingKeys = (): { privateKey: KeyObject; jwk: Record<string, unknown> } => {
    if (!keys) {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      keys = { privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid: 'sim-1', alg: 'RS256', use: 'sig' } };
    }
    return keys;
  };

  const idToken = (origin: string, scope: string, nonce?: string): string | undefined => {
    if (!options.oidc || !scope.split(/[ ,]+/).includes('openid')) return undefined;
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: options.oidc.issuer(origin), aud: clientId, iat: now, exp: now + 3600, ...options.oidc.claims, ...(nonce ? { nonce } : {}) };
    const { privateKey } = signingKeys();
    const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const input = `${encode({ alg: 'RS256', typ: 'JWT', kid: 'sim-1' })}.${encode(claims)}`;
    return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
  };

  const issue = (origin: string, scope: string, withRefresh: boolean, nonce?: string, withIdToken = true): Record<string, unknown> => {
    const accessToken = options.accessTokenPrefix + randomBytes(18).toString('base64url');
    control.credentials.add(accessToken);
    if (options.accessTokenTtlSeconds !== undefined) control.expiry.set(accessToken, Date.now() + options.accessTokenTtlSeconds * 1000);
    let refreshToken: string | undefined;
    if (withRefresh && options.refreshTokens !== false) {
      refreshToken = (options.refreshTokenPrefix ?? 'sim-rt-') + randomBytes(18).toString('base64url');
      refreshTokens.set(refreshToken, { scope, accessTokens: new Set([accessToken]) });
    }
    const id = withIdToken ? idToken(origin, scope, nonce) : undefined;
    return {
      access_token: accessToken,
      token_type: 'Bearer',
      ...(options.accessTokenTtlSeconds === undefined ? {} : { expires_in: options.accessTokenTtlSeconds }),
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
      scope,
      ...(id ? { id_token: id } : {}),
      ...options.tokenFields?.(origin, scope),
    };
  };

  const tokenReply = (req: SimRequest, status: number, body: Record<string, unknown>): SimReply => {
    const isError = 'error' in body;
    if (style === 'slack') return { status: 200, body: isError ? { ok: false, error: body.error } : { ok: true, ...body, token_type: 'bot' } };
    if (style === 'github') {
      const wantsJson = (req.headers.accept ?? '').includes('json');
      const text = new URLSearchParams(Object.entries(body).map(([k, v]): [string, string] => [k, String(v)])).toString();
      return { status: 200, ...(wantsJson ? { body } : { body: text, headers: { 'content-type': 'application/x-www-form-urlencoded' } }) };
    }
    return { status, body, headers: { 'cache-control': 'no-store' } };
  };

  const oauthError = (req: SimRequest, status: number, error: string, description: string): SimReply =>
    tokenReply(req, status, { error, error_description: description });

  /** Client authentication: HTTP Basic (RFC 6749 §2.3.1) or client_id/client_secret in the body. */
  const clientOk = (req: SimRequest, params: URLSearchParams): boolean => {
    const basic = bearerToken(req.headers, 'Basic');
    if (basic) {
      const [id, secret] = Buffer.from(basic, 'base64').toString('utf8').split(':').map(decodeURIComponent);
      return id === clientId && secret === clientSecret;
    }
    return params.get('client_id') === clientId && params.get('client_secret') === clientSecret;
  };

  const authorize: Route = {
    method: 'GET',
    path: options.paths.authorize,
    public: true,
    handle(req) {
      const q = req.query;
      const redirectUri = q.get('redirect_uri');
      if (q.get('client_id') !== clientId) return { status: 400, body: 'Unknown client_id: this simulator knows only its own client.' };
      if (!redirectUri || !/^https?:\/\//.test(redirectUri)) return { status: 400, body: 'redirect_uri is required and must be an http(s) URL.' };
      const target = new URL(redirectUri);
      const state = q.get('state');
      if (state !== null) target.searchParams.set('state', state);
      const responseType = q.get('response_type');
      if (responseType !== null && responseType !== 'code') target.searchParams.set('error', 'unsupported_response_type');
      else if (deny) {
        target.searchParams.set('error', 'access_denied');
        target.searchParams.set('error_description', 'The user denied the request.');
      } else {
        const code = 'sim-code-' + randomBytes(16).toString('base64url');
        codes.set(code, {
          redirectUri,
          scope: q.get('scope') ?? '',
          expiresAt: Date.now() + CODE_TTL_MS,
          ...(q.get('code_challenge') ? { challenge: q.get('code_challenge')!, challengeMethod: q.get('code_challenge_method') ?? 'plain' } : {}),
          ...(q.get('nonce') ? { nonce: q.get('nonce')! } : {}),
        });
        target.searchParams.set('code', code);
      }
      return { status: 302, headers: { location: target.href } };
    },
  };

  const token: Route = {
    method: 'POST',
    path: options.paths.token,
    public: true,
    handle(req) {
      const params = bodyParams(req);
      const grant = params.get('grant_type') ?? (style === 'rfc6749' ? '' : 'authorization_code');
      tokenRequests[grant] = (tokenRequests[grant] ?? 0) + 1;
      if (!clientOk(req, params)) return oauthError(req, 401, 'invalid_client', 'Client authentication failed.');
      if (failure) return oauthError(req, failure === 'server_error' ? 500 : 400, failure, 'Failure forced by the simulator.');
      switch (grant) {
        case 'authorization_code': {
          const code = params.get('code') ?? '';
          const pending = codes.get(code);
          codes.delete(code);
          if (!pending || pending.expiresAt < Date.now()) return oauthError(req, 400, 'invalid_grant', 'The authorization code is invalid or expired.');
          if (params.get('redirect_uri') !== null && params.get('redirect_uri') !== pending.redirectUri) {
            return oauthError(req, 400, 'invalid_grant', 'redirect_uri does not match the authorization request.');
          }
          if (pending.challenge && !pkceOk(pending, params.get('code_verifier'))) {
            return oauthError(req, 400, 'invalid_grant', 'PKCE verification failed.');
          }
          return tokenReply(req, 200, issue(req.origin, pending.scope, true, pending.nonce));
        }
        case 'refresh_token': {
          const presented = params.get('refresh_token') ?? '';
          const grantInfo = refreshTokens.get(presented);
          if (!grantInfo) return oauthError(req, 400, 'invalid_grant', 'The refresh token is invalid, revoked or already used.');
          const answer = issue(req.origin, grantInfo.scope, options.rotateRefreshTokens === true);
          const newAccess = answer.access_token as string;
          if (options.rotateRefreshTokens) refreshTokens.delete(presented);
          else grantInfo.accessTokens.add(newAccess);
          return tokenReply(req, 200, answer);
        }
        case 'client_credentials':
          if (!options.clientCredentials) return oauthError(req, 400, 'unsupported_grant_type', 'This provider does not offer client credentials.');
          return tokenReply(req, 200, issue(req.origin, params.get('scope') ?? '', false));
        default:
          return oauthError(req, 400, 'unsupported_grant_type', `grant_type ${grant || '(missing)'} is not supported.`);
      }
    },
  };

  const revokeToken = (value: string): void => {
    revoked.add(value);
    control.credentials.delete(value);
    const family = refreshTokens.get(value);
    if (family) {
      family.accessTokens.forEach((t) => control.credentials.delete(t));
      refreshTokens.delete(value);
    }
  };

  const routes: Route[] = [authorize, token];
  if (options.paths.revoke) {
    routes.push({
      method: 'POST',
      path: options.paths.revoke,
      public: true,
      handle(req) {
        const params = bodyParams(req);
        if (style === 'slack') {
          // auth.revoke: the token to revoke authenticates the call itself.
          const value = bearerToken(req.headers) ?? params.get('token');
          if (!value || !control.credentials.has(value)) return { body: { ok: false, error: 'invalid_auth' } };
          revokeToken(value);
          return { body: { ok: true, revoked: true } };
        }
        // RFC 7009 §2.1: the client authenticates; §2.2: 200 even for an unknown token.
        if (!clientOk(req, params)) return oauthError(req, 401, 'invalid_client', 'Client authentication failed.');
        const value = params.get('token');
        if (!value) return oauthError(req, 400, 'invalid_request', 'token is required.');
        revokeToken(value);
        return { status: 200 };
      },
    });
  }
  if (options.oidc && options.paths.jwks) {
    routes.push({ method: 'GET', path: options.paths.jwks, public: true, handle: () => ({ body: { keys: [signingKeys().jwk] } }) });
  }
  if (options.oidc && options.paths.discovery) {
    const oidc = options.oidc;
    routes.push({
      method: 'GET',
      path: options.paths.discovery,
      public: true,
      handle: (req) => ({
        body: {
          issuer: oidc.issuer(req.origin),
          authorization_endpoint: req.origin + options.paths.authorize,
          token_endpoint: req.origin + options.paths.token,
          ...(options.paths.revoke ? { revocation_endpoint: req.origin + options.paths.revoke } : {}),
          ...(options.paths.jwks ? { jwks_uri: req.origin + options.paths.jwks } : {}),
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
          code_challenge_methods_supported: ['S256'],
          grant_types_supported: ['authorization_code', 'refresh_token', ...(options.clientCredentials ? ['client_credentials'] : [])],
          token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        },
      }),
    });
  }

  return {
    routes,
    control: {
      clientId,
      clientSecret,
      denyConsent: (value = true) => {
        deny = value;
      },
      failTokenRequests: (error) => {
        failure = error;
      },
      issueTokens: (scope = '') => {
        // Tokens handed out directly (a simulator's sample connection) need no ID token, whose
        // RSA signing key would otherwise be generated at every start (~100 ms).
        const answer = issue('', scope, true, undefined, false);
        return {
          accessToken: answer.access_token as string,
          ...(answer.refresh_token ? { refreshToken: answer.refresh_token as string } : {}),
        };
      },
      expireAccessTokens: () => {
        for (const credential of control.credentials) if (credential.startsWith(options.accessTokenPrefix)) control.expiry.set(credential, 0);
      },
      tokenRequests,
      revoked,
    },
  };
}

function pkceOk(pending: PendingCode, verifier: string | null): boolean {
  if (!verifier) return false;
  if (pending.challengeMethod === 'S256') return createHash('sha256').update(verifier).digest('base64url') === pending.challenge;
  return verifier === pending.challenge;
}
