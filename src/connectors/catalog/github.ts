/**
 * GitHub: repositories, issues and pull requests of a user, connected as an OAuth app.
 * API reference: https://docs.github.com/en/rest (users, rate limits, pagination); OAuth apps:
 * https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps
 * Webhooks: https://docs.github.com/en/webhooks (deliveries, headers, signatures).
 */
import { Type } from 'typebox';
import type { SyncContext, SyncDefinition } from '../extensions.ts';
import { connected, defineConnector, expectOk, monogramIcon, hmac, jsonField, matchesAny, parseJsonBody, refused, verified } from '../sdk.ts';

interface GithubUser {
  id: number;
  login: string;
  name?: string | null;
  html_url?: string;
  type?: string;
}

interface Repo {
  id: number;
  name: string;
  full_name: string;
  private: boolean;
  html_url: string;
  description: string | null;
  default_branch: string;
  updated_at: string;
}

interface Issue {
  id: number;
  number: number;
  title: string;
  body: string | null;
  state: string;
  labels: { name: string }[];
  comments: number;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  html_url: string;
  repository_url: string;
  pull_request?: unknown;
}

const Text = Type.Union([Type.String(), Type.Null()]);

const repositories: SyncDefinition = {
  model: 'repositories',
  description: "The user's repositories",
  schema: Type.Object({ id: Type.Integer(), fullName: Type.String(), private: Type.Boolean(), description: Text, defaultBranch: Type.String(), url: Type.String(), updatedAt: Type.String() }),
  frequency: 'daily',
  // Few and small: read whole, deletions found by difference.
  dataStrategy: 'snapshot',
  async exec(ctx) {
    const start = (await ctx.checkpoint.get<{ next?: string }>())?.next;
    for await (const page of ctx.paginate<Repo>({ path: '/user/repos', query: { per_page: 100, sort: 'full_name' } }, { type: 'link', results: '', start })) {
      await ctx.batchSave(
        page.items.map((r) => ({
          externalId: String(r.id),
          data: { id: r.id, fullName: r.full_name, private: r.private, description: r.description, defaultBranch: r.default_branch, url: r.html_url, updatedAt: r.updated_at },
          updatedAt: r.updated_at,
        })),
      );
      await ctx.checkpoint.save({ next: page.next });
    }
  },
};

/** `owner/repo#number`: enough to address the issue when writing back. */
const issueId = (issue: Issue): string => `${issue.repository_url.replace(/^.*\/repos\//, '')}#${issue.number}`;

/**
 * Issues updated since the checkpoint, oldest update first. Each request starts at the newest
 * update read (keyset paging with `since`): issues updated while the run reads move to the end
 * instead of shifting others out of view. Page numbers only step over ties at one instant.
 */
async function readIssues(ctx: SyncContext): Promise<void> {
  const checkpoint = (await ctx.checkpoint.get<{ since?: string; page?: number }>()) ?? {};
  let since = checkpoint.since ?? ctx.since?.toISOString();
  let page = checkpoint.page ?? 1;
  for (;;) {
    const query = { filter: 'all', state: 'all', sort: 'updated', direction: 'asc', per_page: 100, page, ...(since ? { since } : {}) };
    const result = await ctx.paginate<Issue>({ path: '/issues', query }, { type: 'link', results: '' }).next();
    if (result.done) break;
    const issues = result.value.items.filter((i) => i.pull_request === undefined);
    await ctx.batchSave(
      issues.map((i) => ({
        externalId: issueId(i),
        data: {
          id: i.id,
          repository: issueId(i).split('#')[0],
          number: i.number,
          title: i.title,
          body: i.body,
          state: i.state,
          labels: i.labels.map((l) => l.name),
          comments: i.comments,
          createdAt: i.created_at,
          updatedAt: i.updated_at,
          closedAt: i.closed_at,
          url: i.html_url,
        },
        updatedAt: i.updated_at,
      })),
    );
    const newest = result.value.items.at(-1)?.updated_at;
    if (newest && newest !== since) {
      since = newest;
      page = 1;
    } else page += 1;
    await ctx.checkpoint.save({ since, page });
    if (result.value.next === undefined) break;
  }
  await ctx.checkpoint.save({ since });
}

