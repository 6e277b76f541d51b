/**
 * Freshdesk: tickets of a Freshdesk helpdesk, read with an agent's API key on the helpdesk's
 * subdomain, and automation webhooks. API reference: https://developers.freshdesk.com/api/
 * (authentication: the API key as the basic-auth user name with `X` as password; `GET
 * /api/v2/agents/me`; list tickets with `updated_since`, `order_by`, `order_type`, `page`,
 * `per_page` ≤ 100 and a `Link: rel="next"` header; errors `{ code, message }` or
 * `{ description, errors }`; rate limits per plan and minute, 429 with `Retry-After`).
 * Webhooks from automation rules ("Trigger webhook", with the basic credentials or headers the
 * admin sets): https://support.freshdesk.com/support/solutions/articles/132589-using-webhooks-in-automation-rules
 */
import { Type } from 'typebox';
import type { SyncDefinition } from '../extensions.ts';
import { connected, defineConnector, expectOk, jsonField, matchesAny, monogramIcon, parseJsonBody, refused, verified } from '../sdk.ts';

interface Ticket {
  id: number;
  subject: string;
  status: number;
  priority: number;
  requester_id: number;
  responder_id: number | null;
  created_at: string;
  updated_at: string;
}

const tickets: SyncDefinition = {
  model: 'tickets',
  description: 'Freshdesk tickets',
  schema: Type.Object({ id: Type.Integer(), subject: Type.String(), status: Type.Integer(), priority: Type.Integer(), requesterId: Type.Integer(), responderId: Type.Union([Type.Integer(), Type.Null()]), createdAt: Type.String(), updatedAt: Type.String() }),
  frequency: 'every 30m',
  dataStrategy: 'events',
  async exec(ctx) {
    const checkpoint = (await ctx.checkpoint.get<{ since?: string; next?: string; newest?: string }>()) ?? {};
    // Without updated_since Freshdesk lists only the last 30 days.
    const since = ctx.full ? (ctx.since?.toISOString() ?? '2000-01-01T00:00:00Z') : (checkpoint.since ?? ctx.since?.toISOString() ?? '2000-01-01T00:00:00Z');
    let newest = checkpoint.newest ?? since;
    const pages = ctx.paginate<Ticket>(
      { path: '/api/v2/tickets', query: { updated_since: since, order_by: 'updated_at', order_type: 'asc', per_page: 100 } },
      { type: 'link', results: '', start: checkpoint.next },
    );
    for await (const page of pages) {
      for (const t of page.items) if (t.updated_at > newest) newest = t.updated_at;
      await ctx.batchSave(
        page.items.map((t) => ({
          externalId: String(t.id),
          data: { id: t.id, subject: t.subject, status: t.status, priority: t.priority, requesterId: t.requester_id, responderId: t.responder_id, createdAt: t.created_at, updatedAt: t.updated_at },
          updatedAt: t.updated_at,
        })),
      );
      await ctx.checkpoint.save({ since: checkpoint.since, next: page.next === undefined ? undefined : String(page.next), newest });
    }
    await ctx.checkpoint.save({ since: newest });
  },
};

export default defineConnector({
  key: 'freshdesk',
  name: 'Freshdesk',
  description: 'Tickets of a Freshdesk helpdesk, read with an agent’s API key, and ticket events from its automation webhooks.',
  category: 'support',
  icon: monogramIcon('Fd', '#25c16f'),
  capabilities: ['proxy', 'records', 'webhooks'],
  connectionMode: 'basic',
  connectionConfig: {
    subdomain: { label: 'Helpdesk subdomain', help: 'The part before .freshdesk.com in your helpdesk’s address.', placeholder: 'acme', pattern: '[a-z0-9][a-z0-9-]{0,62}', patternHint: 'is the name before .freshdesk.com' },
  },
  auth: {
    fields: { apiKey: { label: 'API key', help: 'Profile settings → View API key.', pattern: '[A-Za-z0-9]{16,40}', patternHint: 'is the key shown under Profile settings', secret: true } },
    // The key is the user name; Freshdesk ignores the password, conventionally X.
    inject: { in: 'basic', username: '{apiKey}', password: 'X' },
  },
  baseUrls: { production: 'https://{subdomain}.freshdesk.com' },
  // The Growth plan's allowance; higher plans allow more.
  rateLimit: '200/minute',
  uiEmbeds: [{ surface: 'connection', placement: 'tab', title: 'Tickets' }],
  docsUrl: 'https://developers.freshdesk.com/api/',
  syncs: [tickets],

  async testConnection(ctx) {
    const { body } = expectOk(await ctx.http.request<{ id: number; contact?: { name?: string; email?: string } }>({ path: '/api/v2/agents/me' }));
    return connected({ id: String(body.id), name: body.contact?.name, email: body.contact?.email, helpdesk: `${ctx.config.subdomain}.freshdesk.com` });
  },

  // Automation webhooks carry no signature: the rule sends the credentials the admin gave it
  // (basic or an API key), or a custom header — `settings.authorizationHeader` names it.
  webhooks: {
    verify(request, secrets, { settings }) {
      const header = (settings.authorizationHeader ?? 'authorization').toLowerCase();
      const value = request.headers[header];
      if (!value) return refused(`the ${header} header is missing`);
      return matchesAny(secrets, [value]) ? verified : refused(`the ${header} header does not match`);
    },
    eventId(request) {
      const payload = parseJsonBody(request);
      const ticket = jsonField(payload, 'freshdesk_webhook.ticket_id');
      return ticket ? `${ticket}:${jsonField(payload, 'freshdesk_webhook.triggered_event') ?? ''}:${jsonField(payload, 'freshdesk_webhook.ticket_updated_at') ?? ''}` : undefined;
    },
    route(request) {
      const payload = parseJsonBody(request);
      return { eventType: jsonField(payload, 'freshdesk_webhook.triggered_event') ?? 'ticket.updated', externalAccountId: jsonField(payload, 'freshdesk_webhook.ticket_portal_url'), payload };
    },
  },
});
