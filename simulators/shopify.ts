/**
 * Shopify Admin REST API simulator (the parts the connector uses), from https://shopify.dev/docs/api/admin-rest:
 * - `X-Shopify-Access-Token`; 401 `{ errors: "[API] Invalid API key or access token (unrecognized
 *   login or wrong password)" }`, 403/404 `{ errors: "Not Found" }`, 429 `{ errors: "Exceeded 2
 *   calls per second for api client. Reduce request rates to resume uninterrupted service." }`
 *   with `Retry-After: 2.0`; `X-Shopify-Shop-Api-Call-Limit` on answers;
 * - `GET /admin/api/{version}/shop.json`;
 * - `GET /admin/api/{version}/products.json`: `limit` (50 by default, ≤ 250), `updated_at_min`,
 *   ordered by id; cursor pages by `Link: <…?limit=…&page_info=…>; rel="next"` (and `rel="previous"`);
 *   a request with `page_info` takes no other filter (https://shopify.dev/docs/api/admin-rest/usage/pagination);
 * - webhooks signed as the webhook sender does (webhooks/signers.ts).
 */
import { defineSimulator, fixtures, auth } from './support/kit.ts';
import type { ErrorKind, SimReply, SimRequest } from './support/server.ts';
import type { Dataset } from './support/dataset.ts';
import { SAMPLE_WEBHOOK_SECRETS } from './webhooks/sender.ts';
import { SIGNERS } from './webhooks/signers.ts';

const TOKEN = 'shpat_PatchbaySimulatorAccessToken0001';
const ERRORS: Record<ErrorKind, string> = {
  unauthorized: '[API] Invalid API key or access token (unrecognized login or wrong password)',
  forbidden: '[API] This action requires merchant approval for read_products scope.',
  not_found: 'Not Found',
  rate_limited: 'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.',
  server_error: 'Internal Server Error',
  bad_request: 'Bad Request',
};

interface Product extends Record<string, unknown> {
  id: number;
  updated_at: string;
}

function listProducts(products: Dataset<Product>, req: SimRequest): SimReply {
  const limit = Math.min(250, Math.max(1, Number(req.query.get('limit') ?? 50) || 50));
  const pageInfo = req.query.get('page_info');
  let state: { since?: string; offset: number };
  if (pageInfo) {
    if ([...req.query.keys()].some((k) => k !== 'page_info' && k !== 'limit')) return { status: 400, body: { errors: { page_info: ['page_info cannot be combined with other parameters than limit and fields'] } } };
    try {
      state = JSON.parse(Buffer.from(pageInfo, 'base64url').toString('utf8')) as typeof state;
    } catch {
      return { status: 400, body: { errors: { page_info: ['Invalid value.'] } } };
    }
  } else state = { ...(req.query.get('updated_at_min') ? { since: req.query.get('updated_at_min')! } : {}), offset: 0 };
  const since = state.since ? Date.parse(state.since) : Number.NEGATIVE_INFINITY;
  const all = products.all().filter((p) => Date.parse(p.updated_at) >= since).slice().sort((a, b) => a.id - b.id);
  const page = all.slice(state.offset, state.offset + limit);
  const link = (offset: number, rel: string) => `<${req.origin}${req.path}?limit=${limit}&page_info=${Buffer.from(JSON.stringify({ ...state, offset })).toString('base64url')}>; rel="${rel}"`;
  const links = [...(state.offset > 0 ? [link(Math.max(0, state.offset - limit), 'previous')] : []), ...(state.offset + limit < all.length ? [link(state.offset + limit, 'next')] : [])];
  return { headers: { 'x-shopify-shop-api-call-limit': '1/40', ...(links.length ? { link: links.join(', ') } : {}) }, body: { products: page } };
}

export default defineSimulator({
  key: 'shopify',
  credential: auth.header('x-shopify-access-token'),
  accepts: [TOKEN],
  sample: { credentials: { accessToken: TOKEN }, connectionConfig: { shop: 'patchbay-sim' } },
  error: (kind, status) => ({ status, ...(kind === 'rate_limited' ? { headers: { 'retry-after': '1.0' } } : {}), body: { errors: ERRORS[kind] } }),
  rateLimit: '2/second',
  data: (options) => ({
    products: fixtures<Product>(options, 'products', 120, (i, at) => ({
      id: 632_910_392 + i,
      title: `Product ${i}`,
      handle: `product-${i}`,
      status: i % 7 === 0 ? 'draft' : 'active',
      vendor: 'Patchbay Sim',
      product_type: ['Shirts', 'Mugs', 'Posters'][i % 3],
      created_at: String(at).replace('Z', '-00:00').replace(/\.\d{3}/, ''),
      updated_at: String(at).replace('Z', '-00:00').replace(/\.\d{3}/, ''),
    }), { edit: (p) => ({ title: `${String(p.title)} (edited)` }) }),
  }),
  routes: ({ products }) => [
    { method: 'GET', path: '/admin/api/:version/shop.json', handle: () => ({ body: { shop: { id: 548_380_009, name: 'Patchbay Sim', email: 'owner@patchbay-sim.example', myshopify_domain: 'patchbay-sim.myshopify.com', plan_name: 'basic', currency: 'USD' } } }) },
    { method: 'GET', path: '/admin/api/:version/products.json', handle: (req) => listProducts(products, req) },
  ],
  webhooks: { signer: SIGNERS.shopify! },
  profile: {
    proxyPath: '/admin/api/2025-01/shop.json',
    records: { products: { dataset: 'products', count: 751 } },
    webhook: { secret: SAMPLE_WEBHOOK_SECRETS.shopify!, body: '{"id":820982911946154508,"email":"jon@example.com"}' },
  },
});
