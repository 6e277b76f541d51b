/**
 * Custom webhook: a provider that only sends us webhooks (no API to call). Deliveries signed the
 * Standard Webhooks way (`webhook-id`, `webhook-timestamp`, `webhook-signature`, `whsec_` secrets)
 * are verified here; the inbound webhooks module decides what to do with unsigned sources.
 * Specification: https://www.standardwebhooks.com (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md)
 */
import { connected, defineConnector, jsonField, monogramIcon, parseJsonBody, verifyStandardWebhook } from '../sdk.ts';

export default defineConnector({
  key: 'custom-webhook',
  name: 'Custom webhook',
  description: 'Any service that sends webhooks: receive, verify (Standard Webhooks signatures) and route its events, with no API to call.',
  category: 'dev',
  icon: monogramIcon('Wh', '#0f766e'),
  capabilities: ['webhooks'],
  connectionMode: 'apiKey',
  auth: {
    fields: {
      signingSecret: {
        label: 'Signing secret',
        help: 'The whsec_… secret the sender signs deliveries with. Leave empty if the sender does not sign.',
        placeholder: 'whsec_…',
        pattern: 'whsec_[A-Za-z0-9+/=]{24,}',
        patternHint: 'starts with whsec_ followed by the base64 secret',
        secret: true,
        required: false,
      },
    },
    // No inject: the secret is never sent anywhere, only used to verify deliveries.
  },
  uiEmbeds: [{ surface: 'connection', placement: 'tab', title: 'Received events' }],
  docsUrl: 'https://www.standardwebhooks.com',

  async testConnection() {
    return connected({ name: 'Webhook sender', note: 'This provider only sends webhooks: there is no API to test. Send a test delivery to its source URL instead.' });
  },

  webhooks: {
    verify: (request, secrets, { toleranceSeconds }) => verifyStandardWebhook(request, secrets, toleranceSeconds),
    eventId: (request) => request.headers['webhook-id'] ?? request.headers['svix-id'],
    route(request) {
      const payload = parseJsonBody(request) ?? request.rawBody.toString('utf8');
      return { eventType: jsonField(payload, 'type') ?? 'webhook', payload };
    },
  },
});
