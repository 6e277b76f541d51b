/**
 * Stripe: payments, customers and subscriptions, with a secret or restricted API key.
 * API reference: https://docs.stripe.com/api (authentication, errors, pagination, rate limits).
 * Webhooks: https://docs.stripe.com/webhooks (signatures, event objects).
 */
import { Type } from 'typebox';
import type { MetricPoint, MetricQuery, SyncContext, SyncDefinition } from '../extensions.ts';
import { connected, defineConnector, expectOk, monogramIcon, hmac, bodyField, jsonField, matchesAny, parseJsonBody, parseSignatureHeader, refused, verified, withinTolerance, type ConnectorContext } from '../sdk.ts';

interface StripeAccount {
  id: string;
  email?: string | null;
  country?: string;
  business_profile?: { name?: string | null } | null;
  settings?: { dashboard?: { display_name?: string | null } } | null;
}

interface StripeList<T> {
  data: T[];
  has_more: boolean;
}

interface Subscription {
  id: string;
  customer: string;
  status: string;
  created: number;
  canceled_at: number | null;
  items: { data: { quantity?: number; price: { id: string; unit_amount: number | null; currency: string; recurring: { interval: string; interval_count?: number } | null } }[] };
}

interface Charge {
  id: string;
  amount: number;
  amount_refunded: number;
  currency: string;
  customer: string | null;
  description: string | null;
  paid: boolean;
  refunded: boolean;
  status: string;
  created: number;
}

const Text = Type.Union([Type.String(), Type.Null()]);
const SCHEMAS = {
  customers: Type.Object({
    id: Type.String(),
    email: Text,
    name: Text,
    phone: Type.Optional(Text),
    description: Type.Optional(Text),
    metadata: Type.Optional(Type.Record(Type.String(), Type.String())),
    created: Type.Integer(),
  }),
  charges: Type.Object({
    id: Type.String(),
    amount: Type.Integer(),
    amount_refunded: Type.Integer(),
    currency: Type.String(),
    customer: Type.Optional(Text),
    description: Type.Optional(Text),
    paid: Type.Optional(Type.Boolean()),
    refunded: Type.Optional(Type.Boolean()),
    status: Type.String(),
    created: Type.Integer(),
  }),
  subscriptions: Type.Object({
    id: Type.String(),
    customer: Type.String(),
    status: Type.String(),
    created: Type.Integer(),
    canceled_at: Type.Union([Type.Integer(), Type.Null()]),
    priceId: Text,
    monthlyAmount: Type.Number(),
    currency: Type.String(),
  }),
};

type Model = keyof typeof SCHEMAS;

/** A subscription's recurring amount per month, in the currency's minor unit. */
function monthly(sub: Subscription): number {
  return sub.items.data.reduce((sum, item) => {
    const recurring = item.price.recurring;
    if (!recurring || item.price.unit_amount === null) return sum;
    const perInterval = item.price.unit_amount * (item.quantity ?? 1);
    const months = (recurring.interval === 'year' ? 12 : recurring.interval === 'week' ? 12 / 52 : recurring.interval === 'day' ? 12 / 365 : 1) * (recurring.interval_count ?? 1);
    return sum + perInterval / months;
  }, 0);
}

const SHAPE: Record<Model, (o: Record<string, unknown>) => Record<string, unknown>> = {
  customers: ({ object: _o, livemode: _l, ...customer }) => customer,
  charges: ({ object: _o, livemode: _l, ...charge }) => charge,
  subscriptions: (o) => {
    const sub = o as unknown as Subscription;
    return {
      id: sub.id,
      customer: sub.customer,
      status: sub.status,
      created: sub.created,
      canceled_at: sub.canceled_at,
      priceId: sub.items.data[0]?.price.id ?? null,
      monthlyAmount: Math.round(monthly(sub)),
      currency: sub.items.data[0]?.price.currency ?? 'usd',
    };
  },
};

interface Checkpoint {
  /** Objects created at or after this second are still to be read. */
  since?: number;
  /** Within a run: the last object read (lists run newest first) and the newest `created` seen. */
  after?: string;
  newest?: number;
}

/**
 * Stripe lists run newest first and filter on `created`; objects carry no modification time. An
 * incremental run reads what was created since the last one; a full run (snapshot, reconcile)
 * reads everything, which is how changes to older objects are caught.
 */
async function readList(ctx: SyncContext, model: Model): Promise<void> {
  const checkpoint = (await ctx.checkpoint.get<Checkpoint>()) ?? {};
  const from = ctx.full ? (ctx.since ? Math.floor(ctx.since.getTime() / 1000) : undefined) : (checkpoint.since ?? (ctx.since ? Math.floor(ctx.since.getTime() / 1000) : undefined));
  let newest = checkpoint.newest ?? checkpoint.since ?? 0;
  const pages = ctx.paginate<Record<string, unknown> & { id: string; created: number }>(
    {
      path: `/v1/${model}`,
      query: { limit: 100, ...(from === undefined ? {} : { 'created[gte]': from }), ...(model === 'subscriptions' ? { status: 'all' } : {}) },
    },
    { type: 'last-id', results: 'data', idField: 'id', param: 'starting_after', morePath: 'has_more', start: checkpoint.after },
  );
  for await (const page of pages) {
    for (const o of page.items) newest = Math.max(newest, o.created);
    await ctx.batchSave(page.items.map((o) => ({ externalId: o.id, data: SHAPE[model](o), updatedAt: new Date(o.created * 1000).toISOString() })));
    await ctx.checkpoint.save({ since: checkpoint.since, after: page.next === undefined ? undefined : String(page.next), newest } satisfies Checkpoint);
  }
  await ctx.checkpoint.save({ since: newest || from } satisfies Checkpoint);
}

