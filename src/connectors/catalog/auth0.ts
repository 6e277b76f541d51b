/**
 * Auth0: users of an Auth0 tenant, read through the Management API v2, and its log streams
 * received as webhooks. API reference: https://auth0.com/docs/api/management/v2 (Management API
 * access tokens: https://auth0.com/docs/secure/tokens/access-tokens/management-api-access-tokens;
 * users: `GET /api/v2/users` with `page`, `per_page`, `include_totals`, `sort`, `q` in Lucene
 * syntax; `GET /api/v2/users/{id}`; `GET /api/v2/users-by-email`; errors
 * `{ statusCode, error, message, errorCode }`). Log streams to a custom webhook (a JSON array of
 * `{ log_id, data }`, sent with the authorization header the admin configured):
 * https://auth0.com/docs/customize/log-streams/custom-log-streams
 */
import { Type } from 'typebox';
import type { SyncDefinition } from '../extensions.ts';
import { connected, defineConnector, expectOk, bodyField, jsonField, matchesAny, monogramIcon, parseJsonBody, refused, verified, type DirectoryUser } from '../sdk.ts';

interface Auth0User {
  user_id: string;
  email?: string;
  name?: string;
  nickname?: string;
  blocked?: boolean;
  email_verified?: boolean;
  created_at: string;
  updated_at: string;
  last_login?: string;
}

const Text = Type.Union([Type.String(), Type.Null()]);

/** Users by modification time, oldest first; an incremental run asks for those updated since the last. */
const users: SyncDefinition = {
  model: 'users',
  description: 'Auth0 users',
  schema: Type.Object({ id: Type.String(), email: Text, name: Text, blocked: Type.Boolean(), emailVerified: Type.Boolean(), createdAt: Type.String(), updatedAt: Type.String(), lastLogin: Text }),
  frequency: 'hourly',
  dataStrategy: 'events',
  async exec(ctx) {
    const checkpoint = (await ctx.checkpoint.get<{ since?: string; page?: number; newest?: string }>()) ?? {};
    const since = ctx.full ? ctx.since?.toISOString() : (checkpoint.since ?? ctx.since?.toISOString());
    let newest = checkpoint.newest ?? since ?? '';
    const pages = ctx.paginate<Auth0User>(
      { path: '/api/v2/users', query: { include_totals: true, sort: 'updated_at:1', search_engine: 'v3', ...(since ? { q: `updated_at:[${since} TO *]` } : {}) } },
      { type: 'page', results: 'users', pageParam: 'page', limitParam: 'per_page', limit: 100, first: 0, start: checkpoint.page },
    );
    for await (const page of pages) {
      for (const u of page.items) if (u.updated_at > newest) newest = u.updated_at;
      await ctx.batchSave(
        page.items.map((u) => ({
          externalId: u.user_id,
          data: { id: u.user_id, email: u.email ?? null, name: u.name ?? u.nickname ?? null, blocked: u.blocked ?? false, emailVerified: u.email_verified ?? false, createdAt: u.created_at, updatedAt: u.updated_at, lastLogin: u.last_login ?? null },
          updatedAt: u.updated_at,
        })),
      );
      await ctx.checkpoint.save({ since: checkpoint.since, page: page.next === undefined ? undefined : Number(page.next), newest });
    }
    await ctx.checkpoint.save({ since: newest || since });
  },
};

const asUser = (u: Auth0User): DirectoryUser => ({ id: u.user_id, email: u.email, name: u.name ?? u.nickname, status: u.blocked ? 'blocked' : 'active', active: !u.blocked });

export default defineConnector({
  key: 'auth0',
  name: 'Auth0',
  description: 'Users of an Auth0 tenant through the Management API, and its log streams (logins, sign-ups, failures) received as webhooks.',
  category: 'identity',
  icon: monogramIcon('A0', '#eb5424'),
  capabilities: ['proxy', 'records', 'webhooks', 'identity'],
  connectionMode: 'apiKey',
  connectionConfig: {
    domain: {
      label: 'Tenant domain',
      help: 'Your tenant’s domain (Settings → Custom Domains, or the default acme.us.auth0.com).',
      placeholder: 'acme.us.auth0.com',
      format: 'hostname',
      pattern: '[A-Za-z0-9][A-Za-z0-9-]*(\\.[A-Za-z0-9-]+)+',
      patternHint: 'is a host name such as acme.us.auth0.com, without https://',
    },
  },
  auth: {
    fields: {
      apiToken: {
        label: 'Management API token',
        help: 'A token for the Auth0 Management API with read:users (Applications → APIs → Auth0 Management API → API Explorer, or one issued to a machine-to-machine application).',
        secret: true,
      },
    },
    inject: { in: 'header', name: 'Authorization', format: 'Bearer {apiToken}' },
  },
  baseUrls: { production: 'https://{domain}' },
  // No rateLimit: Auth0's Management API limits depend on the subscription and endpoint; 429s carry x-ratelimit-reset.
  uiEmbeds: [{ surface: 'connection', placement: 'tab', title: 'Users' }],
  docsUrl: 'https://auth0.com/docs/api/management/v2',
  syncs: [users],

  async testConnection(ctx) {
    const { body } = expectOk(await ctx.http.request<{ total: number }>({ path: '/api/v2/users', query: { per_page: 1, include_totals: true } }));
    return connected({ name: ctx.config.domain, users: body.total });
  },

  async lookupUser(ctx, query) {
    if (query.id) {
      const response = await ctx.http.request<Auth0User>({ path: `/api/v2/users/${encodeURIComponent(query.id)}` });
      return response.status === 404 ? undefined : asUser(expectOk(response).body);
    }
    if (!query.email) return undefined;
    const { body } = expectOk(await ctx.http.request<Auth0User[]>({ path: '/api/v2/users-by-email', query: { email: query.email } }));
    return body[0] ? asUser(body[0]) : undefined;
  },

  // A custom webhook log stream sends the authorization header value the admin set, as is.
  webhooks: {
    verify(request, secrets) {
      const value = request.headers.authorization;
      if (!value) return refused('the authorization header is missing');
      return matchesAny(secrets, [value]) ? verified : refused('the authorization header does not match');
    },
    eventId: (request) => bodyField(request, '0.log_id') ?? bodyField(request, 'log_id'),
    route(request) {
      const payload = parseJsonBody(request);
      const type = jsonField(payload, '0.data.type') ?? jsonField(payload, 'data.type');
      return { eventType: type ? `log.${type}` : 'unknown', externalAccountId: jsonField(payload, '0.data.tenant_name') ?? jsonField(payload, 'data.tenant_name'), payload };
    },
  },
});
