/**
 * Salesforce: accounts, contacts and opportunities of one org, connected with OAuth (web server
 * flow with PKCE). The org's own host comes back as `instance_url` in the token response and
 * becomes the base URL. API reference:
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/ and OAuth endpoints:
 * https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_endpoints.htm
 */
import { ProviderFailureError, connected, defineConnector, expectOk, monogramIcon } from '../sdk.ts';

const API = '/services/data/v62.0';

type SalesforceErrors = { errorCode?: string; message?: string }[];

interface OrganizationQuery {
  records: { Id: string; Name: string; OrganizationType?: string; IsSandbox?: boolean }[];
}

export default defineConnector({
  key: 'salesforce',
  name: 'Salesforce',
  description: 'Accounts, contacts, leads and opportunities from a Salesforce org (production or sandbox), connected with OAuth.',
  category: 'crm',
  icon: monogramIcon('Sf', '#00a1e0'),
  capabilities: ['proxy', 'records', 'webhooks'],
  connectionMode: 'oauth',
  connectionConfig: {
    hostname: {
      label: 'Login host',
      help: 'login.salesforce.com for production orgs, test.salesforce.com for sandboxes, or your My Domain host (yourcompany.my.salesforce.com).',
      placeholder: 'login.salesforce.com',
      format: 'hostname',
      pattern: '(login|test)\\.salesforce\\.com|[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*\\.my\\.salesforce\\.com',
      patternHint: 'must be login.salesforce.com, test.salesforce.com or a *.my.salesforce.com host',
      required: false,
      default: 'login.salesforce.com',
    },
  },
  auth: {
    authorizationUrl: 'https://{hostname}/services/oauth2/authorize',
    tokenUrl: 'https://{hostname}/services/oauth2/token',
    revocationUrl: 'https://{hostname}/services/oauth2/revoke',
    scopes: ['api', 'refresh_token'],
    tokenResponseFields: ['instance_url', 'id'],
    tokenEndpointAuthMethod: 'client_secret_post',
  },
  // Every org is served from its own host, given at authorization time.
  baseUrls: { production: '{instance_url}' },
  // The org-wide allowance is per 24 hours and depends on edition and licences; 100,000 is the usual floor.
  rateLimit: '100000/day',
  uiEmbeds: [{ surface: 'dashboard', placement: 'card', title: 'Salesforce pipeline' }],
  docsUrl: 'https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/',

  async testConnection(ctx) {
    const response = await ctx.http.request<OrganizationQuery | SalesforceErrors>({
      path: `${API}/query`,
      query: { q: 'SELECT Id, Name, OrganizationType, IsSandbox FROM Organization' },
    });
    // Salesforce reports a spent API allowance as 403 REQUEST_LIMIT_EXCEEDED.
    const errors = Array.isArray(response.body) ? response.body : [];
    if (response.status === 403 && errors[0]?.errorCode === 'REQUEST_LIMIT_EXCEEDED') {
      throw new ProviderFailureError('rate_limited', errors[0].message, { response });
    }
    const org = (expectOk(response).body as OrganizationQuery).records[0];
    if (!org) throw new ProviderFailureError('unexpected_response', 'the Organization query returned no row');
    return connected({ id: org.Id, name: org.Name, edition: org.OrganizationType, sandbox: org.IsSandbox ?? null });
  },
});
