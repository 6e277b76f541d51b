/**
 * Zendesk: tickets and users of a Zendesk Support account read with an API token, and its
 * webhooks (event subscriptions, triggers and automations). API reference
 * (https://developer.zendesk.com/api-reference/): API tokens as basic auth with
 * `{email}/token` and the token (https://developer.zendesk.com/api-reference/introduction/security-and-auth/);
 * `GET /api/v2/users/me`; the cursor-based incremental ticket export
 * (`GET /api/v2/incremental/tickets/cursor?start_time=…`, then `?cursor=<after_cursor>`; `{ tickets,
 * after_cursor, end_of_stream }`; the last after_cursor resumes the next export):
 * https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/;
 * users (`GET /api/v2/users/{id}`, `GET /api/v2/users/search?query=email:…`); errors
 * (`{ error, description }` or `{ error: { title, message } }`); 429 with `Retry-After`.
 * Webhooks: https://developer.zendesk.com/documentation/webhooks/ (verifying, event payloads).
 */
import { Type } from 'typebox';
import type { SyncDefinition } from '../extensions.ts';
import { connected, defineConnector, expectOk, hmac, bodyField, jsonField, matchesAny, monogramIcon, parseJsonBody, refused, verified, withinTolerance, type DirectoryUser } from '../sdk.ts';

interface Ticket {
  id: number;
  subject?: string | null;
  status: string;
  priority?: string | null;
  requester_id?: number | null;
  assignee_id?: number | null;
  created_at: string;
  updated_at: string;
}
interface ZendeskUser {
  id: number;
  name?: string | null;
  email?: string | null;
  role: string;
  active: boolean;
  suspended?: boolean;
}

const Text = Type.Union([Type.String(), Type.Null()]);
const Id = Type.Union([Type.Integer(), Type.Null()]);

/**
 * Tickets by the cursor-based incremental export: the first run starts at `ctx.since` (or the
 * beginning), every later one resumes from the export's last `after_cursor`.
 */
const tickets: SyncDefinition = {
  model: 'tickets',
  description: 'Zendesk tickets',
  schema: Type.Object({ id: Type.Integer(), subject: Text, status: Type.String(), priority: Text, requesterId: Id, assigneeId: Id, createdAt: Type.String(), updatedAt: Type.String() }),
  frequency: 'every 30m',
  dataStrategy: 'events',
  async exec(ctx) {
    const saved = (await ctx.checkpoint.get<{ cursor?: string }>()) ?? {};
    let cursor = ctx.full ? undefined : saved.cursor;
    const startTime = Math.max(1, Math.floor((ctx.since?.getTime() ?? 1000) / 1000));
    for (;;) {
      const { body } = expectOk(
        await ctx.http.request<{ tickets: Ticket[]; after_cursor: string | null; end_of_stream: boolean }>({
          path: '/api/v2/incremental/tickets/cursor',
          query: { per_page: 100, ...(cursor ? { cursor } : { start_time: startTime }) },
        }),
      );
      await ctx.batchSave(
        body.tickets.map((t) => ({
          externalId: String(t.id),
          data: { id: t.id, subject: t.subject ?? null, status: t.status, priority: t.priority ?? null, requesterId: t.requester_id ?? null, assigneeId: t.assignee_id ?? null, createdAt: t.created_at, updatedAt: t.updated_at },
          updatedAt: t.updated_at,
        })),
      );
      cursor = body.after_cursor ?? cursor;
      await ctx.checkpoint.save({ cursor });
      if (body.end_of_stream || !body.after_cursor) break;
    }
  },
};

const asUser = (u: ZendeskUser): DirectoryUser => ({ id: String(u.id), email: u.email ?? undefined, name: u.name ?? undefined, status: u.suspended ? 'suspended' : u.role, active: u.active && !u.suspended });

