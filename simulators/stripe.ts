/**
 * Stripe simulator. Follows Stripe's published API reference:
 * - Authentication (secret key as bearer token or basic-auth user name): https://docs.stripe.com/api/authentication
 * - Errors (`{ "error": { "type", "message", "code" } }`, 401 for a bad key, 403 for a restricted
 *   key without permission): https://docs.stripe.com/api/errors
 * - Rate limits (429 with `code: rate_limit`): https://docs.stripe.com/rate-limits
 * - Pagination (`limit`, `starting_after`, `has_more`): https://docs.stripe.com/api/pagination
 * - Retrieve your account (GET /v1/account): https://docs.stripe.com/api/accounts/retrieve
 * - Customers (list, retrieve, create and update with form-encoded fields and `metadata[key]`):
 *   https://docs.stripe.com/api/customers; charges: https://docs.stripe.com/api/charges/list;
 *   subscriptions (`status=all` includes canceled ones): https://docs.stripe.com/api/subscriptions/list
 * - Lists are newest first and filter on `created[gte|gt|lte|lt]` (Unix seconds).
 * Every answer carries a `request-id` header, as Stripe's do.
 */
import { randomBytes } from 'node:crypto';
import { createDataset, type Dataset } from './support/dataset.ts';
import { recordCount, type SimulatorHandle, type SimulatorOptions } from './support/handle.ts';
import { bearerToken, bodyParams, createControl, intParam, serveSimulator, type ErrorKind, type SimReply, type SimRequest } from './support/server.ts';

export const STRIPE_SAMPLE_KEY = 'sk_test_patchbaysimulator0000000001';

export interface StripeCustomer {
  id: string;
  object: 'customer';
  email: string | null;
  name: string | null;
  phone?: string | null;
  description?: string | null;
  metadata: Record<string, string>;
  created: number;
  livemode: false;
}

export interface StripeCharge {
  id: string;
  object: 'charge';
  amount: number;
  amount_refunded: number;
  currency: string;
  customer: string;
  description: string | null;
  paid: boolean;
  refunded: boolean;
  status: 'succeeded' | 'failed' | 'pending';
  created: number;
  livemode: false;
}

export interface StripeSubscription {
  id: string;
  object: 'subscription';
  customer: string;
  status: 'active' | 'canceled' | 'past_due' | 'trialing';
  created: number;
  canceled_at: number | null;
  items: { object: 'list'; data: { id: string; quantity: number; price: { id: string; unit_amount: number; currency: string; recurring: { interval: 'month' | 'year' } } }[] };
  livemode: false;
}

export const STRIPE_DEFAULT_COUNTS = { customers: 2_000, charges: 3_000, subscriptions: 800 } as const;
const pad = (i: number): string => String(i).padStart(10, '0');
const seconds = (ms: number): number => Math.floor(ms / 1000);

/** Stripe objects never change `created`; the dataset's modification time is kept beside them. */
function stripeDataset<T extends { id: string; created: number }>(count: number, make: (i: number, created: number) => T, edit: (o: T, n: number) => T): Dataset<T> {
  const modified = new WeakMap<object, number>();
  const stamp = (o: T, ms: number): T => (modified.set(o, ms), o);
  return createDataset<T>({
    count,
    make: (i, ms) => stamp(make(i, seconds(ms)), ms),
    id: (o) => o.id,
    modifiedMs: (o) => modified.get(o) ?? o.created * 1000,
    edit: (o, n, ms) => stamp(edit(o, n), ms),
  });
}

function customersDataset(count: number): Dataset<StripeCustomer> {
  return stripeDataset<StripeCustomer>(
    count,
    (i, created) => ({ id: `cus_Sim${pad(i)}`, object: 'customer', email: `customer${i}@example.com`, name: `Customer ${i}`, metadata: {}, created, livemode: false }),
    (o, n) => ({ ...o, name: `${o.name?.replace(/ \(edit \d+\)$/, '')} (edit ${n})` }),
  );
}

function chargesDataset(count: number, customers: number): Dataset<StripeCharge> {
  return stripeDataset<StripeCharge>(
    count,
    (i, created) => ({
      id: `ch_Sim${pad(i)}`,
      object: 'charge',
      amount: 500 + ((i * 7919) % 20_000),
      amount_refunded: 0,
      currency: 'usd',
      customer: `cus_Sim${pad(1 + (i % Math.max(1, customers)))}`,
      description: `Order ${i}`,
      paid: i % 17 !== 0,
      refunded: false,
      status: i % 17 === 0 ? 'failed' : 'succeeded',
      created,
      livemode: false,
    }),
    (o) => ({ ...o, refunded: true, amount_refunded: o.amount }),
  );
}

