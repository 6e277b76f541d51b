/**
 * GitHub simulator. Follows GitHub's published REST reference:
 * - Get the authenticated user (GET /user): https://docs.github.com/en/rest/users/users#get-the-authenticated-user
 * - Authentication (`Authorization: Bearer` or `token`; a User-Agent is required):
 *   https://docs.github.com/en/rest/authentication/authenticating-to-the-rest-api and
 *   https://docs.github.com/en/rest/using-the-rest-api/getting-started-with-the-rest-api
 * - Errors (`{ "message", "documentation_url", "status" }`):
 *   https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api
 * - Rate limits (`x-ratelimit-*` headers; 403 or 429 when exhausted):
 *   https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api
 * - Pagination (`per_page`, `page`, `Link` header): https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api
 * - OAuth apps (web flow; the token endpoint answers form-encoded unless JSON is asked for; PKCE S256):
 *   https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps and
 *   https://github.blog/changelog/2025-07-14-pkce-support-for-oauth-and-github-app-authentication
 */
import { oauthEndpoints, seed, type SimulatorHandle, type SimulatorOptions } from './support/handle.ts';
import { oauthServer, type OAuthServerOptions } from './support/oauth.ts';
import { bearerToken, createControl, intParam, serveSimulator, type ErrorKind, type SimReply, type SimRequest } from './support/server.ts';

const PATHS: OAuthServerOptions['paths'] = { authorize: '/login/oauth/authorize', token: '/login/oauth/access_token' };
const DOCS = 'https://docs.github.com/rest';
const LIMIT = 5000;

const REPOS = seed(45, (i) => ({
  id: 500 + i,
  name: `repo-${i}`,
  full_name: `patchbay-sim/repo-${i}`,
  private: i % 4 === 0,
  html_url: `https://github.com/patchbay-sim/repo-${i}`,
  default_branch: 'main',
}));

function rateHeaders(remaining = LIMIT - 1): Record<string, string> {
  return {
    'x-ratelimit-limit': String(LIMIT),
    'x-ratelimit-remaining': String(remaining),
    'x-ratelimit-used': String(LIMIT - remaining),
    'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
    'x-ratelimit-resource': 'core',
    'x-github-api-version-selected': '2022-11-28',
  };
}

function error(kind: ErrorKind, status: number): SimReply {
  const messages: Record<ErrorKind, [number, string]> = {
    unauthorized: [401, 'Bad credentials'],
    forbidden: [403, 'Resource not accessible by integration'],
    not_found: [404, 'Not Found'],
    rate_limited: [429, 'API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID.'],
    server_error: [status, 'Server Error'],
    bad_request: [400, 'Problems parsing JSON'],
  };
  const [code, message] = messages[kind];
  return {
    status: code,
    headers: rateHeaders(kind === 'rate_limited' ? 0 : LIMIT - 1),
    body: { message, documentation_url: DOCS, status: String(code) },
  };
}

function credential(req: Pick<SimRequest, 'headers'>): string | undefined {
  return bearerToken(req.headers) ?? bearerToken(req.headers, 'token');
}

export async function startGithubSimulator(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const control = createControl(options.credentials ?? []);
  // OAuth app tokens do not expire and come without refresh tokens.
  const oauth = oauthServer({ paths: PATHS, style: 'github', accessTokenPrefix: 'gho_sim', refreshTokens: false }, control);
  const server = await serveSimulator(
    {
      key: 'github',
      credential,
      error,
      routes: [
        ...oauth.routes,
        {
          method: 'GET',
          path: '/user',
          handle: (req) =>
            requireUserAgent(req) ?? {
              headers: { ...rateHeaders(), 'x-oauth-scopes': 'read:user, repo', 'x-accepted-oauth-scopes': '' },
              body: {
                login: 'patchbay-sim',
                id: 1,
                node_id: 'MDQ6VXNlcjE=',
                type: 'User',
                name: 'Patchbay Simulator',
                html_url: 'https://github.com/patchbay-sim',
                public_repos: REPOS.length,
                created_at: '2020-01-01T00:00:00Z',
              },
            },
        },
        {
          method: 'GET',
          path: '/user/repos',
          handle: (req) => {
            const refused = requireUserAgent(req);
            if (refused) return refused;
            const perPage = intParam(req.query.get('per_page'), 30, 100);
            const page = intParam(req.query.get('page'), 1, 10_000);
            const last = Math.max(1, Math.ceil(REPOS.length / perPage));
            const link = (p: number, rel: string): string => `<${req.origin}/user/repos?per_page=${perPage}&page=${p}>; rel="${rel}"`;
            const links = [
              ...(page < last ? [link(page + 1, 'next'), link(last, 'last')] : []),
              ...(page > 1 ? [link(1, 'first'), link(page - 1, 'prev')] : []),
            ];
            return {
              headers: { ...rateHeaders(), ...(links.length ? { link: links.join(', ') } : {}) },
              body: REPOS.slice((page - 1) * perPage, page * perPage),
            };
          },
        },
      ],
    },
    { ...options, control },
  );
  const tokens = oauth.control.issueTokens('read:user');
  control.baseline();
  return {
    key: 'github',
    url: server.url,
    baseUrl: server.url,
    oauth: oauthEndpoints(server.url, PATHS, oauth.control),
    sample: { credentials: { accessToken: tokens.accessToken }, connectionConfig: {}, integrationConfig: {}, metadata: {} },
    control: server.control,
    close: server.close,
  };
}

/** GitHub refuses API requests without a User-Agent header. */
function requireUserAgent(req: SimRequest): SimReply | undefined {
  if (req.headers['user-agent']) return undefined;
  return {
    status: 403,
    headers: { 'content-type': 'text/plain' },
    body: 'Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). Check https://developer.github.com for other possible causes.',
  };
}
