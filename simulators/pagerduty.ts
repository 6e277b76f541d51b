/**
 * PagerDuty REST API v2 simulator. Follows PagerDuty's published developer documentation
 * (https://github.com/PagerDuty/developer-docs, docs/REST-API):
 * - Authentication (`Authorization: Token token=<key>`, exactly): 02-Authentication.md
 * - Errors (`{ "error": { "message", "code", "errors" } }`, 2006 authentication failed,
 *   2010 access denied, 2100 not found): 14-Errors.md
 * - Rate limits (960 requests/minute per key; 429 with code 2020 and `ratelimit-limit`,
 *   `ratelimit-remaining`, `ratelimit-reset` headers): 04-Rate-Limits.md
 * - Classic pagination (`limit` ≤ 100, `offset`, `more`, `total` only with `total=true`): 09-Pagination.md
 * - List account abilities (GET /abilities) and list services: https://developer.pagerduty.com/api-reference/
 * PagerDuty documents `ratelimit-reset` rather than `Retry-After`; the shared simulator layer adds
 * `Retry-After` to every 429 as well.
 */
import { seed, type SimulatorHandle, type SimulatorOptions } from './support/handle.ts';
import { createControl, intParam, serveSimulator, type ErrorKind, type SimReply, type SimRequest } from './support/server.ts';

export const PAGERDUTY_SAMPLE_KEY = 'y_PatchbaySimKey0001';

const SERVICES = seed(37, (i) => ({
  id: `PSIM${String(i).padStart(3, '0')}`,
  type: 'service',
  summary: `Service ${i}`,
  name: `Service ${i}`,
  status: i % 6 === 0 ? 'warning' : 'active',
  self: `https://api.pagerduty.com/services/PSIM${String(i).padStart(3, '0')}`,
  html_url: `https://patchbay-sim.pagerduty.com/service-directory/PSIM${String(i).padStart(3, '0')}`,
}));

function credential(req: Pick<SimRequest, 'headers'>): string | undefined {
  const match = /^Token token=(\S+)$/.exec(req.headers.authorization ?? '');
  return match?.[1];
}

function error(kind: ErrorKind, status: number): SimReply {
  const errors: Record<ErrorKind, [number, string, number]> = {
    unauthorized: [401, 'Authentication failed', 2006],
    forbidden: [403, 'Access Denied', 2010],
    not_found: [404, 'Not Found', 2100],
    rate_limited: [429, 'Rate Limit Exceeded', 2020],
    server_error: [status, 'An internal error has occurred. PagerDuty team has been notified.', 2000],
    bad_request: [400, 'Invalid Input Provided', 2001],
  };
  const [code, message, pdCode] = errors[kind];
  return {
    status: code,
    ...(kind === 'rate_limited' ? { headers: { 'ratelimit-limit': '960', 'ratelimit-remaining': '0', 'ratelimit-reset': '20' } } : {}),
    body: { error: { message, code: pdCode } },
  };
}

export async function startPagerdutySimulator(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const control = createControl(options.credentials ?? [PAGERDUTY_SAMPLE_KEY]);
  const server = await serveSimulator(
    {
      key: 'pagerduty',
      credential,
      error,
      routes: [
        {
          method: 'GET',
          path: '/abilities',
          handle: () => ({ body: { abilities: ['teams', 'read_only_users', 'service_support_hours', 'urgencies', 'manage_schedules'] } }),
        },
        {
          method: 'GET',
          path: '/services',
          handle: (req) => {
            const limit = intParam(req.query.get('limit'), 25, 100);
            const offset = Math.max(0, Number.parseInt(req.query.get('offset') ?? '0', 10) || 0);
            if (offset + limit > 10_000) return { status: 400, body: { error: { message: 'Invalid Input Provided', code: 2001, errors: ['Offset must be less than 10000.'] } } };
            return {
              body: {
                services: SERVICES.slice(offset, offset + limit),
                limit,
                offset,
                more: offset + limit < SERVICES.length,
                total: req.query.get('total') === 'true' ? SERVICES.length : null,
              },
            };
          },
        },
      ],
    },
    { ...options, control },
  );
  return {
    key: 'pagerduty',
    url: server.url,
    baseUrl: server.url,
    sample: { credentials: { apiKey: PAGERDUTY_SAMPLE_KEY }, connectionConfig: {}, integrationConfig: {}, metadata: {} },
    control: server.control,
    close: server.close,
  };
}
