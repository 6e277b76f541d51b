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
 * - Issues of the authenticated user (GET /issues: `filter`, `state`, `since`, `sort`, `direction`) and
 *   updating one (PATCH /repos/{owner}/{repo}/issues/{number}): https://docs.github.com/en/rest/issues/issues
 * - OAuth apps (web flow; the token endpoint answers form-encoded unless JSON is asked for; PKCE S256):
 *   https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps and
 *   https://github.blog/changelog/2025-07-14-pkce-support-for-oauth-and-github-app-authentication
 */
import { createDataset, type Dataset } from './support/dataset.ts';
import { oauthEndpoints, recordCount, type SimulatorHandle, type SimulatorOptions } from './support/handle.ts';
import { oauthServer, type OAuthServerOptions } from './support/oauth.ts';
import { bearerToken, createControl, intParam, serveSimulator, type ErrorKind, type SimReply, type SimRequest } from './support/server.ts';

const PATHS: OAuthServerOptions['paths'] = { authorize: '/login/oauth/authorize', token: '/login/oauth/access_token' };
const DOCS = 'https://docs.github.com/rest';
const LIMIT = 5000;

export const GITHUB_DEFAULT_COUNTS = { repos: 320, issues: 2_500 } as const;
const OWNER = 'patchbay-sim';
/** GitHub timestamps have whole seconds. */
const ghTime = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19)}Z`;

interface Repo {
  id: number;
  name: string;
  full_name: string;
  private: boolean;
  html_url: string;
  default_branch: string;
  description: string | null;
  created_at: string;
  updated_at: string;
}

interface Issue {
  id: number;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  user: { login: string; id: number };
  labels: { name: string }[];
  comments: number;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  html_url: string;
  repository_url: string;
  repository: { id: number; name: string; full_name: string };
}

function reposDataset(count: number): Dataset<Repo> {
  return createDataset<Repo>({
    count,
    make: (i, ms) => ({
      id: 500 + i,
      name: `repo-${i}`,
      full_name: `${OWNER}/repo-${i}`,
      private: i % 4 === 0,
      html_url: `https://github.com/${OWNER}/repo-${i}`,
      default_branch: 'main',
      description: `Repository ${i}`,
      created_at: ghTime(ms),
      updated_at: ghTime(ms),
    }),
    id: (r) => String(r.id),
    modifiedMs: (r) => Date.parse(r.updated_at),
    edit: (r, n, ms) => ({ ...r, description: `Repository ${r.id - 500} (edit ${n})`, updated_at: ghTime(ms) }),
  });
}

function issuesDataset(count: number, repos: number): Dataset<Issue> {
  return createDataset<Issue>({
    count,
    make: (i, ms) => {
      const repo = 1 + (i % Math.max(1, repos));
      const number = 1 + Math.floor(i / Math.max(1, repos));
      return {
        id: 9_000_000 + i,
        number,
        title: `Issue ${i}`,
        body: `Steps to reproduce issue ${i}.`,
        state: i % 5 === 0 ? 'closed' : 'open',
        user: { login: 'octo-sim', id: 2 },
        labels: i % 3 === 0 ? [{ name: 'bug' }] : [],
        comments: i % 7,
        created_at: ghTime(ms),
        updated_at: ghTime(ms),
        closed_at: i % 5 === 0 ? ghTime(ms) : null,
        html_url: `https://github.com/${OWNER}/repo-${repo}/issues/${number}`,
        repository_url: `https://api.github.com/repos/${OWNER}/repo-${repo}`,
        repository: { id: 500 + repo, name: `repo-${repo}`, full_name: `${OWNER}/repo-${repo}` },
      };
    },
    id: (issue) => String(issue.id),
    modifiedMs: (issue) => Date.parse(issue.updated_at),
    edit: (issue, n, ms) => ({ ...issue, title: `${issue.title.replace(/ \(edit \d+\)$/, '')} (edit ${n})`, comments: issue.comments + 1, updated_at: ghTime(ms) }),
  });
}

