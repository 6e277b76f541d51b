/**
 * Airtable: records of one table of a base, read with a personal access token, and the base's
 * webhook notifications.
 * - Authentication: `Authorization: Bearer <personal access token>`:
 *   https://airtable.com/developers/web/api/authentication; `GET /v0/meta/whoami`.
 * - Records: `GET /v0/{baseId}/{tableIdOrName}?pageSize(≤100)&offset` → `{ records: [{ id,
 *   createdTime, fields }], offset }`, `offset` absent on the last page:
 *   https://airtable.com/developers/web/api/list-records
 * - 5 requests a second per base, 429 then a 30-second wait; errors `{ error: { type, message } }`:
 *   https://airtable.com/developers/web/api/rate-limits, https://airtable.com/developers/web/api/errors
 * - Webhooks: a thin notification `{ base: { id }, webhook: { id }, timestamp }` signed
 *   `X-Airtable-Content-MAC: hmac-sha256=<hex HMAC-SHA256 of the body>`, keyed by the webhook's
 *   `macSecretBase64` decoded; the changes themselves are read with `GET
 *   /v0/bases/{baseId}/webhooks/{webhookId}/payloads?cursor` (through the proxy):
 *   https://airtable.com/developers/web/api/webhooks-overview
 */
import { Type } from 'typebox';
import type { SyncDefinition } from '../extensions.ts';
import { connected, defineConnector, expectOk, hmac, jsonField, matchesAny, monogramIcon, parseJsonBody, refused, verified } from '../sdk.ts';

interface AirtableRecord {
  id: string;
  createdTime: string;
  fields: Record<string, unknown>;
}

/**
 * Every record of the table. A snapshot: Airtable records say when they were created but not when
 * they last changed (unless the table has a last-modified field), so each run reads the table.
 */
const records: SyncDefinition<{ baseId: string; table: string }> = {
  model: 'records',
  description: 'Records of the connection’s table',
  schema: Type.Object({ id: Type.String(), createdTime: Type.String(), fields: Type.Record(Type.String(), Type.Unknown()) }),
  frequency: 'hourly',
  dataStrategy: 'snapshot',
  async exec(ctx) {
    const checkpoint = (await ctx.checkpoint.get<{ offset?: string }>()) ?? {};
    const pages = ctx.paginate<AirtableRecord>(
      { path: `/v0/${encodeURIComponent(ctx.config.baseId)}/${encodeURIComponent(ctx.config.table)}`, query: { pageSize: 100 } },
      { type: 'cursor', results: 'records', cursorPath: 'offset', cursorParam: 'offset', start: checkpoint.offset },
    );
    for await (const page of pages) {
      await ctx.batchSave(page.items.map((r) => ({ externalId: r.id, data: { id: r.id, createdTime: r.createdTime, fields: r.fields } })));
      await ctx.checkpoint.save({ offset: page.next });
    }
  },
};

/** The MAC key: the secret's base64, decoded; a secret that is not canonical base64 is used as it is (and matches nothing Airtable signs). */
function macKey(secret: string): Buffer {
  const decoded = Buffer.from(secret, 'base64');
  return decoded.toString('base64') === secret ? decoded : Buffer.from(secret, 'utf8');
}

export default defineConnector({
  key: 'airtable',
  name: 'Airtable',
  description: 'Records of an Airtable table, read with a personal access token, and the base’s signed webhook notifications (whose changes are fetched through the proxy).',
  category: 'data',
  icon: monogramIcon('At', '#fcb400'),
  capabilities: ['proxy', 'records', 'webhooks'],
  connectionMode: 'apiKey',
  connectionConfig: {
    baseId: { label: 'Base ID', help: 'From the base’s URL: airtable.com/<app…>/…', pattern: 'app[A-Za-z0-9]{14}', patternHint: 'is app followed by 14 letters and digits' },
    table: { label: 'Table', help: 'The table’s name or id (tbl…).' },
  },
  auth: {
    fields: {
      token: {
        label: 'Personal access token',
        help: 'airtable.com/create/tokens, with data.records:read (and webhook:manage for webhooks) on the base.',
        secret: true,
        pattern: 'pat[A-Za-z0-9]{14}\\.[A-Za-z0-9]{20,}',
        patternHint: 'starts with pat and holds a dot',
      },
    },
    inject: { in: 'header', name: 'Authorization', format: 'Bearer {token}' },
  },
  baseUrls: { production: 'https://api.airtable.com' },
  rateLimit: '5/second',
  uiEmbeds: [{ surface: 'connection', placement: 'tab', title: 'Records' }],
  docsUrl: 'https://airtable.com/developers/web/api/introduction',
  syncs: [records],

  async testConnection(ctx) {
    const { body } = expectOk(await ctx.http.request<{ id: string; email?: string; scopes?: string[] }>({ path: '/v0/meta/whoami' }));
    return connected({ id: body.id, email: body.email, base: ctx.config.baseId });
  },

  // The source's secret is the webhook's macSecretBase64, as Airtable returned it on creation.
  // Decoded strictly: a lenient decoder would stop at the first stray character and accept a
  // secret that is only a prefix of another.
  webhooks: {
    verify(request, secrets) {
      const mac = request.headers['x-airtable-content-mac'];
      if (!mac?.startsWith('hmac-sha256=')) return refused('the X-Airtable-Content-MAC header is missing');
      const expected = secrets.map((secret) => `hmac-sha256=${hmac('sha256', macKey(secret), request.rawBody).toString('hex')}`);
      return matchesAny(expected, [mac]) ? verified : refused('the MAC does not match');
    },
    eventId(request) {
      const payload = parseJsonBody(request);
      const webhook = jsonField(payload, 'webhook.id');
      const at = jsonField(payload, 'timestamp');
      return webhook && at ? `${webhook}:${at}` : undefined;
    },
    route(request) {
      const payload = parseJsonBody(request);
      return { eventType: 'base.changed', externalAccountId: jsonField(payload, 'base.id'), payload };
    },
  },
});
