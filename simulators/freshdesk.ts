/**
 * Freshdesk simulator, from https://developers.freshdesk.com/api/:
 * - basic auth with the API key as user name (any password); 401
 *   `{ code: "invalid_credentials", message }`, 403 `access_denied`, 404, 429 with `Retry-After`,
 *   and `X-RateLimit-Total`, `-Remaining` on answers;
 * - `GET /api/v2/agents/me`; `GET /api/v2/tickets?updated_since&order_by=updated_at&order_type=asc
 *   &per_page(≤100)&page`, with `Link: <…page=n+1>; rel="next"` while more follow.
 * - automation webhooks: the JSON the rule builds (`freshdesk_webhook.*` placeholders) with the
 *   credentials the admin set, sent as an `Authorization` header.
 */
import { auth, defineSimulator, fixtures, pages } from './support/kit.ts';
import type { ErrorKind } from './support/server.ts';

const API_KEY = 'FrEsHdEsKsImKeY0000001';
const ERRORS: Record<ErrorKind, [string, string]> = {
  unauthorized: ['invalid_credentials', 'You have to be logged in to perform this action.'],
  forbidden: ['access_denied', 'You are not authorized to perform this action.'],
  not_found: ['not_found', 'There is no resource at this address.'],
  rate_limited: ['rate_limit_exceeded', 'You have exceeded the limit of requests per minute for your plan.'],
  server_error: ['internal_error', 'We are facing some trouble. Please try again later.'],
  bad_request: ['invalid_value', 'Validation failed'],
};

interface Ticket extends Record<string, unknown> {
  id: number;
  updated_at: string;
}

export default defineSimulator({
  key: 'freshdesk',
  credential: auth.basic('username'),
  accepts: [API_KEY],
  sample: { credentials: { apiKey: API_KEY }, connectionConfig: { subdomain: 'patchbay-sim' } },
  error: (kind, status) => ({ status, body: { code: ERRORS[kind][0], message: ERRORS[kind][1] } }),
  rateLimit: '200/minute',
  data: (options) => ({
    tickets: fixtures<Ticket>(options, 'tickets', 120, (i, at) => ({
      id: i,
      subject: `Cannot sign in (${i})`,
      status: [2, 3, 4, 5][i % 4]!,
      priority: 1 + (i % 4),
      requester_id: 8_000 + (i % 40),
      responder_id: i % 3 === 0 ? null : 9_000 + (i % 5),
      created_at: String(at),
      updated_at: String(at),
    })),
  }),
  routes: ({ tickets }) => [
    { method: 'GET', path: '/api/v2/agents/me', handle: () => ({ body: { id: 9_001, available: true, occasional: false, contact: { name: 'Sim Agent', email: 'agent@patchbay-sim.example' } } }) },
    {
      method: 'GET',
      path: '/api/v2/tickets',
      handle: (req) => {
        const since = req.query.get('updated_since');
        const sinceMs = since ? Date.parse(since) : Date.now() - 30 * 86_400_000;
        if (!Number.isFinite(sinceMs)) return { status: 400, body: { description: 'Validation failed', errors: [{ field: 'updated_since', message: 'It should be in the ISO 8601 format', code: 'invalid_value' }] } };
        const all = tickets.all().filter((t) => Date.parse(t.updated_at) >= sinceMs);
        const page = pages.link(all, req, { pageParam: 'page', limitParam: 'per_page', defaultLimit: 30, maxLimit: 100 });
        return { headers: page.headers, body: page.items };
      },
    },
  ],
  webhooks: { signer: (secret, w) => ({ method: 'POST', url: w.url, headers: { 'content-type': 'application/json', authorization: secret, ...w.headers }, body: w.body }) },
  profile: {
    proxyPath: '/api/v2/agents/me',
    records: { tickets: { dataset: 'tickets', count: 301 } },
    webhook: {
      secret: 'Basic ZnJlc2hkZXNrOnNpbS13ZWJob29rLXNlY3JldA==',
      body: '{"freshdesk_webhook":{"ticket_id":"42","ticket_subject":"Cannot sign in","triggered_event":"ticket.created","ticket_updated_at":"2025-01-01T00:00:00Z","ticket_portal_url":"https://patchbay-sim.freshdesk.com"}}',
      signsBody: false,
    },
  },
});
