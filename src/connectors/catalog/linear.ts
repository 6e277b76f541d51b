/**
 * Linear: issues and users of a Linear workspace through its GraphQL API, and its signed webhooks.
 * API reference: https://linear.app/developers/graphql (one endpoint, `POST /graphql` with
 * `{ query, variables }`; a personal API key sent as `Authorization: <key>` with no scheme, OAuth
 * tokens as `Bearer`); pagination (Relay connections: `first`, `after`, `pageInfo { hasNextPage
 * endCursor }`, 50 by default): https://linear.app/developers/pagination; filtering
 * (`filter: { updatedAt: { gte } }`, `email: { eq }`): https://linear.app/developers/filtering;
 * rate limits (a leaky bucket per key, `X-RateLimit-Requests-*` headers, errors with
 * `extensions.code: "RATELIMITED"`): https://linear.app/developers/rate-limiting. Webhooks
 * (`Linear-Signature`: hex HMAC-SHA256 of the body with the webhook's signing secret;
 * `Linear-Delivery`, `Linear-Event`; `webhookTimestamp` in the body): https://linear.app/developers/webhooks
 */
import { Type } from 'typebox';
import type { SyncDefinition } from '../extensions.ts';
import { connected, defineConnector, expectOk, hmac, jsonField, matchesAny, monogramIcon, parseJsonBody, ProviderFailureError, refused, verified, type ConnectorContext, type DirectoryUser } from '../sdk.ts';

interface GraphqlAnswer<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; userPresentableMessage?: string } }[];
}

/** Runs one GraphQL operation; GraphQL errors (which may come with a 200) become classified failures. */
export async function graphql<T>(ctx: ConnectorContext, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await ctx.http.request<GraphqlAnswer<T>>({ method: 'POST', path: '/graphql', body: { query, variables } });
  const error = response.body?.errors?.[0];
  const code = error?.extensions?.code;
  if (code === 'AUTHENTICATION_ERROR') throw new ProviderFailureError('invalid_credentials', `Linear refused the key: ${error!.message}`, { response });
  // Linear may say a spent allowance with a 400 and this code rather than a 429.
  if (code === 'RATELIMITED' && response.status !== 429) throw new ProviderFailureError('rate_limited', `Linear's rate limit is spent: ${error!.message}`, { response });
  if (response.status === 400 && error) throw new ProviderFailureError('bad_request', `Linear refused the query: ${error.message}`, { response });
  if (response.status < 400 && error) throw new ProviderFailureError('provider_error', `Linear answered with an error: ${error.message}`, { response });
  const { body } = expectOk(response);
  return body.data as T;
}

interface Issue {
  id: string;
  identifier: string;
  title: string;
  priority: number;
  url: string;
  createdAt: string;
  updatedAt: string;
  state?: { name: string } | null;
  team?: { key: string } | null;
  assignee?: { email: string } | null;
}