/** A page of `items` with GitHub's `Link` header (`next`, `last`, `first`, `prev`). */
function linkedPage<T>(req: SimRequest, path: string, items: readonly T[], params: Record<string, string>): SimReply {
  const perPage = intParam(req.query.get('per_page'), 30, 100);
  const page = intParam(req.query.get('page'), 1, 100_000);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const query = (p: number) => new URLSearchParams({ ...params, per_page: String(perPage), page: String(p) }).toString();
  const link = (p: number, rel: string): string => `<${req.origin}${path}?${query(p)}>; rel="${rel}"`;
  const links = [...(page < last ? [link(page + 1, 'next'), link(last, 'last')] : []), ...(page > 1 ? [link(1, 'first'), link(page - 1, 'prev')] : [])];
  return { headers: { ...rateHeaders(), ...(links.length ? { link: links.join(', ') } : {}) }, body: items.slice((page - 1) * perPage, page * perPage) };
}

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
  const repoCount = recordCount(options, 'repos', GITHUB_DEFAULT_COUNTS.repos);
  const repos = reposDataset(repoCount);
  const issues = issuesDataset(recordCount(options, 'issues', GITHUB_DEFAULT_COUNTS.issues), repoCount);
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
                public_repos: repos.size,
                created_at: '2020-01-01T00:00:00Z',
              },
            },
        },
        {
          method: 'GET',
          path: '/user/repos',
          handle: (req) => requireUserAgent(req) ?? linkedPage(req, '/user/repos', repos.ids().map((id) => repos.get(id)!), {}),
        },
        {
          method: 'GET',
          path: '/issues',
          // Issues across the user's repositories: `filter`, `state`, `since` (updated at or after), `sort`, `direction`.
          handle: (req) => {
            const refused = requireUserAgent(req);
            if (refused) return refused;
            const state = req.query.get('state') ?? 'open';
            const since = req.query.get('since');
            const sinceMs = since ? Date.parse(since) : undefined;
            if (since && Number.isNaN(sinceMs)) return { status: 422, headers: rateHeaders(), body: { message: 'Validation Failed', documentation_url: DOCS, status: '422' } };
            const sort = req.query.get('sort') ?? 'created';
            const ascending = req.query.get('direction') === 'asc';
            const key = (issue: Issue): number => Date.parse(sort === 'updated' ? issue.updated_at : issue.created_at);
            const matching = issues
              .all()
              .filter((issue) => (state === 'all' || issue.state === state) && (sinceMs === undefined || Date.parse(issue.updated_at) >= sinceMs))
              .sort((a, b) => (ascending ? key(a) - key(b) || a.id - b.id : key(b) - key(a) || b.id - a.id));
            const params: Record<string, string> = { filter: req.query.get('filter') ?? 'assigned', state, sort, direction: ascending ? 'asc' : 'desc', ...(since ? { since } : {}) };
            return linkedPage(req, '/issues', matching, params);
          },
        },
        {
          method: 'PATCH',
          path: '/repos/:owner/:repo/issues/:number',
          handle: (req) => {
            let changes: Partial<Pick<Issue, 'title' | 'body' | 'state'>>;
            try {
              changes = JSON.parse(req.rawBody || '{}') as typeof changes;
            } catch {
              return error('bad_request', 400);
            }
            const found = issues.all().find((i) => i.repository.full_name === `${req.params.owner}/${req.params.repo}` && String(i.number) === req.params.number);
            if (!found) return error('not_found', 404);
            const updated = issues.update(String(found.id), (issue, ms) => ({
              ...issue,
              ...(changes.title !== undefined ? { title: changes.title } : {}),
              ...(changes.body !== undefined ? { body: changes.body } : {}),
              ...(changes.state !== undefined ? { state: changes.state, closed_at: changes.state === 'closed' ? ghTime(ms) : null } : {}),
              updated_at: ghTime(ms),
            }));
            return { headers: rateHeaders(), body: updated };
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
    data: { repos, issues },
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
