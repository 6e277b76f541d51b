/**
 * Okta: users and groups of an Okta org, connected with OAuth 2.0 / OpenID Connect against the
 * org authorization server of the customer's own Okta domain. API reference:
 * https://developer.okta.com/docs/api/ (OAuth 2.0 & OIDC, Users, error codes, rate limits).
 * Event hooks: https://developer.okta.com/docs/concepts/event-hooks/
 */
import { Type } from 'typebox';
import type { SyncDefinition } from '../extensions.ts';
import { connected, defineConnector, expectOk, monogramIcon, bodyField, jsonField, matchesAny, parseJsonBody, refused, verified, type DirectoryUser } from '../sdk.ts';

interface OktaUser {
  id: string;
  status: string;
  created?: string;
  lastUpdated?: string;
  profile: { login: string; email?: string; firstName?: string; lastName?: string };
}

const Text = Type.Union([Type.String(), Type.Null()]);

/**
 * Users of the org (https://developer.okta.com/docs/api/openapi/okta-management/management/tag/User/#tag/User/operation/listUsers):
 * pages of 200 ordered by id, linked with `Link: rel="next"`; an incremental run asks only for
 * users updated since the last one with `search=lastUpdated gt "…"`.
 */
const users: SyncDefinition = {
  model: 'users',
  description: 'Okta users',
  schema: Type.Object({ id: Type.String(), status: Type.String(), login: Type.String(), email: Text, firstName: Text, lastName: Text, created: Text, lastUpdated: Text }),
  frequency: 'hourly',
  dataStrategy: 'events',
  async exec(ctx) {
    const checkpoint = (await ctx.checkpoint.get<{ since?: string; next?: string; newest?: string }>()) ?? {};
    const since = ctx.full ? ctx.since?.toISOString() : (checkpoint.since ?? ctx.since?.toISOString());
    let newest = checkpoint.newest ?? since ?? '';
    const pages = ctx.paginate<OktaUser>(
      { path: '/api/v1/users', query: { limit: 200, ...(since ? { search: `lastUpdated gt "${since}"` } : {}) } },
      { type: 'link', results: '', start: checkpoint.next },
    );
    for await (const page of pages) {
      for (const user of page.items) if (user.lastUpdated && user.lastUpdated > newest) newest = user.lastUpdated;
      await ctx.batchSave(
        page.items.map((u) => ({
          externalId: u.id,
          data: { id: u.id, status: u.status, login: u.profile.login, email: u.profile.email ?? null, firstName: u.profile.firstName ?? null, lastName: u.profile.lastName ?? null, created: u.created ?? null, lastUpdated: u.lastUpdated ?? null },
          ...(u.lastUpdated ? { updatedAt: u.lastUpdated } : {}),
        })),
      );
      await ctx.checkpoint.save({ since: checkpoint.since, next: page.next === undefined ? undefined : String(page.next), newest });
    }
    await ctx.checkpoint.save({ since: newest || since });
  },
};

const asUser = (u: OktaUser): DirectoryUser => ({
  id: u.id,
  email: u.profile.email,
  name: [u.profile.firstName, u.profile.lastName].filter(Boolean).join(' ') || u.profile.login,
  status: u.status,
  active: u.status === 'ACTIVE',
});

export default defineConnector({
  key: 'okta',
  name: 'Okta',
  description: 'Users and groups of an Okta org, and single sign-on through OpenID Connect, connected with OAuth on the customer\'s Okta domain.',
  category: 'identity',
  icon: monogramIcon('Ok', '#007dc1'),
  capabilities: ['proxy', 'identity', 'records', 'webhooks'],
  connectionMode: 'oauth',
  connectionConfig: {
    domain: {
      label: 'Okta domain',
      help: 'The host of your Okta org, as in your admin console address without "-admin": acme.okta.com, or a custom domain.',
      placeholder: 'acme.okta.com',
      format: 'hostname',
      pattern: '[A-Za-z0-9][A-Za-z0-9-]*(\\.[A-Za-z0-9-]+)+',
      patternHint: 'is a host name such as acme.okta.com, without https://',
    },
  },
  auth: {
    authorizationUrl: 'https://{domain}/oauth2/v1/authorize',
    tokenUrl: 'https://{domain}/oauth2/v1/token',
    revocationUrl: 'https://{domain}/oauth2/v1/revoke',
    scopes: ['openid', 'profile', 'email', 'offline_access', 'okta.users.read.self', 'okta.users.read'],
    // Service apps may use client credentials (Okta requires private_key_jwt for management scopes).
    clientCredentials: true,
    // The org authorization server's issuer is the org URL.
    oidc: { issuer: 'https://{domain}' },
  },
  baseUrls: { production: 'https://{domain}' },
  // /api/v1/users: 600 requests per minute on most org plans.
  rateLimit: '600/minute',
  uiEmbeds: [{ surface: 'connect', placement: 'modal', title: 'Sign in with Okta' }],
  docsUrl: 'https://developer.okta.com/docs/api/',

  syncs: [users],

  async testConnection(ctx) {
    const { body } = expectOk(await ctx.http.request<OktaUser>({ path: '/api/v1/users/me' }));
    return connected({ id: body.id, name: body.profile.login, org: ctx.config.domain, status: body.status });
  },

  // GET /api/v1/users/{id} takes the id or the login (which is usually the email).
  async lookupUser(ctx, query) {
    const key = query.id ?? query.email;
    if (!key) return undefined;
    const response = await ctx.http.request<OktaUser>({ path: `/api/v1/users/${encodeURIComponent(key)}` });
    if (response.status === 404) return undefined;
    return asUser(expectOk(response).body);
  },


  // Event hooks (https://developer.okta.com/docs/concepts/event-hooks/): Okta sends the secret
  // the admin configured in an authorization header (its name is configurable, `Authorization`
  // by default), and verifies the endpoint once with a GET carrying
  // `X-Okta-Verification-Challenge`, to be echoed back as `{ "verification": … }`.
  webhooks: {
    methods: ['GET'],
    verify(request, secrets, { settings }) {
      const header = (settings.authorizationHeader ?? 'authorization').toLowerCase();
      const value = request.headers[header];
      if (!value) return refused(`the ${header} header is missing`);
      return matchesAny(secrets, [value]) ? verified : refused(`the ${header} header does not match`);
    },
    handshake(request) {
      const challenge = request.headers['x-okta-verification-challenge'];
      if (request.method !== 'GET' || !challenge) return undefined;
      return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ verification: challenge }) };
    },
    eventId: (request) => bodyField(request, 'eventId'),
    route(request) {
      const payload = parseJsonBody(request);
      const source = jsonField(payload, 'source');
      let domain: string | undefined;
      try {
        domain = source ? new URL(source).host : undefined;
      } catch {
        domain = undefined;
      }
      return { eventType: jsonField(payload, 'data.events.0.eventType') ?? jsonField(payload, 'eventType') ?? 'unknown', externalAccountId: domain, payload };
    },
  },
});