export default defineConnector({
  key: 'zendesk',
  name: 'Zendesk',
  description: 'Tickets and users of a Zendesk account read with an API token, and its ticket, user and organization events received as signed webhooks.',
  category: 'support',
  icon: monogramIcon('Zd', '#03363d'),
  capabilities: ['proxy', 'records', 'webhooks', 'identity'],
  connectionMode: 'basic',
  connectionConfig: {
    subdomain: { label: 'Subdomain', help: 'As in https://<subdomain>.zendesk.com.', pattern: '[a-z0-9][a-z0-9-]{0,62}', patternHint: 'is the part before .zendesk.com' },
  },
  auth: {
    fields: {
      email: { label: 'Agent email', help: 'The email of the admin or agent the token acts for.', format: 'email' },
      apiToken: { label: 'API token', help: 'Admin Center → Apps and integrations → APIs → Zendesk API → Add API token.', pattern: '[A-Za-z0-9]{20,}', patternHint: 'is the 40-character token Zendesk showed once', secret: true },
      signingSecret: {
        label: 'Signing secret',
        help: 'The webhook’s signing secret (Admin Center → Apps and integrations → Webhooks → the webhook → Reveal secret).',
        secret: true,
        required: false,
      },
    },
    // API tokens: `{email}/token` as the user name, the token as the password.
    inject: { in: 'basic', username: '{email}/token', password: '{apiToken}' },
  },
  baseUrls: { production: 'https://{subdomain}.zendesk.com' },
  // Support plans allow 200 to 2,500 requests a minute; Team plans 200.
  rateLimit: '200/minute',
  uiEmbeds: [{ surface: 'connection', placement: 'tab', title: 'Received events' }],
  docsUrl: 'https://developer.zendesk.com/api-reference/',
  syncs: [tickets],

  async testConnection(ctx) {
    const { body } = expectOk(await ctx.http.request<{ user: ZendeskUser }>({ path: '/api/v2/users/me' }));
    return connected({ id: String(body.user.id), name: `${ctx.config.subdomain}.zendesk.com`, user: body.user.email, role: body.user.role });
  },

  async lookupUser(ctx, query) {
    if (query.id) {
      const response = await ctx.http.request<{ user: ZendeskUser }>({ path: `/api/v2/users/${encodeURIComponent(query.id)}` });
      return response.status === 404 ? undefined : asUser(expectOk(response).body.user);
    }
    if (!query.email) return undefined;
    const { body } = expectOk(await ctx.http.request<{ users: ZendeskUser[] }>({ path: '/api/v2/users/search', query: { query: `email:${query.email}` } }));
    return body.users[0] ? asUser(body.users[0]) : undefined;
  },

  // https://developer.zendesk.com/documentation/webhooks/verifying/: base64 HMAC-SHA256 of
  // timestamp + body, in `X-Zendesk-Webhook-Signature`, the timestamp (ISO 8601) beside it.
  webhooks: {
    verify(request, secrets, { toleranceSeconds }) {
      const signature = request.headers['x-zendesk-webhook-signature'];
      const timestamp = request.headers['x-zendesk-webhook-signature-timestamp'];
      if (!signature) return refused('the X-Zendesk-Webhook-Signature header is missing');
      const stale = withinTolerance(timestamp, request.receivedAt, toleranceSeconds, /^\d+$/.test(timestamp ?? '') ? 'seconds' : 'iso');
      if (stale) return refused(stale);
      const expected = secrets.map((secret) => hmac('sha256', secret, timestamp!, request.rawBody).toString('base64'));
      return matchesAny(expected, [signature]) ? verified : refused('the signature does not match');
    },
    eventId: (request) => bodyField(request, 'id') ?? request.headers['x-zendesk-webhook-invocation-id'],
    route(request) {
      const payload = parseJsonBody(request);
      return { eventType: jsonField(payload, 'type') ?? 'webhook', externalAccountId: jsonField(payload, 'account_id'), payload };
    },
  },
});
