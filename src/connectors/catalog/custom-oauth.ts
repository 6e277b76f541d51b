/**
 * Custom OAuth: any OAuth 2.0 provider, described by the URLs the developer enters on the
 * integration (authorization, token, optional revocation, API base). The test calls a path the
 * developer names, typically an OpenID Connect UserInfo endpoint.
 * Standards: RFC 6749, RFC 7636 (PKCE), RFC 7009 (revocation), RFC 6750 (bearer tokens).
 */
import { connected, defineConnector, expectOk, monogramIcon, pick } from '../sdk.ts';

export default defineConnector({
  key: 'custom-oauth',
  name: 'Custom OAuth 2.0',
  description: 'Any OAuth 2.0 provider, given its authorization, token and API URLs: authorization code with PKCE, refresh, client credentials and revocation.',
  category: 'dev',
  icon: monogramIcon('OA', '#475569'),
  capabilities: ['proxy'],
  connectionMode: 'oauth',
  integrationConfig: {
    authorizationUrl: { label: 'Authorization URL', format: 'url', placeholder: 'https://provider.example/oauth/authorize' },
    tokenUrl: { label: 'Token URL', format: 'url', placeholder: 'https://provider.example/oauth/token' },
    revocationUrl: {
      label: 'Revocation URL',
      help: 'RFC 7009 endpoint; leave empty if the provider cannot revoke tokens.',
      format: 'url',
      required: false,
    },
    apiBaseUrl: { label: 'API base URL', format: 'url', placeholder: 'https://api.provider.example/v1' },
    testPath: {
      label: 'Test path',
      help: 'A GET path under the API base URL that answers for any valid token, e.g. /userinfo or /me. Leave empty to skip testing.',
      pattern: '/[^?#\\s]*',
      patternHint: 'starts with / and has no query string',
      required: false,
    },
    accountIdField: { label: 'Account id field', help: 'Dotted path in the test answer, e.g. sub or data.id.', required: false, default: 'sub' },
    accountNameField: { label: 'Account name field', help: 'Dotted path in the test answer, e.g. name or email.', required: false, default: 'name' },
  },
  auth: {
    authorizationUrl: '{authorizationUrl}',
    tokenUrl: '{tokenUrl}',
    revocationUrl: '{revocationUrl}',
    // The integration sets the scopes.
    scopes: [],
    clientCredentials: true,
  },
  baseUrls: { production: '{apiBaseUrl}' },
  docsUrl: 'https://www.rfc-editor.org/rfc/rfc6749',

  async testConnection(ctx) {
    if (!ctx.config.testPath) {
      return connected({ note: 'No test path is set on the integration, so the token was stored but not tried.' });
    }
    const { body } = expectOk(await ctx.http.request({ path: ctx.config.testPath }));
    const id = pick(body, ctx.config.accountIdField);
    const name = pick(body, ctx.config.accountNameField);
    return connected({
      id: typeof id === 'string' || typeof id === 'number' ? String(id) : undefined,
      name: typeof name === 'string' ? name : undefined,
    });
  },
});
