/**
 * HubSpot CRM: contacts, companies and deals of one HubSpot account, connected with OAuth.
 * API reference: https://developers.hubspot.com/docs/api-reference (account details, error
 * handling, CRM objects); OAuth: https://developers.hubspot.com/docs/api/oauth-quickstart-guide
 */
import { connected, defineConnector, expectOk, monogramIcon } from '../sdk.ts';

interface AccountDetails {
  portalId: number;
  accountType?: string;
  timeZone?: string;
  companyCurrency?: string;
  uiDomain?: string;
  dataHostingLocation?: string;
}

export default defineConnector({
  key: 'hubspot',
  name: 'HubSpot',
  description: 'Contacts, companies and deals from a HubSpot CRM account, connected with OAuth.',
  category: 'crm',
  icon: monogramIcon('Hs', '#ff7a59'),
  capabilities: ['proxy', 'records', 'webhooks'],
  connectionMode: 'oauth',
  auth: {
    authorizationUrl: 'https://app.hubspot.com/oauth/authorize',
    tokenUrl: 'https://api.hubapi.com/oauth/v1/token',
    // HubSpot has no RFC 7009 endpoint (it deletes refresh tokens with DELETE /oauth/v1/refresh-tokens/{token}).
    scopes: ['oauth', 'crm.objects.contacts.read'],
    // The token endpoint takes client_id and client_secret in the form body.
    tokenEndpointAuthMethod: 'client_secret_post',
  },
  baseUrls: { production: 'https://api.hubapi.com' },
  // Public apps: 110 requests every 10 seconds per installed account.
  rateLimit: '110/10 seconds',
  uiEmbeds: [{ surface: 'dashboard', placement: 'sidebar', title: 'HubSpot contacts' }],
  docsUrl: 'https://developers.hubspot.com/docs/api-reference',

  async testConnection(ctx) {
    const { body } = expectOk(await ctx.http.request<AccountDetails>({ path: '/account-info/v3/details' }));
    return connected({
      id: String(body.portalId),
      name: `HubSpot account ${body.portalId}`,
      accountType: body.accountType,
      timeZone: body.timeZone,
      currency: body.companyCurrency,
      dataHostingLocation: body.dataHostingLocation,
    });
  },
});