function listSync(model: Model, dataStrategy: SyncDefinition['dataStrategy'], canUpdate: boolean): SyncDefinition {
  return {
    model,
    description: `Stripe ${model}`,
    schema: SCHEMAS[model],
    frequency: 'hourly',
    dataStrategy,
    exec: (ctx) => readList(ctx, model),
    ...(canUpdate
      ? {
          // Stripe updates with form-encoded POSTs; `metadata[key]` for metadata.
          async update(ctx: ConnectorContext, change: { externalId: string; changes: Readonly<Record<string, unknown>> }) {
            const form = new URLSearchParams();
            for (const [name, value] of Object.entries(change.changes)) {
              if (name === 'metadata' && value && typeof value === 'object') {
                for (const [key, v] of Object.entries(value)) form.append(`metadata[${key}]`, String(v ?? ''));
              } else form.append(name, value === null ? '' : String(value));
            }
            expectOk(await ctx.http.request({ method: 'POST', path: `/v1/${model}/${encodeURIComponent(change.externalId)}`, body: form }));
          },
        }
      : {}),
  };
}

/** Every object of a list in a `created` window, all pages. */
async function listAll<T extends { id: string }>(ctx: ConnectorContext, path: string, query: Record<string, string | number>): Promise<T[]> {
  const all: T[] = [];
  let after: string | undefined;
  for (;;) {
    const { body } = expectOk(await ctx.http.request<StripeList<T>>({ path, query: { ...query, limit: 100, ...(after ? { starting_after: after } : {}) } }));
    all.push(...body.data);
    after = body.data.at(-1)?.id;
    if (!body.has_more || !after) return all;
  }
}

const DAY = 86_400_000;
const dayStart = (ms: number): number => Math.floor(ms / DAY) * DAY;

/** Revenue per UTC day (succeeded charges less refunds) and MRR at the end of each day. */
async function fetchMetrics(ctx: ConnectorContext, query: MetricQuery): Promise<MetricPoint[]> {
  const start = dayStart(query.startDate.getTime());
  const end = query.endDate.getTime();
  const points: MetricPoint[] = [];
  if (query.metricIds.includes('revenue')) {
    const charges = await listAll<Charge>(ctx, '/v1/charges', { 'created[gte]': Math.floor(start / 1000), 'created[lt]': Math.ceil(end / 1000) });
    const byDay = new Map<string, number>();
    for (const charge of charges) {
      if (charge.status !== 'succeeded') continue;
      const key = `${dayStart(charge.created * 1000)}|${charge.currency}`;
      byDay.set(key, (byDay.get(key) ?? 0) + (charge.amount - charge.amount_refunded) / 100);
    }
    for (const [key, value] of byDay) {
      const [day, currency] = key.split('|');
      points.push({ metricId: 'revenue', time: new Date(Number(day)).toISOString(), value: Math.round(value * 100) / 100, dimensions: { currency: currency! } });
    }
  }
  if (query.metricIds.includes('mrr')) {
    const subscriptions = await listAll<Subscription>(ctx, '/v1/subscriptions', { status: 'all', 'created[lt]': Math.ceil(end / 1000) });
    for (let day = start; day < end; day += DAY) {
      const dayEnd = Math.floor((day + DAY) / 1000);
      const mrr = subscriptions
        .filter((s) => s.created < dayEnd && (s.canceled_at === null || s.canceled_at >= dayEnd) && s.status !== 'incomplete')
        .reduce((sum, s) => sum + monthly(s), 0);
      points.push({ metricId: 'mrr', time: new Date(day).toISOString(), value: Math.round(mrr) / 100, dimensions: { currency: 'usd' } });
    }
  }
  return points;
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
  syncs: [listSync('customers', 'hybrid', true), listSync('charges', 'hybrid', false), listSync('subscriptions', 'snapshot', false)],
  metrics: [
    { id: 'mrr', name: 'Monthly recurring revenue', unit: 'usd', description: 'Recurring revenue of active subscriptions, per month, at the end of each day', aggregation: 'last' },
    { id: 'revenue', name: 'Revenue', unit: 'usd', description: 'Succeeded charges less refunds, per day', aggregation: 'sum' },
  ],
  fetchMetrics,

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
    eventId: (request) => bodyField(request, 'id'),
    route(request) {
      const payload = parseJsonBody(request);
      // `account` is set on events of Connect accounts.
      return { eventType: jsonField(payload, 'type') ?? 'unknown', externalAccountId: jsonField(payload, 'account'), payload };
    },
  },
});
