/**
 * Intercom REST API simulator (the parts the connector uses), from
 * https://developers.intercom.com/docs/references/rest-api/api.intercom.io:
 * - bearer access tokens; errors `{ type: "error.list", request_id, errors: [{ code, message }] }`
 *   (401 `unauthorized` "Access Token Invalid", 404 `not_found`, 429 `rate_limit_exceeded` with
 *   `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset` in Unix seconds);
 * - `GET /me` (`{ type: "admin", id, email, name, app: { id_code, name, region } }`);
 * - `POST /contacts/search`: one `query: { field, operator, value }` (fields id, email,
 *   updated_at; operators =, >, <), `pagination: { per_page ≤ 150, starting_after }`,
 *   `sort: { field, order }`; `{ type: "list", data, total_count, pages: { type: "pages", page,
 *   per_page, total_pages, next?: { page, starting_after } } }`;
 * - webhooks signed as the webhook sender does (`X-Hub-Signature: sha1=…`, webhooks/signers.ts).
 */
import { randomUUID } from 'node:crypto';
import { auth, defineSimulator, fixtures } from './support/kit.ts';
import type { ErrorKind, SimReply } from './support/server.ts';
import { SAMPLE_WEBHOOK_SECRETS } from './webhooks/sender.ts';
import { SIGNERS } from './webhooks/signers.ts';

const TOKEN = 'dG9rOlBhdGNoYmF5U2ltdWxhdG9yVG9rZW4wMDAx';
const CODES: Record<ErrorKind, [string, string]> = {
  unauthorized: ['unauthorized', 'Access Token Invalid'],
  forbidden: ['forbidden', 'You do not have permission to access this resource'],
  not_found: ['not_found', 'Resource Not Found'],
  rate_limited: ['rate_limit_exceeded', 'Rate Limit Exceeded'],
  server_error: ['server_error', 'Server Error'],
  bad_request: ['parameter_invalid', 'Invalid parameter'],
};
const errorList = (status: number, code: string, message: string): SimReply => ({ status, body: { type: 'error.list', request_id: randomUUID(), errors: [{ code, message }] } });

interface Contact extends Record<string, unknown> {
  id: string;
  email: string;
  updated_at: number;
}

const OPERATORS: Record<string, (a: string | number, b: string | number) => boolean> = { '=': (a, b) => a === b, '>': (a, b) => a > b, '<': (a, b) => a < b };

export default defineSimulator({
  key: 'intercom',
  credential: auth.bearer(),
  accepts: [TOKEN],
  sample: { credentials: { accessToken: TOKEN } },
  error: (kind, status) => {
    const reply = errorList(status, ...CODES[kind]);
    if (kind === 'rate_limited') reply.headers = { 'x-ratelimit-limit': '10000', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 10) };
    return reply;
  },
  rateLimit: '10000/minute',
  data: (options) => ({
    contacts: fixtures<Contact>(options, 'contacts', 120, (i, at) => ({
      type: 'contact',
      id: `65a0${String(i).padStart(20, '0')}`,
      workspace_id: 'patchbaysim',
      external_id: i % 3 === 0 ? null : `cust-${i}`,
      role: i % 5 === 0 ? 'lead' : 'user',
      email: `contact${i}@patchbay-sim.example`,
      name: `Contact ${i}`,
      created_at: Number(at),
      updated_at: Number(at),
      last_seen_at: i % 4 === 0 ? null : Number(at),
    }), { updated: 'updated_at', format: 'seconds' }),
  }),
  routes: ({ contacts }) => [
    { method: 'GET', path: '/me', handle: () => ({ body: { type: 'admin', id: '7001', email: 'admin@patchbay-sim.example', name: 'Sim Admin', app: { type: 'app', id_code: 'patchbaysim', name: 'Patchbay Sim', region: 'US' } } }) },
    {
      method: 'POST',
      path: '/contacts/search',
      handle: (req) => {
        let body: { query?: { field?: string; operator?: string; value?: string | number }; pagination?: { per_page?: number; starting_after?: string }; sort?: { field?: string; order?: string } };
        try {
          body = JSON.parse(req.rawBody) as typeof body;
        } catch {
          return errorList(400, 'parameter_invalid', 'The body is not valid JSON');
        }
        const { field, operator, value } = body.query ?? {};
        if (!field || !['id', 'email', 'updated_at'].includes(field) || !operator || !OPERATORS[operator] || value === undefined) return errorList(400, 'parameter_invalid', 'query must name a field (id, email, updated_at), an operator (=, >, <) and a value');
        const perPage = Math.min(150, Math.max(1, Number(body.pagination?.per_page ?? 50) || 50));
        const descending = body.sort?.order === 'descending';
        const all = contacts
          .all()
          .filter((c) => OPERATORS[operator]!(field === 'updated_at' ? c.updated_at : String(c[field]).toLowerCase(), field === 'updated_at' ? Number(value) : String(value).toLowerCase()))
          .slice()
          .sort((a, b) => (a.updated_at - b.updated_at || (a.id < b.id ? -1 : 1)) * (descending ? -1 : 1));
        const after = body.pagination?.starting_after;
        const start = after ? Number(Buffer.from(after, 'base64url').toString('utf8')) || 0 : 0;
        const data = all.slice(start, start + perPage);
        const page = Math.floor(start / perPage) + 1;
        const more = start + perPage < all.length;
        return {
          body: {
            type: 'list',
            data,
            total_count: all.length,
            pages: { type: 'pages', page, per_page: perPage, total_pages: Math.ceil(all.length / perPage), ...(more ? { next: { page: page + 1, starting_after: Buffer.from(String(start + perPage)).toString('base64url') } } : {}) },
          },
        };
      },
    },
  ],
  webhooks: { signer: SIGNERS.intercom! },
  profile: {
    proxyPath: '/me',
    records: { contacts: { dataset: 'contacts', count: 451 } },
    webhook: { secret: SAMPLE_WEBHOOK_SECRETS.intercom!, body: '{"type":"notification_event","id":"notif_1","topic":"conversation.user.created","app_id":"patchbaysim"}' },
    user: { email: 'contact7@patchbay-sim.example' },
  },
});