interface Connection<T> {
  nodes: T[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

const ISSUES = `query Issues($first: Int!, $after: String, $filter: IssueFilter) {
  issues(first: $first, after: $after, filter: $filter, orderBy: updatedAt) {
    nodes { id identifier title priority url createdAt updatedAt state { name } team { key } assignee { email } }
    pageInfo { hasNextPage endCursor }
  }
}`;

const Text = Type.Union([Type.String(), Type.Null()]);

/** Issues updated since the last run (`updatedAt: { gte }`), a page of 100 at a time; the page cursor is the checkpoint within a run. */
const issues: SyncDefinition = {
  model: 'issues',
  description: 'Linear issues',
  schema: Type.Object({ id: Type.String(), identifier: Type.String(), title: Type.String(), priority: Type.Integer(), state: Text, team: Text, assignee: Text, url: Type.String(), createdAt: Type.String(), updatedAt: Type.String() }),
  frequency: 'every 30m',
  dataStrategy: 'events',
  async exec(ctx) {
    const checkpoint = (await ctx.checkpoint.get<{ since?: string; cursor?: string; newest?: string }>()) ?? {};
    const since = ctx.full ? ctx.since?.toISOString() : (checkpoint.since ?? ctx.since?.toISOString());
    let newest = checkpoint.newest ?? since ?? '';
    let cursor = checkpoint.cursor;
    for (;;) {
      const { issues: page } = await graphql<{ issues: Connection<Issue> }>(ctx, ISSUES, { first: 100, after: cursor ?? null, filter: since ? { updatedAt: { gte: since } } : null });
      for (const issue of page.nodes) if (issue.updatedAt > newest) newest = issue.updatedAt;
      await ctx.batchSave(
        page.nodes.map((i) => ({
          externalId: i.id,
          data: { id: i.id, identifier: i.identifier, title: i.title, priority: i.priority, state: i.state?.name ?? null, team: i.team?.key ?? null, assignee: i.assignee?.email ?? null, url: i.url, createdAt: i.createdAt, updatedAt: i.updatedAt },
          updatedAt: i.updatedAt,
        })),
      );
      cursor = page.pageInfo.hasNextPage && page.pageInfo.endCursor ? page.pageInfo.endCursor : undefined;
      await ctx.checkpoint.save({ since: checkpoint.since, cursor, newest });
      if (!cursor || page.nodes.length === 0) break;
    }
    await ctx.checkpoint.save({ since: newest || since });
  },
};

interface LinearUser {
  id: string;
  name: string;
  email: string;
  active: boolean;
}

const USER_FIELDS = 'id name email active';
const asUser = (u: LinearUser): DirectoryUser => ({ id: u.id, email: u.email, name: u.name, active: u.active });

export default defineConnector({
  key: 'linear',
  name: 'Linear',
  description: 'Issues and users of a Linear workspace through its GraphQL API, with an API key, and its signed webhooks (issues, comments, projects…).',
  category: 'dev',
  icon: monogramIcon('Li', '#5e6ad2'),
  capabilities: ['proxy', 'records', 'webhooks', 'identity'],
  connectionMode: 'apiKey',
  auth: {
    fields: {
      apiKey: {
        label: 'API key',
        help: 'Settings → Account → Security & access → Personal API keys (read access is enough).',
        pattern: 'lin_api_[A-Za-z0-9]{20,}',
        patternHint: 'starts with lin_api_',
        secret: true,
      },
    },
    // Personal API keys go as they are; a Bearer prefix is for OAuth access tokens only.
    inject: { in: 'header', name: 'Authorization', format: '{apiKey}' },
  },
  baseUrls: { production: 'https://api.linear.app' },
  // Requests per API key per hour (complexity points are limited apart).
  rateLimit: '5000/hour',
  uiEmbeds: [{ surface: 'connection', placement: 'tab', title: 'Issues' }],
  docsUrl: 'https://linear.app/developers/graphql',
  syncs: [issues],

  async testConnection(ctx) {
    const { viewer, organization } = await graphql<{ viewer: LinearUser; organization: { id: string; name: string; urlKey: string } }>(ctx, `query { viewer { ${USER_FIELDS} } organization { id name urlKey } }`);
    return connected({ id: organization.id, name: organization.name, workspace: organization.urlKey, user: viewer.email });
  },

  async lookupUser(ctx, query) {
    if (query.id) {
      const found = await graphql<{ users: Connection<LinearUser> }>(ctx, `query User($id: ID!) { users(first: 1, filter: { id: { eq: $id } }) { nodes { ${USER_FIELDS} } pageInfo { hasNextPage endCursor } } }`, { id: query.id });
      return found.users.nodes[0] ? asUser(found.users.nodes[0]) : undefined;
    }
    if (!query.email) return undefined;
    const found = await graphql<{ users: Connection<LinearUser> }>(ctx, `query UserByEmail($email: String!) { users(first: 1, filter: { email: { eqIgnoreCase: $email } }) { nodes { ${USER_FIELDS} } pageInfo { hasNextPage endCursor } } }`, { email: query.email });
    return found.users.nodes[0] ? asUser(found.users.nodes[0]) : undefined;
  },

  webhooks: {
    verify(request, secrets) {
      const signature = request.headers['linear-signature'];
      if (!signature) return refused('the Linear-Signature header is missing');
      const expected = secrets.map((secret) => hmac('sha256', secret, request.rawBody).toString('hex'));
      return matchesAny(expected, [signature]) ? verified : refused('the signature does not match');
    },
    eventId: (request) => request.headers['linear-delivery'],
    route(request) {
      const payload = parseJsonBody(request);
      const type = jsonField(payload, 'type') ?? request.headers['linear-event'] ?? 'unknown';
      const action = jsonField(payload, 'action');
      return { eventType: action ? `${type}.${action}` : type, externalAccountId: jsonField(payload, 'organizationId'), payload };
    },
  },
});
