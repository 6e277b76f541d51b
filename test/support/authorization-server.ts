/**
 * A real OAuth 2.0 / OpenID Connect authorization server on loopback, built with `oidc-provider`,
 * for the OAuth flow tests: one confidential client, PKCE required, refresh tokens (rotated or
 * not, per test), client credentials, RFC 7009 revocation, userinfo at `/me`. Its login and
 * consent are answered at once (user `user-1`, or "declined" when a test asks), and it counts what
 * reaches it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface AuthorizationServer {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Endpoints as a Patchbay integration overrides them (`oauthUrls`). */
  urls: { authorizationUrl: string; tokenUrl: string; revocationUrl: string; issuer: string };
  /** Requests that reached the token endpoint. */
  readonly tokenHits: number;
  /** Token requests by grant type, successful or not. */
  readonly grants: Record<string, number>;
  /** Requests that reached the revocation endpoint. */
  readonly revocations: number;
  /** Requests by path (`/jwks`, `/.well-known/openid-configuration`…). */
  readonly hits: Record<string, number>;
  /** Query parameters of every authorization request. */
  readonly authorizations: URLSearchParams[];
  /** The next consent is declined. */
  declineNextConsent(): void;
  /** Holds every token request this long before answering (to make concurrent callers overlap). */
  tokenDelayMs: number;
  /** Whether a refresh hands out a new refresh token (and retires the old one). */
  rotateRefreshTokens: boolean;
  /** Status of a userinfo call with this access token (200 when it is valid). */
  userinfoStatus(accessToken: string): Promise<number>;
  close(): Promise<void>;
}

export interface AuthorizationServerOptions {
  redirectUri: string;
  accessTokenTtlSeconds?: number;
}

export const CLIENT_ID = 'patchbay-test-client';
export const CLIENT_SECRET = 'patchbay-test-client-secret-0123456789';
export const SCOPES = ['openid', 'offline_access', 'profile', 'api:read'];

export async function startAuthorizationServer(options: AuthorizationServerOptions): Promise<AuthorizationServer> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const state = {
    tokenHits: 0,
    revocations: 0,
    grants: {} as Record<string, number>,
    authorizations: [] as URLSearchParams[],
    decline: false,
    hits: {} as Record<string, number>,
    rotate: false,
    tokenDelayMs: 0,
  };
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [options.redirectUri],
        grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        scope: SCOPES.join(' '),
      },
    ],
    // A scope the server knows but this client may not ask for: requesting it is invalid_scope.
    scopes: [...SCOPES, 'admin:everything'],
    claims: { openid: ['sub'], profile: ['name'] },
    features: {
      devInteractions: { enabled: false },
      // The client may revoke the tokens it was issued (what RFC 7009 asks servers to check).
      revocation: { enabled: true, allowedPolicy: async (_ctx: unknown, client: { clientId: string }, token: { clientId?: string }) => token.clientId === client.clientId },
      clientCredentials: { enabled: true },
    },
    pkce: { required: () => true },
    issueRefreshToken: async () => true,
    rotateRefreshToken: () => state.rotate,
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    findAccount: async (_ctx: unknown, sub: string) => ({ accountId: sub, claims: async () => ({ sub, name: 'Ada Lovelace' }) }),
    ttl: {
      AccessToken: options.accessTokenTtlSeconds ?? 3600,
      ClientCredentials: options.accessTokenTtlSeconds ?? 3600,
      IdToken: 3600,
      RefreshToken: 14 * 86_400,
      Grant: 14 * 86_400,
      Session: 86_400,
      Interaction: 600,
      AuthorizationCode: 60,
    },
  });
  const grantType = (ctx: { oidc: { params?: Record<string, unknown> } }) => String(ctx.oidc.params?.grant_type ?? 'unknown');
  const count = (ctx: { oidc: { params?: Record<string, unknown> } }) => {
    state.grants[grantType(ctx)] = (state.grants[grantType(ctx)] ?? 0) + 1;
  };
  provider.on('grant.success', count);
  provider.on('grant.error', count);
  const handle = provider.callback();

  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', issuer);
    state.hits[url.pathname] = (state.hits[url.pathname] ?? 0) + 1;
    if (req.method === 'POST' && url.pathname === '/token') state.tokenHits++;
    if (req.method === 'POST' && url.pathname === '/token/revocation') state.revocations++;
    if (req.method === 'GET' && url.pathname === '/auth') state.authorizations.push(url.searchParams);
    const interaction = /^\/interaction\/[^/]+$/.exec(url.pathname);
    if (url.pathname === '/token' && state.tokenDelayMs > 0) {
      setTimeout(() => handle(req, res), state.tokenDelayMs);
      return;
    }
    if (!interaction) return handle(req, res);
    void (async () => {
      const details = await provider.interactionDetails(req, res);
      if (state.decline) {
        state.decline = false;
        await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'End-User aborted interaction' }, { mergeWithLastSubmission: false });
        return;
      }
      const grant = new provider.Grant({ accountId: 'user-1', clientId: String(details.params.client_id) });
      grant.addOIDCScope(String(details.params.scope ?? ''));
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { login: { accountId: 'user-1' }, consent: { grantId } }, { mergeWithLastSubmission: false });
    })().catch((err: unknown) => {
      res.statusCode = 500;
      res.end(String(err));
    });
  });

  return {
    issuer,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    urls: { authorizationUrl: `${issuer}/auth`, tokenUrl: `${issuer}/token`, revocationUrl: `${issuer}/token/revocation`, issuer },
    get tokenHits() {
      return state.tokenHits;
    },
    get grants() {
      return state.grants;
    },
    get revocations() {
      return state.revocations;
    },
    get hits() {
      return state.hits;
    },
    get authorizations() {
      return state.authorizations;
    },
    declineNextConsent: () => {
      state.decline = true;
    },
    get tokenDelayMs() {
      return state.tokenDelayMs;
    },
    set tokenDelayMs(value: number) {
      state.tokenDelayMs = value;
    },
    get rotateRefreshTokens() {
      return state.rotate;
    },
    set rotateRefreshTokens(value: boolean) {
      state.rotate = value;
    },
    async userinfoStatus(accessToken) {
      const res = await fetch(`${issuer}/me`, { headers: { authorization: `Bearer ${accessToken}` } });
      await res.arrayBuffer();
      return res.status;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
