/**
 * Notion: pages shared with an internal integration, read with its token, and its webhooks.
 * - Authentication: `Authorization: Bearer <integration token>` and `Notion-Version`:
 *   https://developers.notion.com/reference/authentication, https://developers.notion.com/reference/versioning
 * - `GET /v1/users/me` (the bot and its workspace); `POST /v1/search` with
 *   `{ filter: { property: "object", value: "page" }, sort: { timestamp: "last_edited_time", direction },
 *   start_cursor, page_size (≤ 100) }` → `{ results, next_cursor, has_more }`:
 *   https://developers.notion.com/reference/post-search, https://developers.notion.com/reference/intro#pagination
 * - Errors `{ object: "error", status, code, message }`; about 3 requests a second, 429
 *   `rate_limited` with `Retry-After`: https://developers.notion.com/reference/request-limits
 * - Webhooks: `X-Notion-Signature: sha256=<hex HMAC-SHA256 of the body>` keyed by the
 *   subscription's verification token: https://developers.notion.com/reference/webhooks. Notion
 *   sends that token once, unsigned, when the subscription is made: the hub refuses it and keeps
 *   it among the source's rejected events, where an operator reads it to set the source's secret.
 */
import { Type } from 'typebox';
import type { SyncDefinition } from '../extensions.ts';
import { connected, defineConnector, expectOk, hmac, jsonField, matchesAny, monogramIcon, parseJsonBody, refused, verified } from '../sdk.ts';

interface Page {
  object: 'page';
  id: string;
  url?: string;
  archived?: boolean;
  in_trash?: boolean;
  parent?: { type: string; database_id?: string; page_id?: string; workspace?: boolean };
  properties?: Record<string, { type: string; title?: { plain_text: string }[] }>;
  created_time: string;
  last_edited_time: string;
}

const Text = Type.Union([Type.String(), Type.Null()]);

/** The title of a page: its `title` property's text. */
function titleOf(page: Page): string | null {
  const title = Object.values(page.properties ?? {}).find((p) => p.type === 'title');
  return title?.title?.map((t) => t.plain_text).join('') || null;
}

/** Pages newest edit first; an incremental run stops at the last run's newest edit. */
const pages: SyncDefinition = {
  model: 'pages',
  description: 'Notion pages shared with the integration',
  schema: Type.Object({ id: Type.String(), title: Text, url: Text, parentType: Text, parentId: Text, archived: Type.Boolean(), createdAt: Type.String(), editedAt: Type.String() }),
  frequency: 'hourly',
  dataStrategy: 'events',
  async exec(ctx) {
    const checkpoint = (await ctx.checkpoint.get<{ since?: string; cursor?: string; newest?: string }>()) ?? {};
    const since = ctx.full ? ctx.since?.toISOString() : (checkpoint.since ?? ctx.since?.toISOString());
    let newest = checkpoint.newest ?? since ?? '';
    const list = ctx.paginate<Page>(
      {
        method: 'POST',
        path: '/v1/search',
        body: { filter: { property: 'object', value: 'page' }, sort: { timestamp: 'last_edited_time', direction: 'descending' }, page_size: 100 },
        // A search reads; asking twice is harmless.
        idempotent: true,
      },
      { type: 'cursor', results: 'results', cursorPath: 'next_cursor', cursorParam: 'start_cursor', in: 'body', start: checkpoint.cursor },
    );
    for await (const page of list) {
      const fresh = since ? page.items.filter((p) => p.last_edited_time >= since) : page.items;
      for (const p of fresh) if (p.last_edited_time > newest) newest = p.last_edited_time;
      await ctx.batchSave(
        fresh.map((p) => ({
          externalId: p.id,
          data: {
            id: p.id,
            title: titleOf(p),
            url: p.url ?? null,
            parentType: p.parent?.type ?? null,
            parentId: p.parent?.database_id ?? p.parent?.page_id ?? null,
            archived: Boolean(p.archived || p.in_trash),
            createdAt: p.created_time,
            editedAt: p.last_edited_time,
          },
          updatedAt: p.last_edited_time,
        })),
      );
      await ctx.checkpoint.save({ since: checkpoint.since, cursor: page.next, newest });
      // Sorted newest first: a page reaching past the last run's newest edit ends the run.
      if (fresh.length < page.items.length) break;
    }
    await ctx.checkpoint.save({ since: newest || since });
  },
};

export default defineConnector({
  key: 'notion',
  name: 'Notion',
  description: 'Pages of a Notion workspace shared with an internal integration, read with its token, and the integration’s signed webhooks (page and database changes).',
  category: 'data',
  icon: monogramIcon('N', '#191919'),
  capabilities: ['proxy', 'records', 'webhooks'],
  connectionMode: 'apiKey',
  auth: {
    fields: {
      token: {
        label: 'Integration token',
        help: 'notion.so/profile/integrations → your internal integration → Internal Integration Secret (ntn_…); share the pages to sync with it.',
        secret: true,
        pattern: '(?:ntn_|secret_)[A-Za-z0-9]{20,}',
        patternHint: 'starts with ntn_ (or secret_ for older integrations)',
      },
    },
    inject: { in: 'header', name: 'Authorization', format: 'Bearer {token}' },
  },
  baseUrls: { production: 'https://api.notion.com' },
  requestHeaders: { 'Notion-Version': '2022-06-28' },
  rateLimit: '3/second',
  uiEmbeds: [{ surface: 'connection', placement: 'tab', title: 'Pages' }],
  docsUrl: 'https://developers.notion.com/reference/intro',
  syncs: [pages],

  async testConnection(ctx) {
    const { body } = expectOk(await ctx.http.request<{ id: string; name?: string; bot?: { workspace_name?: string } }>({ path: '/v1/users/me' }));
    return connected({ id: body.id, name: body.bot?.workspace_name ?? body.name });
  },

  webhooks: {
    verify(request, secrets) {
      const signature = request.headers['x-notion-signature'];
      if (!signature) return refused('the X-Notion-Signature header is missing (a subscription’s first request carries the verification token, unsigned)');
      const expected = secrets.map((secret) => `sha256=${hmac('sha256', secret, request.rawBody).toString('hex')}`);
      return matchesAny(expected, [signature]) ? verified : refused('the signature does not match');
    },
    eventId: (request) => jsonField(parseJsonBody(request), 'id'),
    route(request) {
      const payload = parseJsonBody(request);
      return { eventType: jsonField(payload, 'type') ?? 'unknown', externalAccountId: jsonField(payload, 'workspace_id'), payload };
    },
  },
});
