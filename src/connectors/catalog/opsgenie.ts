/**
 * Opsgenie: alerts of an Opsgenie account through its REST API with an API integration key, and
 * alert activity received from its Webhook integration. API reference: authentication
 * (`Authorization: GenieKey <key>`): https://docs.opsgenie.com/docs/authentication; Account API
 * (`GET /v2/account`): https://docs.opsgenie.com/docs/account-api; Alert API (create, acknowledge and
 * close by alias): https://docs.opsgenie.com/docs/alert-api; EU accounts at api.eu.opsgenie.com.
 * Outgoing webhooks (the alert and its action, with the custom headers the admin adds):
 * https://support.atlassian.com/opsgenie/docs/integrate-opsgenie-with-outgoing-webhooks/
 */
import { connected, defineConnector, expectOk, jsonField, matchesAny, monogramIcon, parseJsonBody, refused, verified } from '../sdk.ts';

export default defineConnector({
  key: 'opsgenie',
  name: 'Opsgenie',
  description: 'Alerts of an Opsgenie account — created, acknowledged and closed by alias through the API — and alert activity received from its Webhook integration.',
  category: 'ops',
  icon: monogramIcon('Og', '#2684ff'),
  capabilities: ['proxy', 'webhooks'],
  connectionMode: 'apiKey',
  auth: {
    fields: {
      apiKey: {
        label: 'API key',
        help: 'An API integration’s key (Settings → Integrations → API), with read and create-and-update access.',
        pattern: '[0-9a-z-]{30,40}',
        patternHint: 'is the integration’s key, like eb243592-faa2-4ba2-a551-1afdf565c889',
        secret: true,
      },
    },
    inject: { in: 'header', name: 'Authorization', format: 'GenieKey {apiKey}' },
  },
  baseUrls: { production: 'https://api.opsgenie.com', eu: 'https://api.eu.opsgenie.com' },
  // No rateLimit: Opsgenie's limits depend on the plan and the endpoint; 429s say when to retry.
  uiEmbeds: [{ surface: 'connection', placement: 'tab', title: 'Alerts' }],
  docsUrl: 'https://docs.opsgenie.com/docs/api-overview',

  async testConnection(ctx) {
    const { body } = expectOk(await ctx.http.request<{ data: { name: string; plan?: { name?: string } } }>({ path: '/v2/account' }));
    return connected({ name: body.data.name, plan: body.data.plan?.name });
  },

  // The Webhook integration signs nothing: the admin adds a custom header holding a secret
  // (`settings.authorizationHeader` names it; `Authorization` by default).
  webhooks: {
    verify(request, secrets, { settings }) {
      const header = (settings.authorizationHeader ?? 'authorization').toLowerCase();
      const value = request.headers[header];
      if (!value) return refused(`the ${header} header is missing`);
      return matchesAny(secrets, [value]) ? verified : refused(`the ${header} header does not match`);
    },
    // Opsgenie sends no delivery id: the alert, the action and the alert's update time name one.
    eventId(request) {
      const payload = parseJsonBody(request);
      const alert = jsonField(payload, 'alert.alertId');
      return alert ? `${alert}:${jsonField(payload, 'action') ?? ''}:${jsonField(payload, 'alert.updatedAt') ?? ''}` : undefined;
    },
    route(request) {
      const payload = parseJsonBody(request);
      const action = jsonField(payload, 'action');
      return { eventType: action ? `alert.${action.toLowerCase()}` : 'unknown', externalAccountId: jsonField(payload, 'integrationId'), payload };
    },
  },
});
