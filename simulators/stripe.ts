/**
 * Stripe simulator. Follows Stripe's published API reference:
 * - Authentication (secret key as bearer token or basic-auth user name): https://docs.stripe.com/api/authentication
 * - Errors (`{ "error": { "type", "message", "code" } }`, 401 for a bad key, 403 for a restricted
 *   key without permission): https://docs.stripe.com/api/errors
 * - Rate limits (429 with `code: rate_limit`): https://docs.stripe.com/rate-limits
 * - Pagination (`limit`, `starting_after`, `has_more`): https://docs.stripe.com/api/pagination
 * - Retrieve your account (GET /v1/account): https://docs.stripe.com/api/accounts/retrieve
 * - List customers: https://docs.stripe.com/api/customers/list
 * Every answer carries a `request-id` header, as Stripe's do.
 */
import { randomBytes } from 'node:crypto';
import { seed, type SimulatorHandle, type SimulatorOptions } from './support/handle.ts';
import { bearerToken, createControl, intParam, serveSimulator, type ErrorKind, type SimReply, type SimRequest } from './support/server.ts';

export const STRIPE_SAMPLE_KEY = 'sk_test_patchbaysimulator0000000001';

const CUSTOMERS = seed(23, (i) => ({
  id: `cus_Sim${String(i).padStart(10, '0')}`,
  object: 'customer',
  email: `customer${i}@example.com`,
  name: `Customer ${i}`,
  created: 1735689600 + i * 3600,
  livemode: false,
}));

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

export async function startStripeSimulator(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const control = createControl(options.credentials ?? [STRIPE_SAMPLE_KEY]);
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
        {
          method: 'GET',
          path: '/v1/customers',
          handle: (req) => {
            const limit = intParam(req.query.get('limit'), 10, 100);
            const after = req.query.get('starting_after');
            const start = after ? CUSTOMERS.findIndex((c) => c.id === after) + 1 : 0;
            if (after && start === 0) {
              return {
                status: 400,
                headers: requestId(),
                body: { error: { type: 'invalid_request_error', code: 'resource_missing', param: 'starting_after', message: `No such customer: '${after}'` } },
              };
            }
            const data = CUSTOMERS.slice(start, start + limit);
            return {
              headers: requestId(),
              body: { object: 'list', url: '/v1/customers', has_more: start + limit < CUSTOMERS.length, data },
            };
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
    close: server.close,
  };
}
