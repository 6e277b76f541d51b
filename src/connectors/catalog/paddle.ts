/**
 * Paddle Billing: customers and subscriptions of a Paddle Billing account, read with an API key,
 * and its signed notifications.
 * - Authentication (`Authorization: Bearer <API key>`, sandbox and live hosts):
 *   https://developer.paddle.com/api-reference/about/authentication
 * - Lists (`after` = the last id, `per_page` ≤ 200, `meta.pagination.has_more`):
 *   https://developer.paddle.com/api-reference/about/pagination; customers:
 *   https://developer.paddle.com/api-reference/customers/list-customers; subscriptions:
 *   https://developer.paddle.com/api-reference/subscriptions/list-subscriptions
 * - Errors `{ error: { type, code, detail, documentation_url }, meta }`; 429 `too_many_requests`;
 *   240 requests a minute: https://developer.paddle.com/api-reference/about/rate-limiting
 * - Webhooks: https://developer.paddle.com/webhooks/overview (signature verification, event ids).
 */
import { Type } from 'typebox';
import type { SyncDefinition } from '../extensions.ts';
import { connected, defineConnector, expectOk, hmac, jsonField, matchesAny, monogramIcon, parseJsonBody, parseSignatureHeader, refused, verified, withinTolerance } from '../sdk.ts';

interface Customer {
  id: string;
  name: string | null;
  email: string;
  status: string;
  locale?: string;
  marketing_consent?: boolean;
  created_at: string;
  updated_at: string;
}

interface Subscription {
  id: string;
  status: string;
  customer_id: string;
  currency_code: string;
  started_at: string | null;
  next_billed_at: string | null;
  canceled_at: string | null;
  billing_cycle?: { interval: string; frequency: number };
  items?: { price?: { id: string; unit_price?: { amount: string } }; quantity: number }[];
  created_at: string;
  updated_at: string;
}

const Text = Type.Union([Type.String(), Type.Null()]);
/** Paddle lists in id order and pages by the last id while `has_more`. */
const LIST = { type: 'last-id', results: 'data', idField: 'id', param: 'after', morePath: 'meta.pagination.has_more' } as const;

/** Every customer, active and archived; snapshots find deletions (Paddle lists have no change filter). */
const customers: SyncDefinition = {
  model: 'customers',
  description: 'Paddle customers',
  schema: Type.Object({ id: Type.String(), name: Text, email: Type.String(), status: Type.String(), locale: Text, marketingConsent: Type.Boolean(), createdAt: Type.String(), updatedAt: Type.String() }),
  frequency: 'hourly',
  dataStrategy: 'snapshot',
  async exec(ctx) {
    const checkpoint = (await ctx.checkpoint.get<{ after?: string }>()) ?? {};
    for await (const page of ctx.paginate<Customer>({ path: '/customers', query: { per_page: 200, order_by: 'id[ASC]', status: 'active,archived' } }, { ...LIST, start: checkpoint.after })) {
      await ctx.batchSave(
        page.items.map((c) => ({
          externalId: c.id,
          data: { id: c.id, name: c.name ?? null, email: c.email, status: c.status, locale: c.locale ?? null, marketingConsent: c.marketing_consent ?? false, createdAt: c.created_at, updatedAt: c.updated_at },
          updatedAt: c.updated_at,
        })),
      );
      await ctx.checkpoint.save({ after: page.next });
    }
  },
};

/** Every subscription, whatever its status. */
const subscriptions: SyncDefinition = {
  model: 'subscriptions',
  description: 'Paddle subscriptions',
  schema: Type.Object({ id: Type.String(), status: Type.String(), customerId: Type.String(), currency: Type.String(), interval: Text, priceIds: Type.Array(Type.String()), startedAt: Text, nextBilledAt: Text, canceledAt: Text, updatedAt: Type.String() }),
  frequency: 'hourly',
  dataStrategy: 'snapshot',
  async exec(ctx) {
    const checkpoint = (await ctx.checkpoint.get<{ after?: string }>()) ?? {};
    for await (const page of ctx.paginate<Subscription>({ path: '/subscriptions', query: { per_page: 200, order_by: 'id[ASC]' } }, { ...LIST, start: checkpoint.after })) {
      await ctx.batchSave(
        page.items.map((s) => ({
          externalId: s.id,
          data: {
            id: s.id,
            status: s.status,
            customerId: s.customer_id,
            currency: s.currency_code,
            interval: s.billing_cycle ? `${s.billing_cycle.frequency} ${s.billing_cycle.interval}` : null,
            priceIds: (s.items ?? []).flatMap((i) => (i.price ? [i.price.id] : [])),
            startedAt: s.started_at,
            nextBilledAt: s.next_billed_at,
            canceledAt: s.canceled_at,
            updatedAt: s.updated_at,
          },
          updatedAt: s.updated_at,
        })),
      );
      await ctx.checkpoint.save({ after: page.next });
    }
  },
};

export default defineConnector({
  key: 'paddle',
  name: 'Paddle Billing',
  description: 'Customers and subscriptions of a Paddle Billing account, read with an API key, and its signed notifications (subscriptions, transactions, customers).',
  category: 'commerce',
  icon: monogramIcon('Pa', '#ffd100'),
  capabilities: ['proxy', 'records', 'webhooks'],
  connectionMode: 'apiKey',
  auth: {
    fields: {
      apiKey: {
        label: 'API key',
        help: 'Developer tools → Authentication → API keys, with customer.read and subscription.read (pdl_live_apikey_… or pdl_sdbx_apikey_…).',
        secret: true,
        pattern: '(?:pdl_(?:live|sdbx)_apikey_)?[A-Za-z0-9_]{20,}',
        patternHint: 'is a Paddle API key (pdl_live_apikey_… or pdl_sdbx_apikey_…)',
      },
    },
    inject: { in: 'header', name: 'Authorization', format: 'Bearer {apiKey}' },
  },
  baseUrls: { production: 'https://api.paddle.com', sandbox: 'https://sandbox-api.paddle.com' },
  requestHeaders: { 'Paddle-Version': '1' },
  rateLimit: '240/minute',
  uiEmbeds: [{ surface: 'connection', placement: 'tab', title: 'Subscriptions' }],
  docsUrl: 'https://developer.paddle.com/api-reference/overview',
  syncs: [customers, subscriptions],

  async testConnection(ctx) {
    const { body } = expectOk(await ctx.http.request<{ meta?: { pagination?: { estimated_total?: number } } }>({ path: '/customers', query: { per_page: 1 } }));
    return connected({ name: 'Paddle Billing', customers: body?.meta?.pagination?.estimated_total });
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
