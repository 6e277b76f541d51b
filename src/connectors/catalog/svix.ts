/**
 * Svix: senders that deliver webhooks through Svix (many SaaS products do).
 * Verifying: https://docs.svix.com/receiving/verifying-payloads/how-manual
 */
import { connected, defineConnector, jsonField, monogramIcon, parseJsonBody, verifyStandardWebhook } from '../sdk.ts';

export default defineConnector({
  key: 'svix',
  name: 'Svix',
  description: 'Any sender that delivers through Svix (svix-id, svix-timestamp, svix-signature headers), verified with its whsec_ secret.',
  category: 'dev',
  icon: monogramIcon('Sx', '#3b4bdb'),
  capabilities: ['webhooks'],
  connectionMode: 'apiKey',
  auth: {
    fields: {
      signingSecret: {
        label: 'Signing secret',
        help: 'The endpoint’s whsec_… secret from the sender’s webhook settings.',
        secret: true,
        required: false,
      },
    },
    // No inject: the secret only verifies deliveries.
  },
  uiEmbeds: [{ surface: 'connection', placement: 'tab', title: 'Received events' }],
  docsUrl: 'https://docs.svix.com/receiving/verifying-payloads/how-manual',

  async testConnection() {
    return connected({ name: 'Svix', note: 'Patchbay receives this provider\'s webhooks; send a test delivery to the source URL to check it.' });
  },

  // https://docs.svix.com/receiving/verifying-payloads/how-manual: the Standard Webhooks scheme
  // under `svix-*` header names (the `webhook-*` names are accepted too).
  webhooks: {
    verify: (request, secrets, { toleranceSeconds }) => verifyStandardWebhook(request, secrets, toleranceSeconds),
    eventId: (request) => request.headers['svix-id'] ?? request.headers['webhook-id'],
    route(request) {
      const payload = parseJsonBody(request);
      return { eventType: jsonField(payload, 'type') ?? 'webhook', payload };
    },
  },
});