function subscriptionsDataset(count: number, customers: number): Dataset<StripeSubscription> {
  return stripeDataset<StripeSubscription>(
    count,
    (i, created) => ({
      id: `sub_Sim${pad(i)}`,
      object: 'subscription',
      customer: `cus_Sim${pad(1 + (i % Math.max(1, customers)))}`,
      status: i % 9 === 0 ? 'canceled' : 'active',
      created,
      canceled_at: i % 9 === 0 ? created + 30 * 86_400 : null,
      items: {
        object: 'list',
        data: [{ id: `si_Sim${pad(i)}`, quantity: 1 + (i % 3), price: { id: `price_Sim${i % 4}`, unit_amount: [1_900, 4_900, 9_900, 49_000][i % 4]!, currency: 'usd', recurring: { interval: i % 4 === 3 ? 'year' : 'month' } } }],
      },
      livemode: false,
    }),
    (o, n) => ({ ...o, status: 'canceled', canceled_at: Math.floor(Date.now() / 1000) - n }),
  );
}

/** `created[gte]=…` and friends, in seconds. */
function createdFilter(query: URLSearchParams): (created: number) => boolean {
  const bound = (op: string): number | undefined => {
    const v = query.get(`created[${op}]`);
    return v === null ? undefined : Number(v);
  };
  const exact = query.get('created');
  const [gte, gt, lte, lt] = [bound('gte'), bound('gt'), bound('lte'), bound('lt')];
  return (c) =>
    (exact === null || c === Number(exact)) &&
    (gte === undefined || c >= gte) &&
    (gt === undefined || c > gt) &&
    (lte === undefined || c <= lte) &&
    (lt === undefined || c < lt);
}

/** A list the Stripe way: newest first, `limit` ≤ 100, `starting_after` an object id, `has_more`. */
function list<T extends { id: string; created: number }>(dataset: Dataset<T>, req: SimRequest, path: string, keep: (o: T) => boolean = () => true): SimReply {
  const limit = intParam(req.query.get('limit'), 10, 100);
  const after = req.query.get('starting_after');
  const inRange = createdFilter(req.query);
  const ids = dataset.ids();
  let end = ids.length;
  if (after) {
    end = ids.indexOf(after);
    if (end < 0) {
      return { status: 400, headers: requestId(), body: { error: { type: 'invalid_request_error', code: 'resource_missing', param: 'starting_after', message: `No such object: '${after}'` } } };
    }
  }
  const data: T[] = [];
  let i = end - 1;
  for (; i >= 0 && data.length < limit; i--) {
    const o = dataset.get(ids[i]!)!;
    if (inRange(o.created) && keep(o)) data.push(o);
  }
  let hasMore = false;
  for (; i >= 0; i--) {
    const o = dataset.get(ids[i]!)!;
    if (inRange(o.created) && keep(o)) {
      hasMore = true;
      break;
    }
  }
  return { headers: requestId(), body: { object: 'list', url: path, has_more: hasMore, data } };
}

/** Form parameters with Stripe's `metadata[key]=value` brackets. */
function formFields(req: SimRequest): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [name, value] of bodyParams(req)) {
    const bracket = /^(\w+)\[(\w+)\]$/.exec(name);
    if (bracket) fields[bracket[1]!] = { ...((fields[bracket[1]!] as Record<string, string>) ?? {}), [bracket[2]!]: value };
    else fields[name] = value;
  }
  return fields;
}

function masked(key: string | undefined): string {
  return key ? `${key.slice(0, 8)}${'*'.repeat(12)}${key.slice(-4)}` : '';
}

function stripeCredential(req: Pick<SimRequest, 'headers'>): string | undefined {
  const bearer = bearerToken(req.headers);
  if (bearer) return bearer;
  const basic = bearerToken(req.headers, 'Basic');
  return basic ? Buffer.from(basic, 'base64').toString('utf8').split(':')[0] : undefined;
}

