/**
 * Paddle Billing: notifications about subscriptions, transactions and customers.
 * Webhooks: https://developer.paddle.com/webhooks/overview (signature verification, event ids).
 */
import { connected, defineConnector, hmac, jsonField, matchesAny, monogramIcon, parseJsonBody, parseSignatureHeader, refused, verified, withinTolerance } from '../sdk.ts';

export default defineConnector({
  key: 'paddle',
  name: 'Paddle Billing',
  description: 'Subscription, transaction and customer events of a Paddle Billing account, received as signed notifications.',
  category: 'commerce',
  icon: monogramIcon('Pa', '#ffd100'),
  capabilities: ['webhooks'],
  connectionMode: 'apiKey',
  auth: {
    fields: {
      signingSecret: {
        label: 'Secret key',
        help: 'The notification destination’s secret key (pdl_ntfset_…).',
        secret: true,
        required: false,
      },
    },
    // No inject: the secret only verifies deliveries.
  },
  uiEmbeds: [{ surface: 'connection', placement: 'tab', title: 'Received events' }],
  docsUrl: 'https://developer.paddle.com/webhooks/overview',

  async testConnection() {
    return connected({ name: 'Paddle Billing', note: 'Patchbay receives this provider\'s webhooks; send a test delivery to the source URL to check it.' });
  },

  // https://developer.paddle.com/webhooks/signature-verification: `Paddle-Signature:
  // ts=<s>;h1=<hex HMAC-SHA256 of "ts:body">`, several h1 while a secret is rotated.
  webhooks: {
    verify(request, secrets, { toleranceSeconds }) {
      const parts = parseSignatureHeader(request.headers['paddle-signature'], ';');
      const ts = parts.get('ts')?.[0];
      const h1 = parts.get('h1') ?? [];
      if (!ts || h1.length === 0) return refused('the Paddle-Signature header has no ts= or h1=');
      const stale = withinTolerance(ts, request.receivedAt, toleranceSeconds);
      if (stale) return refused(stale);
      const expected = secrets.map((secret) => hmac('sha256', secret, `${ts}:`, request.rawBody).toString('hex'));
      return matchesAny(expected, h1) ? verified : refused('no h1 signature matches');
    },
    eventId: (request) => jsonField(parseJsonBody(request), 'event_id'),
    route(request) {
      const payload = parseJsonBody(request);
      return { eventType: jsonField(payload, 'event_type') ?? 'unknown', payload };
    },
  },
});
