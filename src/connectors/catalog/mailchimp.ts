/**
 * Mailchimp Marketing: members of an audience, read with an API key.
 * - Authentication: HTTP basic, any user name and the API key; the key ends with the account's data
 *   center (`…-us21`), which is also the API's host (`https://us21.api.mailchimp.com/3.0`):
 *   https://mailchimp.com/developer/marketing/docs/fundamentals/#api-structure
 * - `GET /3.0/` (the account); members `GET /3.0/lists/{list_id}/members?count(≤1000)&offset&since_last_changed`
 *   → `{ members, total_items }`: https://mailchimp.com/developer/marketing/api/list-members/
 * - Errors are problem documents `{ type, title, status, detail, instance }`; 429 past 10
 *   simultaneous connections: https://mailchimp.com/developer/marketing/docs/errors/
 * No webhooks here: Mailchimp's audience webhooks are unsigned form posts.
 */
import { Type } from 'typebox';
import type { SyncDefinition } from '../extensions.ts';
import { connected, defineConnector, expectOk, monogramIcon } from '../sdk.ts';

interface Member {
  id: string;
  email_address: string;
  status: string;
  full_name?: string;
  merge_fields?: Record<string, unknown>;
  tags?: { name: string }[];
  timestamp_opt?: string;
  last_changed: string;
}

const Text = Type.Union([Type.String(), Type.Null()]);

/** Members changed since the last run (`since_last_changed`), in pages of 1,000. */
const members: SyncDefinition<{ listId: string }> = {
  model: 'members',
  description: 'Audience members',
  schema: Type.Object({ id: Type.String(), email: Type.String(), status: Type.String(), name: Text, tags: Type.Array(Type.String()), optedInAt: Text, changedAt: Type.String() }),
  frequency: 'hourly',
  dataStrategy: 'events',
  async exec(ctx) {
    const checkpoint = (await ctx.checkpoint.get<{ since?: string; offset?: number; newest?: string; runStart?: string }>()) ?? {};
    const since = ctx.full ? ctx.since?.toISOString() : (checkpoint.since ?? ctx.since?.toISOString());
    let newest = checkpoint.newest ?? since ?? '';
    const pages = ctx.paginate<Member>(
      { path: `/3.0/lists/${encodeURIComponent(ctx.config.listId)}/members`, query: { ...(since ? { since_last_changed: since } : {}), fields: 'members.id,members.email_address,members.status,members.full_name,members.tags,members.timestamp_opt,members.last_changed,total_items' } },
      { type: 'offset', results: 'members', offsetParam: 'offset', limitParam: 'count', limit: 1000, start: checkpoint.offset },
    );
    for await (const page of pages) {
      await ctx.batchSave(
        page.items.map((m) => {
          const changedAt = new Date(m.last_changed).toISOString();
          if (changedAt > newest) newest = changedAt;
          return {
            externalId: m.id,
            data: { id: m.id, email: m.email_address, status: m.status, name: m.full_name || null, tags: (m.tags ?? []).map((t) => t.name), optedInAt: m.timestamp_opt ? new Date(m.timestamp_opt).toISOString() : null, changedAt },
            updatedAt: changedAt,
          };
        }),
      );
      await ctx.checkpoint.save({ since: checkpoint.since, offset: page.next === undefined ? undefined : Number(page.next), newest });
    }
    await ctx.checkpoint.save({ since: newest || since });
  },
};

export default defineConnector({
  key: 'mailchimp',
  name: 'Mailchimp',
  description: 'Members of a Mailchimp audience (subscribed, unsubscribed, cleaned), read incrementally with an API key.',
  category: 'communication',
  icon: monogramIcon('Mc', '#ffe01b'),
  capabilities: ['proxy', 'records'],
  connectionMode: 'apiKey',
  connectionConfig: {
    dataCenter: { label: 'Data center', help: 'The part of the API key after the dash (us21 in …-us21).', placeholder: 'us21', pattern: '[a-z]{2}[0-9]{1,2}', patternHint: 'is two letters and a number, such as us21' },
    listId: { label: 'Audience ID', help: 'Audience → Settings → Audience name and defaults → Audience ID.', pattern: '[0-9a-f]{10}', patternHint: 'is 10 hexadecimal characters' },
  },
  auth: {
    fields: {
      apiKey: { label: 'API key', help: 'Profile → Extras → API keys.', secret: true, pattern: '[0-9a-f]{32}-[a-z]{2}[0-9]{1,2}', patternHint: 'is 32 hexadecimal characters, a dash and the data center (…-us21)' },
    },
    inject: { in: 'basic', username: 'patchbay', password: '{apiKey}' },
  },
  baseUrls: { production: 'https://{dataCenter}.api.mailchimp.com' },
  uiEmbeds: [{ surface: 'connection', placement: 'tab', title: 'Members' }],
  docsUrl: 'https://mailchimp.com/developer/marketing/api/',
  syncs: [members],

  async testConnection(ctx) {
    const { body } = expectOk(await ctx.http.request<{ account_id: string; account_name?: string; email?: string }>({ path: '/3.0/' }));
    return connected({ id: body.account_id, name: body.account_name, email: body.email });
  },
});
