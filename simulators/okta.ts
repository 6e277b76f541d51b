/**
 * Okta simulator: the org authorization server and a slice of the management API. Follows
 * Okta's published reference:
 * - OpenID Connect & OAuth 2.0 API of the org authorization server (/oauth2/v1/authorize, token,
 *   revoke, keys, userinfo; discovery at /.well-known/openid-configuration):
 *   https://developer.okta.com/docs/api/openapi/okta-oauth/guides/overview/
 * - OAuth 2.0 for Okta management APIs (scopes such as okta.users.read.self):
 *   https://developer.okta.com/docs/guides/implement-oauth-for-okta/main/
 * - Users (GET /api/v1/users/me, GET /api/v1/users/{id or login}, GET /api/v1/users with
 *   `limit`/`after`, a `Link` header and `search=lastUpdated gt "…"`):
 *   https://developer.okta.com/docs/api/openapi/okta-management/management/tag/User/
 * - Error object (`errorCode`, `errorSummary`, `errorLink`, `errorId`, `errorCauses`; E0000011
 *   invalid token, E0000006 forbidden, E0000007 not found, E0000047 rate limit):
 *   https://developer.okta.com/docs/reference/error-codes/
 * - Rate limits (`x-rate-limit-limit`, `x-rate-limit-remaining`, `x-rate-limit-reset` epoch seconds):
 *   https://developer.okta.com/docs/reference/rl-best-practices/
 * Authentication: `Authorization: Bearer <access token>` (OAuth for Okta).
 */
import { randomBytes } from 'node:crypto';
import { oauthEndpoints, type SimulatorHandle, type SimulatorOptions, type SimulatorProfile } from './support/handle.ts';
import { fixtures } from './support/kit.ts';
import { oauthServer, type OAuthServerOptions } from './support/oauth.ts';
import { bearerToken, createControl, intParam, serveSimulator, type ErrorKind, type SimReply } from './support/server.ts';

const PATHS: OAuthServerOptions['paths'] = {
  authorize: '/oauth2/v1/authorize',
  token: '/oauth2/v1/token',
  revoke: '/oauth2/v1/revoke',
  jwks: '/oauth2/v1/keys',
  discovery: '/.well-known/openid-configuration',
};
export const OKTA_SCOPES = 'openid profile email offline_access okta.users.read.self okta.users.read';

export const OKTA_PROFILE: SimulatorProfile = {
  proxyPath: '/api/v1/users/me',
  records: { users: { dataset: 'users', count: 450 } },
  webhook: {
    secret: 'Bearer okta-sim-event-hook-secret',
    signsBody: false,
    body: '{"eventType":"com.okta.event_hook","eventId":"b5a188b9-sim","source":"https://patchbay-sim.okta.com/api/v1/eventHooks/who8","data":{"events":[{"eventType":"user.session.start"}]}}',
  },
  user: { email: 'user7@patchbay-sim.example' },
};

const ME = {
  id: '00uSIM00000000001',
  status: 'ACTIVE',
  created: '2024-01-01T00:00:00.000Z',
  profile: { login: 'admin@patchbay-sim.example', email: 'admin@patchbay-sim.example', firstName: 'Sim', lastName: 'Admin' },
};
interface OktaUser {
  id: string;
  status: string;
  created: string;
  lastUpdated: string;
  profile: { login: string; email: string; firstName: string; lastName: string };
}

export const OKTA_DEFAULT_COUNTS = { users: 30 } as const;

function usersDataset(options: SimulatorOptions) {
  return fixtures<OktaUser & Record<string, unknown>>(
    options,
    'users',
    OKTA_DEFAULT_COUNTS.users,
    (i, at) => ({
      id: `00uSIM${String(i).padStart(11, '0')}`,
      status: 'ACTIVE',
      created: String(at),
      lastUpdated: String(at),
      profile: { login: `user${i}@patchbay-sim.example`, email: `user${i}@patchbay-sim.example`, firstName: 'User', lastName: String(i) },
    }),
    { updated: 'lastUpdated', edit: (user, n) => ({ profile: { ...user.profile, firstName: `User (edit ${n})` } }) },
  );
}

/** `search=lastUpdated gt "2025-01-01T00:00:00.000Z"`: the one search expression the connector sends. */
function searchFilter(search: string | null): ((user: OktaUser) => boolean) | undefined {
  if (!search) return undefined;
  const match = /^lastUpdated\s+(gt|ge)\s+"([^"]+)"$/.exec(search.trim());
  if (!match) return () => false;
  const at = Date.parse(match[2]!);
  return (user) => (match[1] === 'gt' ? Date.parse(user.lastUpdated) > at : Date.parse(user.lastUpdated) >= at);
}

