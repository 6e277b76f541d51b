/**
 * Okta: users and groups of an Okta org, connected with OAuth 2.0 / OpenID Connect against the
 * org authorization server of the customer's own Okta domain. API reference:
 * https://developer.okta.com/docs/api/ (OAuth 2.0 & OIDC, Users, error codes, rate limits).
 * Event hooks: https://developer.okta.com/docs/concepts/event-hooks/
 */
import { connected, defineConnector, expectOk, monogramIcon, jsonField, matchesAny, parseJsonBody, refused, verified } from '../sdk.ts';

interface OktaUser {
  id: string;
  status: string;
  profile: { login: string; email?: string; firstName?: string; lastName?: string };
}

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
    scopes: ['openid', 'profile', 'email', 'offline_access', 'okta.users.read.self'],
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

  async testConnection(ctx) {
    const { body } = expectOk(await ctx.http.request<OktaUser>({ path: '/api/v1/users/me' }));
    return connected({ id: body.id, name: body.profile.login, org: ctx.config.domain, status: body.status });
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
    eventId: (request) => jsonField(parseJsonBody(request), 'eventId'),
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
