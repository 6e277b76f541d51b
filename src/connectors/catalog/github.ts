/**
 * GitHub: repositories, issues and pull requests of a user, connected as an OAuth app.
 * API reference: https://docs.github.com/en/rest (users, rate limits, pagination); OAuth apps:
 * https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps
 */
import { connected, defineConnector, expectOk, monogramIcon } from '../sdk.ts';

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
});