function error(kind: ErrorKind, status: number): SimReply {
  const errors: Record<ErrorKind, [number, string, string]> = {
    unauthorized: [401, 'E0000011', 'Invalid token provided'],
    forbidden: [403, 'E0000006', 'You do not have permission to perform the requested action'],
    not_found: [404, 'E0000007', 'Not found: Resource not found'],
    rate_limited: [429, 'E0000047', 'API call exceeded rate limit due to too many requests.'],
    server_error: [status, 'E0000009', 'Internal Server Error'],
    bad_request: [400, 'E0000001', 'Api validation failed'],
  };
  const [code, errorCode, errorSummary] = errors[kind];
  return {
    status: code,
    headers:
      kind === 'rate_limited'
        ? { 'x-rate-limit-limit': '600', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(Math.floor(Date.now() / 1000) + 60) }
        : {},
    body: { errorCode, errorSummary, errorLink: errorCode, errorId: `oae${randomBytes(8).toString('hex')}`, errorCauses: [] },
  };
}

export async function startOktaSimulator(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const control = createControl(options.credentials ?? []);
  const users = usersDataset(options);
  const oauth = oauthServer(
    {
      paths: PATHS,
      accessTokenPrefix: 'okta-at-',
      refreshTokenPrefix: 'okta-rt-',
      accessTokenTtlSeconds: 3600,
      rotateRefreshTokens: true,
      clientCredentials: true,
      oidc: {
        // The org authorization server's issuer is the org URL itself.
        issuer: (origin) => origin,
        claims: { sub: ME.id, email: ME.profile.email, name: 'Sim Admin', preferred_username: ME.profile.login },
      },
    },
    control,
  );
  const server = await serveSimulator(
    {
      key: 'okta',
      credential: (req) => bearerToken(req.headers),
      error,
      routes: [
        ...oauth.routes,
        { method: 'GET', path: '/api/v1/users/me', handle: () => ({ body: ME }) },
        {
          method: 'GET',
          path: '/api/v1/users',
          // Ordered by id; `after` is the last id of the previous page, announced in a `Link: rel="next"`.
          handle: (req) => {
            const limit = intParam(req.query.get('limit'), 200, 200);
            const after = req.query.get('after');
            const keep = searchFilter(req.query.get('search'));
            const ids = users.ids();
            let start = 0;
            if (after) start = ids.findIndex((id) => id > after) < 0 ? ids.length : ids.findIndex((id) => id > after);
            const page: OktaUser[] = [];
            let i = start;
            for (; i < ids.length && page.length < limit; i++) {
              const user = users.get(ids[i]!)!;
              if (!keep || keep(user)) page.push(user);
            }
            const more = keep ? ids.slice(i).some((id) => keep(users.get(id)!)) : i < ids.length;
            const query = (extra: Record<string, string>) => new URLSearchParams({ limit: String(limit), ...(req.query.get('search') ? { search: req.query.get('search')! } : {}), ...extra }).toString();
            const links = [`<${req.origin}/api/v1/users?${query(after ? { after } : {})}>; rel="self"`];
            const last = page.at(-1);
            if (last && more) links.push(`<${req.origin}/api/v1/users?${query({ after: last.id })}>; rel="next"`);
            return { headers: { link: links.join(', ') }, body: page };
          },
        },
        {
          method: 'GET',
          path: '/api/v1/users/:id',
          // The id, or the login (also a short login without the domain), names the user.
          handle: (req) => {
            const key = req.params.id!;
            const found = users.get(key) ?? users.all().find((u) => u.profile.login === key || u.profile.login.split('@')[0] === key);
            return found ? { body: found } : error('not_found', 404);
          },
        },
        {
          method: 'GET',
          path: '/oauth2/v1/userinfo',
          handle: () => ({ body: { sub: ME.id, name: 'Sim Admin', email: ME.profile.email, preferred_username: ME.profile.login } }),
        },
      ],
    },
    { ...options, control },
  );
  const tokens = oauth.control.issueTokens(OKTA_SCOPES);
  control.baseline();
  return {
    key: 'okta',
    url: server.url,
    baseUrl: server.url,
    oauth: oauthEndpoints(server.url, PATHS, oauth.control, server.url),
    sample: { credentials: { accessToken: tokens.accessToken }, connectionConfig: { domain: 'patchbay-sim.okta.com' }, integrationConfig: {}, metadata: {} },
    control: server.control,
    data: { users },
    profile: OKTA_PROFILE,
    close: server.close,
  };
}
