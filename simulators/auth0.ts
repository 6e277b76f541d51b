/**
 * Auth0 Management API v2 simulator, from https://auth0.com/docs/api/management/v2:
 * - bearer Management API tokens; errors `{ statusCode, error, message, errorCode }`
 *   (401 `invalid_token`, 403 `insufficient_scope`, 404 `inexistent_user`, 429 `too_many_requests`
 *   with `x-ratelimit-limit`, `-remaining`, `-reset`);
 * - `GET /api/v2/users`: `page` (from 0), `per_page` (≤ 100), `include_totals`
 *   (`{ start, limit, length, total, users }`, else a bare array), `sort=updated_at:1`,
 *   `q=updated_at:[<iso> TO *]`; `GET /api/v2/users/{id}`; `GET /api/v2/users-by-email?email=`;
 * - custom webhook log streams: a JSON array of `{ log_id, data }` sent with the configured
 *   authorization header (https://auth0.com/docs/customize/log-streams/custom-log-streams).
 */
import { auth, defineSimulator, fixtures, pages } from './support/kit.ts';
import type { ErrorKind } from './support/server.ts';

const TOKEN = 'auth0-sim-management-token-0000000000000001';

interface User extends Record<string, unknown> {
  user_id: string;
  email: string;
  name: string;
  blocked: boolean;
  email_verified: boolean;
  created_at: string;
  updated_at: string;
}

const ERRORS: Record<ErrorKind, [string, string, string]> = {
  unauthorized: ['Unauthorized', 'Invalid token', 'invalid_token'],
  forbidden: ['Forbidden', 'Insufficient scope, expected any of: read:users', 'insufficient_scope'],
  not_found: ['Not Found', 'The user does not exist.', 'inexistent_user'],
  rate_limited: ['Too Many Requests', 'Global limit has been reached', 'too_many_requests'],
  server_error: ['Internal Server Error', 'Internal error', 'internal_error'],
  bad_request: ['Bad Request', 'Query validation error', 'invalid_query_string'],
};

/** `updated_at:[2025-01-01T00:00:00.000Z TO *]` (or `{…` for an exclusive bound). */
function updatedSince(q: string | null): ((u: User) => boolean) | undefined {
  if (!q) return undefined;
  const m = /^updated_at:([[{])"?([^ "]+)"? TO \*\]$/.exec(q.trim());
  if (!m) return () => false;
  return (u) => (m[1] === '[' ? u.updated_at >= m[2]! : u.updated_at > m[2]!);
}

export default defineSimulator({
  key: 'auth0',
  credential: auth.bearer(),
  accepts: [TOKEN],
  sample: { credentials: { apiToken: TOKEN }, connectionConfig: { domain: 'patchbay-sim.us.auth0.com' } },
  error: (kind, status) => {
    const [error, message, errorCode] = ERRORS[kind];
    return {
      status,
      headers: (kind === 'rate_limited' ? { 'x-ratelimit-limit': '50', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 1) } : {}) as Record<string, string>,
      body: { statusCode: status, error, message, errorCode },
    };
  },
  data: (options) => ({
    users: fixtures<User>(options, 'users', 120, (i, at) => ({
      user_id: `auth0|sim${String(i).padStart(6, '0')}`,
      email: `user${i}@patchbay-sim.example`,
      name: `User ${i}`,
      blocked: i % 23 === 0,
      email_verified: true,
      created_at: String(at),
      updated_at: String(at),
    }), { id: 'user_id' }),
  }),
  routes: ({ users }) => [
    {
      method: 'GET',
      path: '/api/v2/users',
      handle: (req) => {
        const keep = updatedSince(req.query.get('q'));
        const all = keep ? users.all().filter(keep) : users.all();
        const page = pages.page(all, req, { pageParam: 'page', limitParam: 'per_page', first: 0, defaultLimit: 50, maxLimit: 100 });
        if (req.query.get('include_totals') !== 'true') return { body: page.items };
        return { body: { start: page.page * page.limit, limit: page.limit, length: page.items.length, total: all.length, users: page.items } };
      },
    },
    {
      method: 'GET',
      path: '/api/v2/users-by-email',
      handle: (req) => ({ body: users.all().filter((u) => u.email === req.query.get('email')?.toLowerCase()) }),
    },
    {
      method: 'GET',
      path: '/api/v2/users/:id',
      handle: (req) => {
        const user = users.get(req.params.id!);
        return user ? { body: user } : { status: 404, body: { statusCode: 404, error: 'Not Found', message: 'The user does not exist.', errorCode: 'inexistent_user' } };
      },
    },
  ],
  webhooks: { signer: (secret, w) => ({ method: 'POST', url: w.url, headers: { 'content-type': 'application/json', authorization: secret, ...w.headers }, body: w.body }) },
  profile: {
    proxyPath: '/api/v2/users?per_page=1&include_totals=true',
    records: { users: { dataset: 'users', count: 301 } },
    webhook: {
      secret: 'Bearer auth0-sim-log-stream-token',
      body: '[{"log_id":"90020250101000000000000000000000000000000000000000000001","data":{"date":"2025-01-01T00:00:00.000Z","type":"s","description":"Successful login","tenant_name":"patchbay-sim","user_id":"auth0|sim000007"}}]',
      signsBody: false,
    },
    user: { email: 'user7@patchbay-sim.example' },
  },
});
