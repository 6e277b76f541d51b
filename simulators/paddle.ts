/**
 * Paddle Billing API simulator, from https://developer.paddle.com/api-reference/overview:
 * - `Authorization: Bearer <API key>`; errors `{ error: { type, code, detail, documentation_url },
 *   meta: { request_id } }` (401 `invalid_token`, 403 `forbidden`, 404 `not_found`, 429
 *   `too_many_requests` with `Retry-After`): https://developer.paddle.com/errors/overview;
 * - `GET /customers` and `GET /subscriptions`: `per_page` (default 50, ≤ 200), `after` (a Paddle
 *   id), `order_by=id[ASC]`, `status` (customers: `active` unless asked) →
 *   `{ data, meta: { request_id, pagination: { per_page, next, has_more, estimated_total } } }`
 *   (https://developer.paddle.com/api-reference/about/pagination);
 * - notifications signed `Paddle-Signature: ts=…;h1=…` (simulators/webhooks/signers.ts).
 */
import { randomUUID } from 'node:crypto';
import { auth, defineSimulator, fixtures } from './support/kit.ts';
import type { Dataset } from './support/dataset.ts';
import type { ErrorKind, SimReply, SimRequest } from './support/server.ts';
import { SIGNERS } from './webhooks/signers.ts';
import { SAMPLE_WEBHOOK_SECRETS } from './webhooks/sender.ts';

const API_KEY = 'pdl_sdbx_apikey_01hpatchbaysim_patchbaysimulatorkey0001';

const ERRORS: Record<ErrorKind, [string, string, string]> = {
  unauthorized: ['request_error', 'invalid_token', 'Authentication token is invalid'],
  forbidden: ['request_error', 'forbidden', 'You do not have permission to access this resource'],
  not_found: ['request_error', 'not_found', 'Entity not found'],
  rate_limited: ['request_error', 'too_many_requests', 'IP address exceeded the allowed rate limit. Retry after the number of seconds in the Retry-After header.'],
  server_error: ['api_error', 'internal_error', 'An internal error has occurred, our team has been notified.'],
  bad_request: ['request_error', 'bad_request', 'Invalid request.'],
};
const error = (kind: ErrorKind, status: number): SimReply => {
  const [type, code, detail] = ERRORS[kind];
  return { status, body: { error: { type, code, detail, documentation_url: `https://developer.paddle.com/errors/shared/${code}` }, meta: { request_id: randomUUID() } } };
};

/** One page in id order after `after`, in Paddle's envelope. */
function list<T extends { id: string }>(dataset: Dataset<T>, req: SimRequest, keep: (record: T) => boolean = () => true): SimReply {
  const perPage = Math.min(200, Math.max(1, Number(req.query.get('per_page')) || 50));
  const kept = dataset.ids().filter((id) => keep(dataset.get(id)!));
  const start = req.query.get('after') ? kept.findIndex((id) => id > req.query.get('after')!) : 0;
  const ids = start < 0 ? [] : kept.slice(start, start + perPage);
  const more = start >= 0 && start + perPage < kept.length;
  const query = new URLSearchParams(req.query);
  if (ids.length > 0) query.set('after', ids.at(-1)!);
  return {
    body: {
      data: ids.map((id) => dataset.get(id)!),
      meta: { request_id: randomUUID(), pagination: { per_page: perPage, next: `${req.origin}${req.path}?${query.toString()}`, has_more: more, estimated_total: kept.length } },
    },
  };
}

const pad = (i: number) => String(i).padStart(20, '0');

interface Customer extends Record<string, unknown> {
  id: string;
  status: string;
  updated_at: string;
}

interface Subscription extends Record<string, unknown> {
  id: string;
  updated_at: string;
}

export default defineSimulator({
  key: 'paddle',
  credential: auth.bearer(),
  accepts: [API_KEY],
  sample: { credentials: { apiKey: API_KEY } },
  error: (kind, status) => error(kind, status),
  rateLimit: '240/minute',
  data: (options) => ({
    customers: fixtures<Customer>(options, 'customers', 120, (i, at) => ({
      id: `ctm_01h${pad(i)}`,
      name: `Customer ${i}`,
      email: `customer${i}@patchbay-sim.example`,
      marketing_consent: i % 2 === 0,
      status: i % 17 === 0 ? 'archived' : 'active',
      custom_data: null,
      locale: 'en',
      created_at: String(at),
      updated_at: String(at),
      import_meta: null,
    })),
    subscriptions: fixtures<Subscription>(options, 'subscriptions', 60, (i, at) => ({
      id: `sub_01h${pad(i)}`,
      status: ['active', 'active', 'trialing', 'past_due', 'canceled'][i % 5],
      customer_id: `ctm_01h${pad(i)}`,
      address_id: `add_01h${pad(i)}`,
      currency_code: 'USD',
      created_at: String(at),
      updated_at: String(at),
      started_at: String(at),
      first_billed_at: String(at),
      next_billed_at: i % 5 === 4 ? null : new Date(Date.parse(String(at)) + 30 * 86_400_000).toISOString(),
      canceled_at: i % 5 === 4 ? String(at) : null,
      collection_mode: 'automatic',
      billing_cycle: { interval: i % 3 === 0 ? 'year' : 'month', frequency: 1 },
      items: [{ status: 'active', quantity: 1, price: { id: `pri_01h${pad(i % 4)}`, unit_price: { amount: String(1000 * ((i % 4) + 1)), currency_code: 'USD' } } }],
    })),
  }),
  routes: ({ customers, subscriptions }) => [
    {
      method: 'GET',
      path: '/customers',
      handle: (req) => {
        const statuses = (req.query.get('status') ?? 'active').split(',');
        return list(customers, req, (c) => statuses.includes(c.status));
      },
    },
    { method: 'GET', path: '/subscriptions', handle: (req) => list(subscriptions, req) },
    {
      method: 'GET',
      path: '/customers/:id',
      handle: (req) => {
        const customer = customers.get(req.params.id!);
        return customer ? { body: { data: customer, meta: { request_id: randomUUID() } } } : error('not_found', 404);
      },
    },
  ],
  webhooks: { signer: SIGNERS.paddle! },
  profile: {
    proxyPath: '/customers?per_page=1',
    // 200 a page.
    records: { customers: { dataset: 'customers', count: 601 } },
    webhook: { secret: SAMPLE_WEBHOOK_SECRETS.paddle!, body: '{"event_id":"evt_01h","event_type":"transaction.completed","occurred_at":"2025-01-01T00:00:00.000Z","notification_id":"ntf_01h","data":{"id":"txn_1"}}' },
  },
});
