/**
 * PagerDuty: services, incidents and on-call schedules of a PagerDuty account, with a REST API key.
 * API reference: https://developer.pagerduty.com/api-reference/ and the REST API guides
 * (authentication, errors, rate limits, pagination): https://github.com/PagerDuty/developer-docs
 */
import { connected, defineConnector, expectOk, monogramIcon } from '../sdk.ts';

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
});
