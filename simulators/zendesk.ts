/**
 * Zendesk Support API simulator (the parts the connector uses), from https://developer.zendesk.com/api-reference/:
 * - basic auth with `{email}/token:{api_token}`; 401 `{ error: "Couldn't authenticate you" }`,
 *   403 `{ error: "Forbidden", description }`, 404 `{ error: "RecordNotFound", description: "Not found" }`,
 *   429 with `Retry-After` (and `X-Rate-Limit`, `X-Rate-Limit-Remaining`);
 * - `GET /api/v2/users/me`, `GET /api/v2/users/{id}`, `GET /api/v2/users/search?query=email:…`;
 * - `GET /api/v2/incremental/tickets/cursor`: `start_time` (Unix seconds, required without a
 *   cursor, at least a minute in the past) or `cursor`, `per_page` (≤ 1000); tickets by
 *   `updated_at` then id; `{ tickets, after_url, after_cursor, before_url, before_cursor,
 *   end_of_stream }`. The after_cursor of the last page resumes later with what changed since.
 * - webhooks signed as the webhook sender does (webhooks/signers.ts).
 */
import { auth, defineSimulator, fixtures } from './support/kit.ts';
import type { ErrorKind, SimReply } from './support/server.ts';
import { SAMPLE_WEBHOOK_SECRETS } from './webhooks/sender.ts';
import { SIGNERS } from './webhooks/signers.ts';

const EMAIL = 'admin@patchbay-sim.example';
const TOKEN = 'PatchbaySimulatorZendeskApiToken00000001';
const ERRORS: Record<ErrorKind, unknown> = {
  unauthorized: { error: "Couldn't authenticate you" },
  forbidden: { error: 'Forbidden', description: 'You do not have access to this page. Please contact the account owner of this help desk for further help.' },
  not_found: { error: 'RecordNotFound', description: 'Not found' },
  rate_limited: { error: 'APIRateLimitExceeded', description: 'Number of allowed API requests per minute exceeded' },
  server_error: { error: 'InternalError', description: 'Internal error' },
  bad_request: { error: 'InvalidValue', description: 'Invalid value' },
};

interface Ticket extends Record<string, unknown> {
  id: number;
  updated_at: string;
}
interface User extends Record<string, unknown> {
  id: number;
  email: string;
}

const invalid = (description: string): SimReply => ({ status: 400, body: { error: 'InvalidValue', description } });
const cursorOf = (at: number, id: number): string => Buffer.from(JSON.stringify([at, id])).toString('base64url');

export default defineSimulator({
  key: 'zendesk',
  credential: auth.basic('pair'),
  accepts: [`${EMAIL}/token:${TOKEN}`],
  sample: { credentials: { email: EMAIL, apiToken: TOKEN }, connectionConfig: { subdomain: 'patchbaysim' } },
  error: (kind, status) => ({ status, ...(kind === 'rate_limited' ? { headers: { 'x-rate-limit': '200', 'x-rate-limit-remaining': '0' } } : {}), body: ERRORS[kind] }),
  rateLimit: '200/minute',
  data: (options) => ({
    tickets: fixtures<Ticket>(options, 'tickets', 120, (i, at) => ({
      id: i,
      url: `https://patchbaysim.zendesk.com/api/v2/tickets/${i}.json`,
      subject: `Ticket ${i}: cannot sign in`,
      status: ['new', 'open', 'pending', 'solved', 'closed'][i % 5],
      priority: i % 3 === 0 ? 'high' : null,
      requester_id: 9000 + (i % 25),
      assignee_id: i % 4 === 0 ? null : 8000 + (i % 3),
      created_at: `${String(at).slice(0, 19)}Z`,
      updated_at: `${String(at).slice(0, 19)}Z`,
    }), { edit: (t, n) => ({ status: ['open', 'pending', 'solved'][n % 3] }) }),
    users: fixtures<User>(options, 'users', 25, (i, at) => ({ id: 9000 + i, name: `Requester ${i}`, email: `requester${i}@patchbay-sim.example`, role: 'end-user', active: true, suspended: i % 11 === 0, updated_at: String(at) })),
  }),
  routes: ({ tickets, users }) => [
    { method: 'GET', path: '/api/v2/users/me', handle: () => ({ body: { user: { id: 8000, name: 'Sim Admin', email: EMAIL, role: 'admin', active: true, suspended: false } } }) },
    {
      method: 'GET',
      path: '/api/v2/users/search',
      handle: (req) => {
        const email = /^email:(\S+)$/.exec(req.query.get('query') ?? '')?.[1]?.toLowerCase();
        return { body: { users: users.all().filter((u) => u.email === email), next_page: null, previous_page: null, count: email ? 1 : 0 } };
      },
    },
    { method: 'GET', path: '/api/v2/users/:id', handle: (req) => (users.get(req.params.id!) ? { body: { user: users.get(req.params.id!) } } : { status: 404, body: ERRORS.not_found }) },
    {
      method: 'GET',
      path: '/api/v2/incremental/tickets/cursor',
      handle: (req) => {
        const perPage = Math.min(1000, Math.max(1, Number(req.query.get('per_page') ?? 1000) || 1000));
        let after: [number, number];
        const cursor = req.query.get('cursor');
        if (cursor) {
          try {
            after = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [number, number];
          } catch {
            return invalid('cursor is invalid');
          }
        } else {
          const start = Number(req.query.get('start_time'));
          if (!req.query.get('start_time') || !Number.isInteger(start)) return invalid('start_time is required without a cursor');
          if (start * 1000 > Date.now() - 60_000) return invalid('Too recent start_time. Use a start_time older than one minute.');
          after = [start * 1000 - 1, Number.POSITIVE_INFINITY];
        }
        const key = (t: Ticket): [number, number] => [Date.parse(t.updated_at), t.id];
        const later = (t: Ticket) => key(t)[0] > after[0] || (key(t)[0] === after[0] && t.id > after[1]);
        const all = tickets.all().filter(later).slice().sort((a, b) => key(a)[0] - key(b)[0] || a.id - b.id);
        const page = all.slice(0, perPage);
        const last = page.at(-1);
        const afterCursor = last ? cursorOf(...key(last)) : cursor ?? cursorOf(after[0], Number.isFinite(after[1]) ? after[1] : 0);
        const base = `${req.origin}${req.path}`;
        return { body: { tickets: page, after_url: `${base}?cursor=${afterCursor}`, after_cursor: afterCursor, before_url: null, before_cursor: null, end_of_stream: all.length <= perPage } };
      },
    },
  ],
  webhooks: { signer: SIGNERS.zendesk! },
  profile: {
    proxyPath: '/api/v2/users/me',
    records: { tickets: { dataset: 'tickets', count: 301 } },
    webhook: { secret: SAMPLE_WEBHOOK_SECRETS.zendesk!, body: '{"id":"01HSIM0000000000000000001","type":"zen:event-type:ticket.created","account_id":123,"time":"2025-01-01T00:00:00Z","detail":{"id":"5"}}' },
    user: { email: 'requester7@patchbay-sim.example' },
  },
});
