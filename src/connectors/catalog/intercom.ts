/**
 * Intercom: contacts of an Intercom workspace read with an access token, and its webhook
 * notifications (topics such as conversation.user.created). API reference
 * (https://developers.intercom.com/docs/references/rest-api/api.intercom.io): bearer access
 * tokens, the `Intercom-Version` header; regional hosts api.intercom.io, api.eu.intercom.io,
 * api.au.intercom.io; `GET /me` (the admin and its app); Search contacts (`POST /contacts/search`
 * with `query: { field, operator, value }`, `pagination: { per_page ≤ 150, starting_after }`,
 * `sort`; answers `{ type: "list", data, total_count, pages: { next: { starting_after } } }`);
 * errors `{ type: "error.list", request_id, errors: [{ code, message }] }`; 429 with
 * `X-RateLimit-Limit`, `-Remaining`, `-Reset`. Webhooks: https://developers.intercom.com/docs/webhooks
 * (notification object, signatures).
 */
import { Type } from 'typebox';
import type { SyncDefinition } from '../extensions.ts';
import { connected, defineConnector, expectOk, hmac, bodyField, jsonField, matchesAny, monogramIcon, parseJsonBody, refused, verified, type ConnectorContext, type DirectoryUser } from '../sdk.ts';

interface Contact {
  id: string;
  role: string;
  email?: string | null;
  name?: string | null;
  external_id?: string | null;
  created_at: number;
  updated_at: number;
  last_seen_at?: number | null;
}
interface ContactList {
  data: Contact[];
  total_count: number;
  pages?: { next?: { starting_after?: string } | null };
}

const Text = Type.Union([Type.String(), Type.Null()]);
const iso = (seconds: number): string => new Date(seconds * 1000).toISOString();

async function search(ctx: ConnectorContext, query: Record<string, unknown>, startingAfter?: string, perPage = 150): Promise<ContactList> {
  const pagination = { per_page: perPage, ...(startingAfter ? { starting_after: startingAfter } : {}) };
  return expectOk(await ctx.http.request<ContactList>({ method: 'POST', path: '/contacts/search', body: { query, pagination, sort: { field: 'updated_at', order: 'ascending' } } })).body;
}

/**
 * Contacts updated since the last run, oldest update first, 150 a page (`starting_after`). The
 * bound is a second before the newest update read: Intercom's times are whole seconds and `>` is strict.
 */
const contacts: SyncDefinition = {
  model: 'contacts',
  description: 'Intercom contacts (users and leads)',
  schema: Type.Object({ id: Type.String(), role: Type.String(), email: Text, name: Text, externalId: Text, createdAt: Type.String(), updatedAt: Type.String(), lastSeenAt: Text }),
  frequency: 'hourly',
  dataStrategy: 'events',
  async exec(ctx) {
    const checkpoint = (await ctx.checkpoint.get<{ since?: number; after?: string; newest?: number }>()) ?? {};
    const start = ctx.since ? Math.floor(ctx.since.getTime() / 1000) : 0;
    const since = ctx.full ? start : (checkpoint.since ?? start);
    let newest = checkpoint.newest ?? since;
    let after = checkpoint.after;
    for (;;) {
      const page = await search(ctx, { field: 'updated_at', operator: '>', value: since }, after);
      for (const c of page.data) newest = Math.max(newest, c.updated_at);
      await ctx.batchSave(
        page.data.map((c) => ({
          externalId: c.id,
          data: { id: c.id, role: c.role, email: c.email ?? null, name: c.name ?? null, externalId: c.external_id ?? null, createdAt: iso(c.created_at), updatedAt: iso(c.updated_at), lastSeenAt: c.last_seen_at ? iso(c.last_seen_at) : null },
          updatedAt: iso(c.updated_at),
        })),
      );
      after = page.pages?.next?.starting_after ?? undefined;
      await ctx.checkpoint.save({ since: checkpoint.since, after, newest });
      if (!after || page.data.length === 0) break;
    }
    await ctx.checkpoint.save({ since: newest > since ? newest - 1 : since });
  },
};

const asUser = (c: Contact): DirectoryUser => ({ id: c.id, email: c.email ?? undefined, name: c.name ?? undefined, status: c.role });

export default defineConnector({
  key: 'intercom',
  name: 'Intercom',
  description: 'Contacts of an Intercom workspace read with an access token, and its conversation, contact and ticket topics received as signed webhook notifications.',
  category: 'support',
  icon: monogramIcon('Ic', '#1f8ded'),
  capabilities: ['proxy', 'records', 'webhooks', 'identity'],
  connectionMode: 'apiKey',
  auth: {
    fields: {
      accessToken: {
        label: 'Access token',
        help: 'Developer Hub → your app → Authentication → Access token (read contacts is enough).',
        pattern: '[A-Za-z0-9=_-]{20,}',
        patternHint: 'is the access token of your Intercom app',
        secret: true,
      },
      signingSecret: {
        label: 'Client secret',
        help: 'The app’s client secret (Developer Hub → your app → Basic information).',
        secret: true,
        required: false,
      },
    },
    inject: { in: 'header', name: 'Authorization', format: 'Bearer {accessToken}' },
  },
  baseUrls: { production: 'https://api.intercom.io', eu: 'https://api.eu.intercom.io', au: 'https://api.au.intercom.io' },
  requestHeaders: { 'Intercom-Version': '2.11' },
  // Private apps: 10,000 calls a minute per app (spread over 10-second windows).
  rateLimit: '10000/minute',
  uiEmbeds: [{ surface: 'connection', placement: 'tab', title: 'Received events' }],
  docsUrl: 'https://developers.intercom.com/docs/references/rest-api/api.intercom.io',
  syncs: [contacts],

  async testConnection(ctx) {
    const { body } = expectOk(await ctx.http.request<{ id: string; email?: string; app?: { id_code: string; name: string } }>({ path: '/me' }));
    return connected({ id: body.app?.id_code, name: body.app?.name ?? 'Intercom', admin: body.email });
  },

  async lookupUser(ctx, query) {
    const [field, value] = query.id ? ['id', query.id] : query.email ? ['email', query.email] : [];
    if (!field) return undefined;
    const found = await search(ctx, { field, operator: '=', value }, undefined, 1);
    return found.data[0] ? asUser(found.data[0]) : undefined;
  },

  // https://developers.intercom.com/docs/webhooks/webhook-notifications: `X-Hub-Signature:
  // sha1=<hex HMAC-SHA1 of the body>` keyed by the app's client secret.
  webhooks: {
    verify(request, secrets) {
      const signature = request.headers['x-hub-signature'];
      if (!signature?.startsWith('sha1=')) return refused('the X-Hub-Signature header is missing');
      const expected = secrets.map((secret) => `sha1=${hmac('sha1', secret, request.rawBody).toString('hex')}`);
      return matchesAny(expected, [signature]) ? verified : refused('the signature does not match');
    },
    eventId: (request) => bodyField(request, 'id'),
    route(request) {
      const payload = parseJsonBody(request);
      return { eventType: jsonField(payload, 'topic') ?? 'unknown', externalAccountId: jsonField(payload, 'app_id'), payload };
    },
  },
});
