/**
 * Shopify: a store's webhooks (orders, customers, products), verified with the app's client
 * secret. Webhooks: https://shopify.dev/docs/apps/build/webhooks (headers, HMAC verification).
 */
import { connected, defineConnector, hmac, matchesAny, monogramIcon, parseJsonBody, refused, verified } from '../sdk.ts';

export default defineConnector({
  key: 'shopify',
  name: 'Shopify',
  description: 'Order, customer and product events of a Shopify store, received as signed webhooks.',
  category: 'commerce',
  icon: monogramIcon('Sh', '#5e8e3e'),
  capabilities: ['webhooks'],
  connectionMode: 'apiKey',
  auth: {
    fields: {
      signingSecret: {
        label: 'Client secret',
        help: 'The app’s client secret (Shopify signs webhooks with it).',
        secret: true,
        required: false,
      },
    },
    // No inject: the secret only verifies deliveries.
  },
  uiEmbeds: [{ surface: 'connection', placement: 'tab', title: 'Received events' }],
  docsUrl: 'https://shopify.dev/docs/apps/build/webhooks',

  async testConnection() {
    return connected({ name: 'Shopify', note: 'Patchbay receives this provider\'s webhooks; send a test delivery to the source URL to check it.' });
  },

  // https://shopify.dev/docs/apps/build/webhooks/subscribe/https: `X-Shopify-Hmac-Sha256` is the
  // base64 HMAC-SHA256 of the body keyed by the app's client secret; no timestamp is signed.
  webhooks: {
    verify(request, secrets) {
      const signature = request.headers['x-shopify-hmac-sha256'];
      if (!signature) return refused('the X-Shopify-Hmac-Sha256 header is missing');
      const expected = secrets.map((secret) => hmac('sha256', secret, request.rawBody).toString('base64'));
      return matchesAny(expected, [signature]) ? verified : refused('the signature does not match');
    },
    // The same on every retry of a delivery.
    eventId: (request) => request.headers['x-shopify-webhook-id'] ?? request.headers['x-shopify-event-id'],
    route(request) {
      return { eventType: request.headers['x-shopify-topic'] ?? 'unknown', externalAccountId: request.headers['x-shopify-shop-domain'], payload: parseJsonBody(request) };
    },
  },
});
