/**
 * Docker Hub: repositories and tags of a user or organization namespace, read with a personal
 * access token, and its push webhooks.
 * - Authentication: the username and a personal access token are exchanged for a short-lived JWT
 *   (`POST /v2/auth/token` with `{ identifier, secret }` → `{ access_token }`), sent as a bearer:
 *   https://docs.docker.com/reference/api/hub/latest/#tag/authentication-api
 * - Repositories: `GET /v2/namespaces/{namespace}/repositories?page&page_size(≤100)` →
 *   `{ count, next, previous, results }`; tags:
 *   `GET /v2/namespaces/{namespace}/repositories/{repository}/tags` (same paging):
 *   https://docs.docker.com/reference/api/hub/latest/#tag/repositories
 * - Rate limits: 429 with `Retry-After`, `X-RateLimit-*` headers.
 * - Webhooks (https://docs.docker.com/docker-hub/repos/manage/webhooks/): a JSON POST on each push,
 *   `{ callback_url, push_data: { pushed_at, pusher, tag }, repository: { repo_name, namespace… } }`,
 *   with no signature, no secret and no event type. The only proof a delivery is ours is a
 *   secret in the URL given to Docker Hub: the source's secret as `?token=…`.
 */
import { Type } from 'typebox';
import type { SyncDefinition } from '../extensions.ts';
import { connected, defineConnector, expectOk, jsonField, matchesAny, monogramIcon, parseJsonBody, ProviderFailureError, refused, verified } from '../sdk.ts';

interface Repository {
  name: string;
  namespace: string;
  description?: string | null;
  is_private?: boolean;
  star_count?: number;
  pull_count?: number;
  last_updated?: string | null;
  date_registered?: string | null;
  status_description?: string;
}

interface Tag {
  name: string;
  digest?: string | null;
  full_size?: number | null;
  last_updated?: string | null;
  tag_status?: string;
}

const Text = Type.Union([Type.String(), Type.Null()]);
const repositoriesPath = (namespace: string) => `/v2/namespaces/${encodeURIComponent(namespace)}/repositories`;

/** Every repository of the namespace; deletions show as records gone from the snapshot. */
const repositories: SyncDefinition<{ namespace: string }> = {
  model: 'repositories',
  description: 'Repositories of the namespace',
  schema: Type.Object({ name: Type.String(), namespace: Type.String(), description: Text, private: Type.Boolean(), stars: Type.Integer(), pulls: Type.Integer(), lastUpdated: Text, registeredAt: Text }),
  frequency: 'daily',
  dataStrategy: 'snapshot',
  async exec(ctx) {
    const checkpoint = (await ctx.checkpoint.get<{ next?: string }>()) ?? {};
    const pages = ctx.paginate<Repository>({ path: repositoriesPath(ctx.config.namespace), query: { page_size: 100 } }, { type: 'next-url', results: 'results', nextPath: 'next', start: checkpoint.next });
    for await (const page of pages) {
      await ctx.batchSave(
        page.items.map((r) => ({
          externalId: `${r.namespace}/${r.name}`,
          data: { name: r.name, namespace: r.namespace, description: r.description ?? null, private: r.is_private ?? false, stars: r.star_count ?? 0, pulls: r.pull_count ?? 0, lastUpdated: r.last_updated ?? null, registeredAt: r.date_registered ?? null },
          updatedAt: r.last_updated ?? undefined,
        })),
      );
      await ctx.checkpoint.save({ next: page.next });
    }
  },
};

/** Tags of every repository of the namespace. */
const tags: SyncDefinition<{ namespace: string }> = {
  model: 'tags',
  description: 'Image tags of every repository of the namespace',
  schema: Type.Object({ repository: Type.String(), name: Type.String(), digest: Text, size: Type.Union([Type.Integer(), Type.Null()]), status: Text, lastUpdated: Text }),
  frequency: 'daily',
  dataStrategy: 'snapshot',
  async exec(ctx) {
    const repos = ctx.paginate<Repository>({ path: repositoriesPath(ctx.config.namespace), query: { page_size: 100 } }, { type: 'next-url', results: 'results', nextPath: 'next' });
    for await (const page of repos) {
      for (const repo of page.items) {
        const list = ctx.paginate<Tag>({ path: `${repositoriesPath(ctx.config.namespace)}/${encodeURIComponent(repo.name)}/tags`, query: { page_size: 100 } }, { type: 'next-url', results: 'results', nextPath: 'next' });
        for await (const tagPage of list) {
          await ctx.batchSave(
            tagPage.items.map((t) => ({
              externalId: `${repo.namespace}/${repo.name}:${t.name}`,
              data: { repository: `${repo.namespace}/${repo.name}`, name: t.name, digest: t.digest ?? null, size: t.full_size ?? null, status: t.tag_status ?? null, lastUpdated: t.last_updated ?? null },
              updatedAt: t.last_updated ?? undefined,
            })),
          );
        }
      }
    }
  },
};