function error(kind: ErrorKind, status: number, req: SimRequest): SimReply {
  const messages: Record<ErrorKind, { type: string; message: string; code?: string }> = {
    unauthorized: req.credential
      ? { type: 'invalid_request_error', message: `Invalid API Key provided: ${masked(req.credential)}` }
      : { type: 'invalid_request_error', message: 'You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth.' },
    forbidden: {
      type: 'invalid_request_error',
      message: `The provided key '${masked(req.credential)}' does not have the required permissions for this endpoint.`,
    },
    not_found: {
      type: 'invalid_request_error',
      message: `Unrecognized request URL (${req.method}: ${req.path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
    },
    rate_limited: {
      type: 'invalid_request_error',
      code: 'rate_limit',
      message: 'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.',
    },
    server_error: { type: 'api_error', message: 'An unknown error occurred' },
    bad_request: { type: 'invalid_request_error', message: 'Invalid request' },
  };
  return { status, headers: requestId(), body: { error: messages[kind] } };
}

function requestId(): Record<string, string> {
  return { 'request-id': `req_${randomBytes(7).toString('hex')}` };
}

const CUSTOMER_FIELDS = ['name', 'email', 'phone', 'description'] as const;
function pickCustomerFields(fields: Record<string, unknown>): Partial<StripeCustomer> {
  return Object.fromEntries(CUSTOMER_FIELDS.filter((f) => typeof fields[f] === 'string').map((f) => [f, fields[f] === '' ? null : fields[f]]));
}

export async function startStripeSimulator(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const control = createControl(options.credentials ?? [STRIPE_SAMPLE_KEY]);
  const customerCount = recordCount(options, 'customers', STRIPE_DEFAULT_COUNTS.customers);
  const customers = customersDataset(customerCount);
  const charges = chargesDataset(recordCount(options, 'charges', STRIPE_DEFAULT_COUNTS.charges), customerCount);
  const subscriptions = subscriptionsDataset(recordCount(options, 'subscriptions', STRIPE_DEFAULT_COUNTS.subscriptions), customerCount);
  const server = await serveSimulator(
    {
      key: 'stripe',
      credential: stripeCredential,
      error,
      routes: [
        {
          method: 'GET',
          path: '/v1/account',
          handle: () => ({
            headers: requestId(),
            body: {
              id: 'acct_1SimPatchbay0001',
              object: 'account',
              business_profile: { name: 'Patchbay Simulated Shop', url: 'https://shop.example.com' },
              charges_enabled: true,
              country: 'US',
              default_currency: 'usd',
              email: 'owner@example.com',
              settings: { dashboard: { display_name: 'Patchbay Sim Shop', timezone: 'Etc/UTC' } },
              type: 'standard',
            },
          }),
        },
        { method: 'GET', path: '/v1/customers', handle: (req) => list(customers, req, '/v1/customers') },
        {
          method: 'GET',
          path: '/v1/customers/:id',
          handle: (req) => {
            const found = customers.get(req.params.id!);
            return found ? { headers: requestId(), body: found } : error('not_found', 404, req);
          },
        },
        {
          method: 'POST',
          path: '/v1/customers',
          handle: (req) => {
            const fields = formFields(req);
            const [created] = customers.add(1);
            const saved = customers.update(created!.id, (o) => ({ ...o, ...pickCustomerFields(fields), metadata: { ...o.metadata, ...((fields.metadata as Record<string, string>) ?? {}) } }));
            return { headers: requestId(), body: saved };
          },
        },
        {
          method: 'POST',
          path: '/v1/customers/:id',
          handle: (req) => {
            const fields = formFields(req);
            const saved = customers.update(req.params.id!, (o) => ({ ...o, ...pickCustomerFields(fields), metadata: { ...o.metadata, ...((fields.metadata as Record<string, string>) ?? {}) } }));
            return saved ? { headers: requestId(), body: saved } : error('not_found', 404, req);
          },
        },
        { method: 'GET', path: '/v1/charges', handle: (req) => list(charges, req, '/v1/charges') },
        {
          method: 'GET',
          path: '/v1/subscriptions',
          // Without `status`, canceled subscriptions are left out; `status=all` includes them.
          handle: (req) => {
            const status = req.query.get('status');
            return list(subscriptions, req, '/v1/subscriptions', (o) => (status === 'all' ? true : status ? o.status === status : o.status !== 'canceled'));
          },
        },
      ],
    },
    { ...options, control },
  );
  return {
    key: 'stripe',
    url: server.url,
    baseUrl: server.url,
    sample: { credentials: { apiKey: STRIPE_SAMPLE_KEY }, connectionConfig: {}, integrationConfig: {}, metadata: {} },
    control: server.control,
    data: { customers, charges, subscriptions },
    close: server.close,
  };
}