const issues: SyncDefinition = {
  model: 'issues',
  description: 'Issues across the repositories the user can see',
  schema: Type.Object({
    id: Type.Integer(),
    repository: Type.String(),
    number: Type.Integer(),
    title: Type.String(),
    body: Text,
    state: Type.String(),
    labels: Type.Array(Type.String()),
    comments: Type.Integer(),
    createdAt: Type.String(),
    updatedAt: Type.String(),
    closedAt: Text,
    url: Type.String(),
  }),
  frequency: 'hourly',
  dataStrategy: 'events',
  exec: readIssues,
  async update(ctx, change) {
    const [repository, number] = change.externalId.split('#');
    expectOk(await ctx.http.request({ method: 'PATCH', path: `/repos/${repository}/issues/${number}`, body: change.changes }));
  },
};

export default defineConnector({
  key: 'github',
  name: 'GitHub',
  description: 'Repositories, issues and pull requests of a GitHub user or organization member, connected as an OAuth app.',
  category: 'dev',
  icon: monogramIcon('Gh', '#24292f'),
  capabilities: ['proxy', 'records', 'webhooks'],
  connectionMode: 'oauth',
  auth: {
    authorizationUrl: 'https://github.com/login/oauth/authorize',
    // Answers form-encoded unless the request says `Accept: application/json`.
    tokenUrl: 'https://github.com/login/oauth/access_token',
    // OAuth app tokens are revoked with DELETE /applications/{client_id}/token, not RFC 7009.
    scopes: ['read:user', 'repo'],
    // GitHub accepts PKCE with S256 since July 2025.
    pkce: true,
    tokenEndpointAuthMethod: 'client_secret_post',
  },
  baseUrls: { production: 'https://api.github.com' },
  requestHeaders: {
    Accept: 'application/vnd.github+json',
    'X-GitHub-Api-Version': '2022-11-28',
    // GitHub refuses requests without a User-Agent.
    'User-Agent': 'Patchbay',
  },
  // Authenticated users: 5,000 requests per hour.
  rateLimit: '5000/hour',
  uiEmbeds: [{ surface: 'connection', placement: 'tab', title: 'Repositories' }],
  docsUrl: 'https://docs.github.com/en/rest',
  syncs: [repositories, issues],

  async testConnection(ctx) {
    const { body, headers } = expectOk(await ctx.http.request<GithubUser>({ path: '/user' }));
    return connected({
      id: String(body.id),
      name: body.login,
      displayName: body.name ?? null,
      url: body.html_url,
      scopes: headers['x-oauth-scopes'],
    });
  },


  // https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries:
  // `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`; no timestamp is signed, so
  // replays are caught by the delivery id (`X-GitHub-Delivery`) instead.
  webhooks: {
    verify(request, secrets) {
      const header = request.headers['x-hub-signature-256'];
      if (!header?.startsWith('sha256=')) return refused('the X-Hub-Signature-256 header is missing');
      const expected = secrets.map((secret) => `sha256=${hmac('sha256', secret, request.rawBody).toString('hex')}`);
      return matchesAny(expected, [header]) ? verified : refused('the signature does not match');
    },
    eventId: (request) => request.headers['x-github-delivery'],
    route(request) {
      const payload = parseJsonBody(request);
      const event = request.headers['x-github-event'] ?? 'unknown';
      const action = jsonField(payload, 'action');
      return {
        eventType: action ? `${event}.${action}` : event,
        externalAccountId: jsonField(payload, 'installation.id') ?? jsonField(payload, 'organization.id') ?? jsonField(payload, 'repository.owner.id') ?? jsonField(payload, 'sender.id'),
        payload,
      };
    },
  },
});
