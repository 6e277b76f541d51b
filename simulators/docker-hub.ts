/**
 * Docker Hub API simulator, from https://docs.docker.com/reference/api/hub/latest/:
 * - `POST /v2/auth/token` with `{ identifier, secret }` (a personal access token) →
 *   `{ access_token }`, a short-lived JWT used as `Authorization: Bearer`; a wrong pair is 401
 *   `{ errinfo, detail, message }`;
 * - `GET /v2/namespaces/{namespace}/repositories?page&page_size(≤100, default 10)` and
 *   `…/repositories/{repository}/tags` → `{ count, next, previous, results }`, `next` an absolute
 *   URL or null;
 * - 429 with `Retry-After` and `X-RateLimit-Limit`, `-Remaining`, `-Reset`;
 * - webhooks (https://docs.docker.com/docker-hub/repos/manage/webhooks/): an unsigned JSON POST to
 *   the URL configured in Docker Hub — here the source URL with `?token=<secret>`.
 */
import { randomUUID } from 'node:crypto';
import { auth, defineSimulator, fixtures, pages, type CredentialReader } from './support/kit.ts';
import { issuedTokens } from './support/tokens.ts';
import type { ErrorKind, SimReply, SimRequest } from './support/server.ts';

const USERNAME = 'patchbaysim';
const PAT = 'dckr_pat_patchbaySimulatorToken000001';
const NAMESPACE = 'patchbaysim';
const TOKEN_TTL_SECONDS = 600;
const tokens = issuedTokens({ jwt: true });

const MESSAGES: Record<ErrorKind, string> = {
  unauthorized: 'Incorrect authentication credentials',
  forbidden: 'You do not have permission to perform this action.',
  not_found: 'Object not found',
  rate_limited: 'Too Many Requests',
  server_error: 'Internal Server Error',
  bad_request: 'Invalid request',
};
const error = (kind: ErrorKind, status: number): SimReply => ({
  status,
  ...(kind === 'rate_limited' ? { headers: { 'x-ratelimit-limit': '180', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 60) } } : {}),
  body: { errinfo: {}, detail: MESSAGES[kind], message: MESSAGES[kind] },
});

/** The token request's `identifier:secret`. */
const loginPair: CredentialReader = (req) => {
  try {
    const { identifier, secret } = JSON.parse(req.rawBody) as { identifier?: unknown; secret?: unknown };
    return typeof identifier === 'string' && typeof secret === 'string' ? `${identifier}:${secret}` : undefined;
  } catch {
    return undefined;
  }
};

/** One page in Docker Hub's shape, `next` and `previous` as absolute URLs. */
function page<T>(items: readonly T[], req: SimRequest): SimReply {
  const result = pages.page(items, req, { pageParam: 'page', limitParam: 'page_size', defaultLimit: 10, maxLimit: 100 });
  const url = (n: number) => {
    const query = new URLSearchParams(req.query);
    query.set('page', String(n));
    return `${req.origin}${req.path}?${query.toString()}`;
  };
  return { body: { count: items.length, next: result.more ? url(result.page + 1) : null, previous: result.page > 1 ? url(result.page - 1) : null, results: result.items } };
}

interface Repository extends Record<string, unknown> {
  name: string;
  last_updated: string;
}

export default defineSimulator({
  key: 'docker-hub',
  credential: auth.anyOf(tokens.reader(), loginPair),
  accepts: [`${USERNAME}:${PAT}`],
  sample: { credentials: { username: USERNAME, personalAccessToken: PAT }, connectionConfig: { namespace: NAMESPACE } },
  error: (kind, status) => error(kind, status),
  rateLimit: '180/minute',
  data: (options) => ({
    repositories: fixtures<Repository>(
      options,
      'repositories',
      40,
      (i, at) => ({
        name: `service-${String(i).padStart(3, '0')}`,
        namespace: NAMESPACE,
        repository_type: 'image',
        status: 1,
        status_description: 'active',
        description: `Service ${i}`,
        is_private: i % 3 === 0,
        star_count: i % 11,
        pull_count: 1_000 + i * 37,
        last_updated: String(at),
        date_registered: String(at),
        affiliation: 'owner',
        media_types: ['application/vnd.oci.image.index.v1+json'],
        content_types: ['image'],
      }),
      { id: 'name', updated: 'last_updated' },
    ),
  }),
  routes: ({ repositories }) => {
    const bearerOnly = (req: SimRequest) => /^Bearer\s/i.test(req.headers.authorization ?? '');
    const ours = (req: SimRequest) => req.params.namespace === NAMESPACE;
    return [
      {
        method: 'POST',
        path: '/v2/auth/token',
        handle: (req) => ({ body: { access_token: tokens.issue(req.credential!, TOKEN_TTL_SECONDS) } }),
      },
      {
        method: 'GET',
        path: '/v2/namespaces/:namespace/repositories',
        handle: (req) => (!bearerOnly(req) ? error('unauthorized', 401) : !ours(req) ? error('not_found', 404) : page([...repositories.all()].sort((a, b) => a.name.localeCompare(b.name)), req)),
      },
      {
        method: 'GET',
        path: '/v2/namespaces/:namespace/repositories/:repository/tags',
        handle: (req) => {
          if (!bearerOnly(req)) return error('unauthorized', 401);
          const repo = ours(req) ? repositories.get(req.params.repository!) : undefined;
          if (!repo) return error('not_found', 404);
          const n = Number(repo.name.slice(-3)) % 4;
          const list = ['latest', ...Array.from({ length: n }, (_, i) => `1.${i}.0`)].map((name, i) => ({
            id: i + 1,
            name,
            digest: `sha256:${Buffer.from(`${repo.name}:${name}`).toString('hex').padEnd(64, '0').slice(0, 64)}`,
            full_size: 28_000_000 + i * 1_024,
            last_updated: repo.last_updated,
            tag_status: 'active',
            media_type: 'application/vnd.oci.image.index.v1+json',
          }));
          return page(list, req);
        },
      },
    ];
  },
  webhooks: {
    signer: (secret, w) => {
      const url = new URL(w.url);
      url.searchParams.set('token', secret);
      return { method: 'POST', url: url.toString(), headers: { 'content-type': 'application/json', ...w.headers }, body: w.body };
    },
  },
  profile: {
    proxyPath: `/v2/namespaces/${NAMESPACE}/repositories?page_size=1`,
    // 100 a page.
    records: { repositories: { dataset: 'repositories', count: 301 } },
    webhook: {
      secret: 'docker-hub-sim-url-token-0001',
      body: `{"callback_url":"https://registry.hub.docker.com/u/${NAMESPACE}/service-007/hook/${randomUUID().replaceAll('-', '')}/","push_data":{"pushed_at":1735689600,"pusher":"${USERNAME}","tag":"latest"},"repository":{"comment_count":0,"date_created":1735603200,"description":"","full_description":"","is_official":false,"is_private":false,"is_trusted":false,"name":"service-007","namespace":"${NAMESPACE}","owner":"${USERNAME}","repo_name":"${NAMESPACE}/service-007","repo_url":"https://hub.docker.com/r/${NAMESPACE}/service-007","star_count":0,"status":"Active"}}`,
      // The token rides in the URL; nothing covers the body.
      signsBody: false,
    },
  },
});