/** The `exp` of a JWT, in seconds from now (Docker Hub's tokens last minutes). */
function secondsLeft(jwt: string): number | undefined {
  try {
    const { exp } = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: number };
    return typeof exp === 'number' ? Math.max(0, exp - Math.floor(Date.now() / 1000)) : undefined;
  } catch {
    return undefined;
  }
}

export default defineConnector({
  key: 'docker-hub',
  name: 'Docker Hub',
  description: 'Repositories and image tags of a Docker Hub namespace, read with a personal access token, and push webhooks. Docker Hub signs no webhooks: the source URL carries a secret token instead.',
  category: 'dev',
  icon: monogramIcon('DH', '#1d63ed'),
  capabilities: ['proxy', 'records', 'webhooks'],
  connectionMode: 'apiKey',
  connectionConfig: {
    namespace: { label: 'Namespace', help: 'The user or organization whose repositories to read.', pattern: '[a-z0-9]+(?:[._-][a-z0-9]+)*', patternHint: 'is a Docker Hub user or organization name (lower case)' },
  },
  auth: {
    fields: {
      username: { label: 'Docker ID', help: 'The username the token belongs to.', pattern: '[A-Za-z0-9][A-Za-z0-9._-]{1,63}', patternHint: 'is a Docker ID' },
      personalAccessToken: {
        label: 'Personal access token',
        help: 'Account settings → Personal access tokens, read-only is enough (dckr_pat_…).',
        secret: true,
        pattern: 'dckr_(?:pat|oat)_[A-Za-z0-9_-]{10,}',
        patternHint: 'starts with dckr_pat_ (or dckr_oat_ for an organization token)',
      },
    },
    inject: { in: 'header', name: 'Authorization', format: 'Bearer {accessToken}' },
    exchange: { values: ['accessToken'] },
  },
  baseUrls: { production: 'https://hub.docker.com' },
  requestHeaders: { accept: 'application/json' },
  uiEmbeds: [{ surface: 'connection', placement: 'tab', title: 'Repositories' }],
  docsUrl: 'https://docs.docker.com/reference/api/hub/latest/',
  syncs: [repositories, tags],

  async exchangeCredential(ctx) {
    const { body } = expectOk(
      await ctx.http.request<{ access_token?: string }>({
        method: 'POST',
        path: '/v2/auth/token',
        body: { identifier: ctx.credentials.username, secret: ctx.credentials.personalAccessToken },
        idempotent: true,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      }),
    );
    if (!body?.access_token) throw new ProviderFailureError('unexpected_response', 'the token answer has no access_token');
    return { values: { accessToken: body.access_token }, expiresInSeconds: secondsLeft(body.access_token) };
  },

  async testConnection(ctx) {
    const { body } = expectOk(await ctx.http.request<{ count: number }>({ path: repositoriesPath(ctx.config.namespace), query: { page_size: 1 } }));
    return connected({ name: ctx.config.namespace, repositories: body.count });
  },

  // Unsigned: the URL given to Docker Hub is the source URL with `?token=<the source's secret>`.
  webhooks: {
    verify(request, secrets) {
      const token = new URL(request.url).searchParams.get('token');
      if (!token) return refused('the URL has no token= (Docker Hub signs nothing: give it the source URL with ?token=<secret>)');
      return matchesAny(secrets, [token]) ? verified : refused('the URL token does not match');
    },
    // Each delivery has its own callback URL; older payloads without one fall back to repository, tag and time.
    eventId(request) {
      const payload = parseJsonBody(request);
      const fallback = [jsonField(payload, 'repository.repo_name'), jsonField(payload, 'push_data.tag'), jsonField(payload, 'push_data.pushed_at')].filter(Boolean).join(':');
      return jsonField(payload, 'callback_url') ?? (fallback || undefined);
    },
    route(request) {
      const payload = parseJsonBody(request);
      return { eventType: 'push', externalAccountId: jsonField(payload, 'repository.namespace'), payload };
    },
  },
});
