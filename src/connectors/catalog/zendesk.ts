/**
 * Zendesk: webhooks of a Zendesk account (event subscriptions, triggers and automations).
 * Webhooks: https://developer.zendesk.com/documentation/webhooks/ (verifying, event payloads).
 */
import { connected, defineConnector, hmac, jsonField, matchesAny, monogramIcon, parseJsonBody, refused, verified, withinTolerance } from '../sdk.ts';

export default defineConnector({
  key: 'zendesk',
  name: 'Zendesk',
  description: 'Ticket, user and organization events of a Zendesk account, received as signed webhooks.',
  category: 'support',
  icon: monogramIcon('Zd', '#03363d'),
  capabilities: ['webhooks'],
  connectionMode: 'apiKey',
  auth: {
    fields: {
      signingSecret: {
        label: 'Signing secret',
        help: 'The webhook’s signing secret (Admin Center → Apps and integrations → Webhooks → the webhook → Reveal secret).',
        secret: true,
        required: false,
      },
    },
    // No inject: the secret only verifies deliveries.
  },
  uiEmbeds: [{ surface: 'connection', placement: 'tab', title: 'Received events' }],
  docsUrl: 'https://developer.zendesk.com/documentation/webhooks/',

  async testConnection() {
    return connected({ name: 'Zendesk', note: 'Patchbay receives this provider\'s webhooks; send a test delivery to the source URL to check it.' });
  },

  // https://developer.zendesk.com/documentation/webhooks/verifying/: base64 HMAC-SHA256 of
  // timestamp + body, in `X-Zendesk-Webhook-Signature`, the timestamp (ISO 8601) beside it.
  webhooks: {
    verify(request, secrets, { toleranceSeconds }) {
      const signature = request.headers['x-zendesk-webhook-signature'];
      const timestamp = request.headers['x-zendesk-webhook-signature-timestamp'];
      if (!signature) return refused('the X-Zendesk-Webhook-Signature header is missing');
      const stale = withinTolerance(timestamp, request.receivedAt, toleranceSeconds, /^\d+$/.test(timestamp ?? '') ? 'seconds' : 'iso');
      if (stale) return refused(stale);
      const expected = secrets.map((secret) => hmac('sha256', secret, timestamp!, request.rawBody).toString('base64'));
      return matchesAny(expected, [signature]) ? verified : refused('the signature does not match');
    },
    eventId: (request) => jsonField(parseJsonBody(request), 'id') ?? request.headers['x-zendesk-webhook-invocation-id'],
    route(request) {
      const payload = parseJsonBody(request);
      return { eventType: jsonField(payload, 'type') ?? 'webhook', externalAccountId: jsonField(payload, 'account_id'), payload };
    },
  },
});
