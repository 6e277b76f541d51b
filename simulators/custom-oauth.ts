/**
 * A generic OAuth 2.0 provider, for the Custom OAuth connector. Follows the standards rather than
 * one vendor:
 * - RFC 6749 (authorization code, refresh and client credentials grants; error responses §5.2)
 * - RFC 7636 (PKCE, S256), RFC 7009 (token revocation)
 * - RFC 6750 §3 (a protected resource answers 401 `invalid_token` / 403 `insufficient_scope`
 *   with a `WWW-Authenticate: Bearer` header)
 * - OpenID Connect Core §5.3 (a UserInfo-shaped `/api/userinfo`)
 * Its list endpoint pages with `cursor`/`limit` and `next_cursor`; 429 answers carry `Retry-After`.
 */
import { oauthEndpoints, seed, type SimulatorHandle, type SimulatorOptions } from './support/handle.ts';
import { oauthServer, type OAuthServerOptions } from './support/oauth.ts';
import { bearerToken, createControl, intParam, paginate, serveSimulator, type ErrorKind, type SimReply } from './support/server.ts';

const PATHS: OAuthServerOptions['paths'] = { authorize: '/oauth/authorize', token: '/oauth/token', revoke: '/oauth/revoke' };

const ITEMS = seed(25, (i) => ({ id: `item_${i}`, title: `Item ${i}` }));

function error(kind: ErrorKind, status: number): SimReply {
  const bearer = (code: string, description: string): Record<string, string> => ({
    'www-authenticate': `Bearer realm="simulator", error="${code}", error_description="${description}"`,
  });
  switch (kind) {
    case 'unauthorized':
      return { status: 401, headers: bearer('invalid_token', 'The access token is invalid or expired'), body: { error: 'invalid_token', error_description: 'The access token is invalid or expired' } };
    case 'forbidden':
      return { status: 403, headers: bearer('insufficient_scope', 'The token lacks the scope this resource needs'), body: { error: 'insufficient_scope', error_description: 'The token lacks the scope this resource needs' } };
    case 'not_found':
      return { status: 404, body: { error: 'not_found', error_description: 'No such resource' } };
    case 'rate_limited':
      return { status: 429, body: { error: 'rate_limited', error_description: 'Too many requests' } };
    case 'server_error':
      return { status, body: { error: 'server_error', error_description: 'Internal error' } };
    case 'bad_request':
      return { status: 400, body: { error: 'invalid_request', error_description: 'Malformed request' } };
  }
}

export async function startCustomOauthSimulator(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const control = createControl(options.credentials ?? []);
  const oauth = oauthServer(
    { paths: PATHS, accessTokenPrefix: 'custom-at-', refreshTokenPrefix: 'custom-rt-', accessTokenTtlSeconds: 3600, clientCredentials: true },
    control,
  );
  const server = await serveSimulator(
    {
      key: 'custom-oauth',
      credential: (req) => bearerToken(req.headers),
      error,
      routes: [
        ...oauth.routes,
        {
          method: 'GET',
          path: '/api/userinfo',
          handle: () => ({ body: { sub: 'user-0001', name: 'Sim User', email: 'user@custom-sim.example' } }),
        },
        {
          method: 'GET',
          path: '/api/items',
          handle: (req) => {
            const { page, next } = paginate(ITEMS, req.query.get('cursor'), intParam(req.query.get('limit'), 10, 100));
            return { body: { items: page, next_cursor: next ?? null } };
          },
        },
      ],
    },
    { ...options, control },
  );
  const tokens = oauth.control.issueTokens('read');
  control.baseline();
  return {
    key: 'custom-oauth',
    url: server.url,
    baseUrl: `${server.url}/api`,
    oauth: oauthEndpoints(server.url, PATHS, oauth.control),
    sample: {
      credentials: { accessToken: tokens.accessToken },
      connectionConfig: {},
      integrationConfig: {
        authorizationUrl: server.url + PATHS.authorize,
        tokenUrl: server.url + PATHS.token,
        revocationUrl: server.url + PATHS.revoke!,
        apiBaseUrl: `${server.url}/api`,
        testPath: '/userinfo',
      },
      metadata: {},
    },
    control: server.control,
    close: server.close,
  };
}
