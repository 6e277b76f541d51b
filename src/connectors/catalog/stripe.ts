/**
 * Stripe: payments, customers and subscriptions, with a secret or restricted API key.
 * API reference: https://docs.stripe.com/api (authentication, errors, pagination, rate limits).
 * Webhooks: https://docs.stripe.com/webhooks (signatures, event objects).
 */
import { connected, defineConnector, expectOk, monogramIcon, hmac, jsonField, matchesAny, parseJsonBody, parseSignatureHeader, refused, verified, withinTolerance } from '../sdk.ts';

interface StripeAccount {
  id: string;
  email?: string | null;
  country?: string;
  business_profile?: { name?: string | null } | null;
  settings?: { dashboard?: { display_name?: string | null } } | null;
}

export default defineConnector({
  key: 'stripe',
  name: 'Stripe',
  description: 'Payments, customers, subscriptions and invoices from a Stripe account, read with a secret or restricted API key.',
  category: 'commerce',
  icon: monogramIcon('St', '#635bff'),
  capabilities: ['proxy', 'records', 'metrics', 'webhooks'],
  connectionMode: 'apiKey',
  auth: {
    fields: {
      apiKey: {
        label: 'Secret key',
        help: 'In the Stripe Dashboard: Developers → API keys. A restricted key (rk_…) with read access is enough.',
        placeholder: 'sk_live_…',
        pattern: '(sk|rk)_(live|test)_[A-Za-z0-9]{16,}',
        patternHint: 'starts with sk_live_, sk_test_, rk_live_ or rk_test_',
        secret: true,
      },
    },
    // Stripe accepts the key as a bearer token (or as the basic-auth user name).
    inject: { in: 'header', name: 'Authorization', format: 'Bearer {apiKey}' },
  },
  // Test and live mode share one host: the key decides the mode.
  baseUrls: { production: 'https://api.stripe.com' },
  // Live mode allows 100 read operations per second (test mode 25).
  rateLimit: '100/second',
  uiEmbeds: [{ surface: 'dashboard', placement: 'card', title: 'Revenue' }],
  docsUrl: 'https://docs.stripe.com/api',

  async testConnection(ctx) {
    const { body } = expectOk(await ctx.http.request<StripeAccount>({ path: '/v1/account' }));
    return connected({
      id: body.id,
      name: body.settings?.dashboard?.display_name ?? body.business_profile?.name ?? body.email ?? body.id,
      country: body.country,
    });
  },


  // https://docs.stripe.com/webhooks#verify-manually: `Stripe-Signature: t=<s>,v1=<hex>[,v1=…]`,
  // HMAC-SHA256 of `t.body` keyed by the endpoint's whsec_ secret (as text).
  webhooks: {
    verify(request, secrets, { toleranceSeconds }) {
      const parts = parseSignatureHeader(request.headers['stripe-signature']);
      const t = parts.get('t')?.[0];
      const v1 = parts.get('v1') ?? [];
      if (!t || v1.length === 0) return refused('the Stripe-Signature header has no t= or v1=');
      const stale = withinTolerance(t, request.receivedAt, toleranceSeconds);
      if (stale) return refused(stale);
      const expected = secrets.map((secret) => hmac('sha256', secret, `${t}.`, request.rawBody).toString('hex'));
      return matchesAny(expected, v1) ? verified : refused('no v1 signature matches');
    },
    eventId: (request) => jsonField(parseJsonBody(request), 'id'),
    route(request) {
      const payload = parseJsonBody(request);
      // `account` is set on events of Connect accounts.
      return { eventType: jsonField(payload, 'type') ?? 'unknown', externalAccountId: jsonField(payload, 'account'), payload };
    },
  },
});
