/**
 * HubSpot CRM: contacts, companies and deals of one HubSpot account, connected with OAuth.
 * API reference: https://developers.hubspot.com/docs/api-reference (account details, error
 * handling, CRM objects); OAuth: https://developers.hubspot.com/docs/api/oauth-quickstart-guide
 * Webhooks: https://developers.hubspot.com/docs/api/webhooks and request validation (v1, v2, v3).
 */
import { createHash } from 'node:crypto';
import { connected, defineConnector, expectOk, monogramIcon, hmac, jsonField, matchesAny, parseJsonBody, refused, verified, withinTolerance } from '../sdk.ts';

interface AccountDetails {
  portalId: number;
  accountType?: string;
  timeZone?: string;
  companyCurrency?: string;
  uiDomain?: string;
  dataHostingLocation?: string;
}

const hubspotEvents = (payload: unknown): unknown[] => (Array.isArray(payload) ? payload : payload === undefined ? [] : [payload]);

// v3 signs the URI with these characters decoded (the `?` before the query stays as it is).
const V3_DECODED: Record<string, string> = { '%3A': ':', '%2F': '/', '%3F': '?', '%40': '@', '%21': '!', '%24': '$', '%27': "'", '%28': '(', '%29': ')', '%2A': '*', '%2C': ',', '%3B': ';' };
const decodeHubspotUri = (uri: string): string => uri.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (m) => V3_DECODED[m.toUpperCase()]!);

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


  // https://developers.hubspot.com/docs/apps/legacy-apps/authentication/validating-requests:
  // v3 signs method + URI + body + timestamp (ms) with HMAC-SHA256 (base64); v2 is
  // sha256(secret + method + URI + body) and v1 sha256(secret + body), both hex.
  webhooks: {
    verify(request, secrets, { toleranceSeconds }) {
      const v3 = request.headers['x-hubspot-signature-v3'];
      if (v3) {
        const timestamp = request.headers['x-hubspot-request-timestamp'];
        const stale = withinTolerance(timestamp, request.receivedAt, toleranceSeconds, 'milliseconds');
        if (stale) return refused(stale);
        const uri = decodeHubspotUri(request.url);
        const expected = secrets.map((secret) => hmac('sha256', secret, request.method, uri, request.rawBody, timestamp!).toString('base64'));
        return matchesAny(expected, [v3]) ? verified : refused('the v3 signature does not match');
      }
      const signature = request.headers['x-hubspot-signature'];
      const version = request.headers['x-hubspot-signature-version'] ?? 'v1';
      if (!signature) return refused('no X-HubSpot-Signature-v3 or X-HubSpot-Signature header');
      if (version !== 'v1' && version !== 'v2') return refused(`unknown signature version ${version}`);
      const expected = secrets.map((secret) =>
        createHash('sha256')
          .update(version === 'v2' ? `${secret}${request.method}${request.url}` : secret)
          .update(request.rawBody)
          .digest('hex'),
      );
      return matchesAny(expected, [signature]) ? verified : refused(`the ${version} signature does not match`);
    },
    // A delivery carries up to 100 events; a retry carries the same ones.
    eventId(request) {
      const ids = hubspotEvents(parseJsonBody(request)).map((event) => jsonField(event, 'eventId')).filter((id) => id !== undefined);
      return ids.length > 0 ? ids.join(',') : undefined;
    },
    route(request) {
      const payload = parseJsonBody(request);
      const [first] = hubspotEvents(payload);
      return { eventType: jsonField(first, 'subscriptionType') ?? 'unknown', externalAccountId: jsonField(first, 'portalId'), payload };
    },
  },
});
