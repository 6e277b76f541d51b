/**
 * Shopify: products of a store read through the Admin REST API with an app's access token, and
 * the store's webhooks (orders, customers, products), verified with the app's client secret.
 * Admin API (https://shopify.dev/docs/api/admin-rest): `X-Shopify-Access-Token`; versioned paths
 * (`/admin/api/2025-01/…`); `GET shop.json`; `GET products.json` with `updated_at_min` and `limit`
 * (≤ 250), then cursor pages given by `Link: <…page_info=…>; rel="next"` (a page_info URL carries
 * no other filter): https://shopify.dev/docs/api/admin-rest/usage/pagination; rate limits (a leaky
 * bucket of 40 requests per app and store, 2 a second; `X-Shopify-Shop-Api-Call-Limit`; 429 with
 * `Retry-After`): https://shopify.dev/docs/api/usage/rate-limits; errors `{ errors: … }`.
 * Webhooks: https://shopify.dev/docs/apps/build/webhooks (headers, HMAC verification).
 */
import { Type } from 'typebox';
import type { SyncDefinition } from '../extensions.ts';
import { connected, defineConnector, expectOk, hmac, matchesAny, monogramIcon, parseJsonBody, refused, verified } from '../sdk.ts';

const API = '/admin/api/2025-01';

interface Product {
  id: number;
  title: string;
  handle: string;
  status: string;
  vendor?: string | null;
  product_type?: string | null;
  created_at: string;
  updated_at: string;
}

const Text = Type.Union([Type.String(), Type.Null()]);

/**
 * Products updated since the newest update read (`updated_at_min`, inclusive: those read again
 * are updates), 250 a page following the `Link` header.
 */
const products: SyncDefinition = {
  model: 'products',
  description: 'Products of the store',
  schema: Type.Object({ id: Type.Integer(), title: Type.String(), handle: Type.String(), status: Type.String(), vendor: Text, productType: Text, createdAt: Type.String(), updatedAt: Type.String() }),
  frequency: 'hourly',
  dataStrategy: 'events',
  async exec(ctx) {
    const checkpoint = (await ctx.checkpoint.get<{ since?: string; next?: string; newest?: string }>()) ?? {};
    const since = ctx.full ? ctx.since?.toISOString() : (checkpoint.since ?? ctx.since?.toISOString());
    let newest = checkpoint.newest ?? since ?? '';
    const pages = ctx.paginate<Product>({ path: `${API}/products.json`, query: { limit: 250, ...(since ? { updated_at_min: since } : {}) } }, { type: 'link', results: 'products', start: checkpoint.next });
    for await (const page of pages) {
      for (const p of page.items) if (Date.parse(p.updated_at) > Date.parse(newest || '1970-01-01T00:00:00Z')) newest = new Date(Date.parse(p.updated_at)).toISOString();
      await ctx.batchSave(
        page.items.map((p) => ({
          externalId: String(p.id),
          data: { id: p.id, title: p.title, handle: p.handle, status: p.status, vendor: p.vendor ?? null, productType: p.product_type ?? null, createdAt: p.created_at, updatedAt: p.updated_at },
          updatedAt: p.updated_at,
        })),
      );
      await ctx.checkpoint.save({ since: checkpoint.since, next: page.next === undefined ? undefined : String(page.next), newest });
    }
    await ctx.checkpoint.save({ since: newest || since });
  },
};

export default defineConnector({
  key: 'shopify',
  name: 'Shopify',
  description: 'Products of a Shopify store read through the Admin API, and its order, customer and product events received as signed webhooks.',
  category: 'commerce',
  icon: monogramIcon('Sh', '#5e8e3e'),
  capabilities: ['proxy', 'records', 'webhooks'],
  connectionMode: 'apiKey',
  connectionConfig: {
    shop: { label: 'Shop', help: 'The store’s permanent myshopify.com name, as in https://<shop>.myshopify.com/admin.', pattern: '[a-z0-9][a-z0-9-]{0,60}', patternHint: 'is the part before .myshopify.com' },
  },
  auth: {
    fields: {
      accessToken: {
        label: 'Admin API access token',
        help: 'Settings → Apps and sales channels → Develop apps → your app → API credentials (read_products).',
        pattern: 'shp(at|ca|pa)_[A-Za-z0-9]{20,}',
        patternHint: 'starts with shpat_',
        secret: true,
      },
      signingSecret: {
        label: 'Client secret',
        help: 'The app’s client secret (Shopify signs webhooks with it).',
        secret: true,
        required: false,
      },
    },
    inject: { in: 'header', name: 'X-Shopify-Access-Token', format: '{accessToken}' },
  },
  baseUrls: { production: 'https://{shop}.myshopify.com' },
  // REST Admin API: a bucket of 40 per app and store, refilled 2 a second.
  rateLimit: '2/second',
  uiEmbeds: [{ surface: 'connection', placement: 'tab', title: 'Received events' }],
  docsUrl: 'https://shopify.dev/docs/api/admin-rest',
  syncs: [products],

  async testConnection(ctx) {
    const { body } = expectOk(await ctx.http.request<{ shop: { id: number; name: string; myshopify_domain: string; plan_name?: string } }>({ path: `${API}/shop.json` }));
    return connected({ id: String(body.shop.id), name: body.shop.name, domain: body.shop.myshopify_domain, plan: body.shop.plan_name });
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
