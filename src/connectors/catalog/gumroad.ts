/**
 * Gumroad: a creator's sales and products, read with an application's access token. API
 * reference: https://gumroad.com/api (the `access_token` parameter; `GET /v2/user`; `GET /v2/sales`
 * with `after`/`before` dates, most recent first, paged by `page_key` → `next_page_key`;
 * `GET /v2/products`; answers `{ success, … }` or `{ success: false, message }`).
 */
import { Type } from 'typebox';
import type { MetricPoint, MetricQuery, SyncDefinition } from '../extensions.ts';
import { connected, defineConnector, expectOk, monogramIcon, type ConnectorContext } from '../sdk.ts';

interface Sale {
  id: string;
  email: string;
  product_id: string;
  product_name: string;
  price: number;
  currency: string;
  created_at: string;
  refunded?: boolean;
}

interface SalesPage {
  success: boolean;
  sales: Sale[];
  next_page_key?: string;
}

const day = (d: Date | string): string => new Date(d).toISOString().slice(0, 10);

/** Sales since the day of the newest one seen (Gumroad filters by date); sales do not change, so a re-read one is unchanged. */
const sales: SyncDefinition = {
  model: 'sales',
  description: 'Gumroad sales',
  schema: Type.Object({ id: Type.String(), email: Type.String(), productId: Type.String(), product: Type.String(), price: Type.Integer(), currency: Type.String(), refunded: Type.Boolean(), createdAt: Type.String() }),
  frequency: 'hourly',
  dataStrategy: 'events',
  async exec(ctx) {
    const checkpoint = (await ctx.checkpoint.get<{ since?: string; cursor?: string; newest?: string }>()) ?? {};
    const since = ctx.full ? (ctx.since ? day(ctx.since) : undefined) : (checkpoint.since ?? (ctx.since ? day(ctx.since) : undefined));
    let newest = checkpoint.newest ?? since ?? '';
    const pages = ctx.paginate<Sale>(
      { path: '/v2/sales', query: since ? { after: since } : {} },
      { type: 'cursor', results: 'sales', cursorPath: 'next_page_key', cursorParam: 'page_key', start: checkpoint.cursor },
    );
    for await (const page of pages) {
      for (const s of page.items) if (day(s.created_at) > newest) newest = day(s.created_at);
      await ctx.batchSave(
        page.items.map((s) => ({
          externalId: s.id,
          data: { id: s.id, email: s.email, productId: s.product_id, product: s.product_name, price: s.price, currency: s.currency, refunded: s.refunded ?? false, createdAt: s.created_at },
          updatedAt: s.created_at,
        })),
      );
      await ctx.checkpoint.save({ since: checkpoint.since, cursor: page.next === undefined ? undefined : String(page.next), newest });
    }
    await ctx.checkpoint.save({ since: newest || since });
  },
};

/** Revenue per UTC day and currency, refunds left out. */
async function fetchMetrics(ctx: ConnectorContext, query: MetricQuery): Promise<MetricPoint[]> {
  if (!query.metricIds.includes('revenue')) return [];
  const totals = new Map<string, number>();
  let pageKey: string | undefined;
  do {
    const { body } = expectOk(await ctx.http.request<SalesPage>({ path: '/v2/sales', query: { after: day(query.startDate), before: day(query.endDate), ...(pageKey ? { page_key: pageKey } : {}) } }));
    for (const sale of body.sales) {
      if (sale.refunded) continue;
      const key = `${day(sale.created_at)}|${sale.currency}`;
      totals.set(key, (totals.get(key) ?? 0) + sale.price / 100);
    }
    pageKey = body.next_page_key;
  } while (pageKey);
  return [...totals].map(([key, value]) => {
    const [date, currency] = key.split('|');
    return { metricId: 'revenue', time: `${date}T00:00:00.000Z`, value: Math.round(value * 100) / 100, dimensions: { currency: currency! } };
  });
}

export default defineConnector({
  key: 'gumroad',
  name: 'Gumroad',
  description: 'Sales and products of a Gumroad creator, and daily revenue, read with an application’s access token.',
  category: 'commerce',
  icon: monogramIcon('Gr', '#ff90e8'),
  capabilities: ['proxy', 'records', 'metrics'],
  connectionMode: 'apiKey',
  auth: {
    fields: {
      accessToken: { label: 'Access token', help: 'Settings → Advanced → Applications → your application → Generate access token (scope view_sales).', pattern: '[A-Za-z0-9_-]{20,}', patternHint: 'is the token Gumroad generated for your application', secret: true },
    },
    // Gumroad takes the token as the access_token parameter.
    inject: { in: 'query', name: 'access_token', format: '{accessToken}' },
  },
  baseUrls: { production: 'https://api.gumroad.com' },
  uiEmbeds: [{ surface: 'dashboard', placement: 'card', title: 'Gumroad revenue' }],
  docsUrl: 'https://gumroad.com/api',
  syncs: [sales],
  metrics: [{ id: 'revenue', name: 'Revenue', unit: 'usd', description: 'Sales less refunds, per day and currency', aggregation: 'sum' }],
  fetchMetrics,

  async testConnection(ctx) {
    const { body } = expectOk(await ctx.http.request<{ user: { user_id?: string; id?: string; name?: string; email?: string } }>({ path: '/v2/user' }));
    return connected({ id: body.user.user_id ?? body.user.id, name: body.user.name, email: body.user.email });
  },
});
