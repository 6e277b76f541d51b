/**
 * PagerDuty: services, incidents and on-call schedules of a PagerDuty account, with a REST API key.
 * API reference: https://developer.pagerduty.com/api-reference/ and the REST API guides
 * (authentication, errors, rate limits, pagination): https://github.com/PagerDuty/developer-docs
 */
import { connected, defineConnector, expectOk, monogramIcon, hmac, jsonField, matchesAny, parseJsonBody, refused, verified } from '../sdk.ts';

export default defineConnector({
  key: 'pagerduty',
  name: 'PagerDuty',
  description: 'Services, incidents and on-call schedules of a PagerDuty account, read and managed with a REST API key.',
  category: 'ops',
  icon: monogramIcon('Pd', '#06ac38'),
  capabilities: ['proxy', 'records', 'metrics', 'webhooks'],
  connectionMode: 'apiKey',
  auth: {
    fields: {
      apiKey: {
        label: 'API key',
        help: 'An account API key (Integrations → API Access Keys, admins only) or a user API token (My Profile → User Settings). A read-only key is enough to test.',
        pattern: '[A-Za-z0-9_+-]{20,}',
        patternHint: 'is the 20-character key PagerDuty shows once when you create it',
        secret: true,
      },
    },
    // PagerDuty's own scheme; a Bearer header is refused with 401.
    inject: { in: 'header', name: 'Authorization', format: 'Token token={apiKey}' },
  },
  baseUrls: { production: 'https://api.pagerduty.com', eu: 'https://api.eu.pagerduty.com' },
  requestHeaders: { Accept: 'application/vnd.pagerduty+json;version=2' },
  // Per account API key (or per user for user tokens).
  rateLimit: '960/minute',
  uiEmbeds: [{ surface: 'dashboard', placement: 'sidebar', title: 'On call now' }],
  docsUrl: 'https://developer.pagerduty.com/api-reference/',

  async testConnection(ctx) {
    // Abilities work with account keys and user tokens alike (GET /users/me needs a user token).
    const { body } = expectOk(await ctx.http.request<{ abilities: string[] }>({ path: '/abilities' }));
    return connected({ name: 'PagerDuty account', abilities: body.abilities.length });
  },


  // V3 webhooks (https://developer.pagerduty.com/docs/webhooks-overview#verifying-signatures):
  // `X-PagerDuty-Signature: v1=<hex>[,v1=<hex>…]`, one HMAC-SHA256 of the body per secret of
  // the subscription (several while one is rotated).
  webhooks: {
    verify(request, secrets) {
      const header = request.headers['x-pagerduty-signature'];
      if (!header) return refused('the X-PagerDuty-Signature header is missing');
      const received = header.split(',').map((s) => s.trim());
      const expected = secrets.map((secret) => `v1=${hmac('sha256', secret, request.rawBody).toString('hex')}`);
      return matchesAny(expected, received) ? verified : refused('no v1 signature matches');
    },
    eventId: (request) => jsonField(parseJsonBody(request), 'event.id') ?? request.headers['x-webhook-id'],
    route(request) {
      const payload = parseJsonBody(request);
      return { eventType: jsonField(payload, 'event.event_type') ?? 'unknown', externalAccountId: request.headers['x-webhook-subscription'], payload };
    },
  },
});
