/**
 * GitHub: repositories, issues and pull requests of a user, connected as an OAuth app.
 * API reference: https://docs.github.com/en/rest (users, rate limits, pagination); OAuth apps:
 * https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps
 * Webhooks: https://docs.github.com/en/webhooks (deliveries, headers, signatures).
 */
import { connected, defineConnector, expectOk, monogramIcon, hmac, jsonField, matchesAny, parseJsonBody, refused, verified } from '../sdk.ts';

interface GithubUser {
  id: number;
  login: string;
  name?: string | null;
  html_url?: string;
  type?: string;
}

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
