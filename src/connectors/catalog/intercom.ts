/**
 * Intercom: webhook notifications of an Intercom workspace (topics such as conversation.user.created).
 * Webhooks: https://developers.intercom.com/docs/webhooks (notification object, signatures).
 */
import { connected, defineConnector, hmac, jsonField, matchesAny, monogramIcon, parseJsonBody, refused, verified } from '../sdk.ts';

export default defineConnector({
  key: 'intercom',
  name: 'Intercom',
  description: 'Conversation, contact and ticket topics of an Intercom workspace, received as signed webhook notifications.',
  category: 'support',
  icon: monogramIcon('Ic', '#1f8ded'),
  capabilities: ['webhooks'],
  connectionMode: 'apiKey',
  auth: {
    fields: {
      signingSecret: {
        label: 'Client secret',
        help: 'The app’s client secret (Developer Hub → your app → Basic information).',
        secret: true,
        required: false,
      },
    },
    // No inject: the secret only verifies deliveries.
  },
  uiEmbeds: [{ surface: 'connection', placement: 'tab', title: 'Received events' }],
  docsUrl: 'https://developers.intercom.com/docs/webhooks',

  async testConnection() {
    return connected({ name: 'Intercom', note: 'Patchbay receives this provider\'s webhooks; send a test delivery to the source URL to check it.' });
  },

  // https://developers.intercom.com/docs/webhooks/webhook-notifications: `X-Hub-Signature:
  // sha1=<hex HMAC-SHA1 of the body>` keyed by the app's client secret.
  webhooks: {
    verify(request, secrets) {
      const signature = request.headers['x-hub-signature'];
      if (!signature?.startsWith('sha1=')) return refused('the X-Hub-Signature header is missing');
      const expected = secrets.map((secret) => `sha1=${hmac('sha1', secret, request.rawBody).toString('hex')}`);
      return matchesAny(expected, [signature]) ? verified : refused('the signature does not match');
    },
    eventId: (request) => jsonField(parseJsonBody(request), 'id'),
    route(request) {
      const payload = parseJsonBody(request);
      return { eventType: jsonField(payload, 'topic') ?? 'unknown', externalAccountId: jsonField(payload, 'app_id'), payload };
    },
  },
});
