/**
 * Supabase: one table of a Supabase project synced incrementally by a cursor column, read through
 * its Data API (PostgREST) with a secret key. References: API keys (`sb_secret_…` secret keys, or
 * the legacy service_role JWT, sent in the `apikey` header; secret keys bypass Row Level Security
 * and must stay on servers): https://supabase.com/docs/guides/api/api-keys; the Data API
 * (`https://<project-ref>.supabase.co/rest/v1/<table>`): https://supabase.com/docs/guides/api;
 * PostgREST reads (`select`, horizontal filters such as `col=gte.value`, `order=col.asc,id.asc`,
 * `limit`, `offset`; errors `{ code, details, hint, message }`, e.g. PGRST205 for an unknown
 * table, 42703 for an unknown column): https://docs.postgrest.org/en/stable/references/api/tables_views.html
 * Only GETs are sent by the sync: nothing is written.
 */
import { Type } from 'typebox';
import type { SyncDefinition } from '../extensions.ts';
import { connected, defineConnector, expectOk, monogramIcon, type ConnectorContext } from '../sdk.ts';

const IDENTIFIER = '[A-Za-z_][A-Za-z0-9_]{0,62}';
const cfg = (ctx: Pick<ConnectorContext, 'config'>) => ({ table: ctx.config.table!, cursor: ctx.config.cursorColumn || 'updated_at', key: ctx.config.primaryKey || 'id' });

/**
 * Rows whose cursor column is at or after the newest value read (`gte`, so rows sharing the
 * boundary value are read again rather than missed), ordered by cursor then key, 500 at a time.
 */
const rows: SyncDefinition = {
  model: 'rows',
  description: 'Rows of the chosen table',
  // Any table: each row as PostgREST returns it.
  schema: Type.Object({}, { additionalProperties: true }),
  frequency: 'every 15m',
  dataStrategy: 'events',
  async exec(ctx) {
    const { table, cursor, key } = cfg(ctx);
    const checkpoint = (await ctx.checkpoint.get<{ since?: string; offset?: number; newest?: string }>()) ?? {};
    const since = ctx.full ? ctx.since?.toISOString() : (checkpoint.since ?? ctx.since?.toISOString());
    let newest = checkpoint.newest ?? since ?? '';
    const pages = ctx.paginate<Record<string, unknown>>(
      { path: `/rest/v1/${encodeURIComponent(table)}`, query: { select: '*', order: `${cursor}.asc,${key}.asc`, ...(since ? { [cursor]: `gte.${since}` } : {}) } },
      { type: 'offset', results: '', offsetParam: 'offset', limitParam: 'limit', limit: 500, start: checkpoint.offset },
    );
    for await (const page of pages) {
      for (const row of page.items) {
        const value = row[cursor];
        if (typeof value === 'string' && value > newest) newest = value;
      }
      await ctx.batchSave(page.items.map((row) => ({ externalId: String(row[key]), data: row, ...(typeof row[cursor] === 'string' ? { updatedAt: row[cursor] as string } : {}) })));
      await ctx.checkpoint.save({ since: checkpoint.since, offset: page.next === undefined ? undefined : Number(page.next), newest });
    }
    await ctx.checkpoint.save({ since: newest || since });
  },
};

export default defineConnector({
  key: 'supabase',
  name: 'Supabase',
  description: 'A table of a Supabase project, synced incrementally by a timestamp column through the Data API (PostgREST), read-only, with a secret key.',
  category: 'data',
  icon: monogramIcon('Sb', '#3ecf8e', '#11181c'),
  capabilities: ['proxy', 'records'],
  connectionMode: 'apiKey',
  connectionConfig: {
    projectRef: { label: 'Project reference', help: 'Project Settings → General → Project ID (the subdomain of https://<ref>.supabase.co).', pattern: '[a-z0-9]{20}', patternHint: 'is the 20-character project ID' },
    table: { label: 'Table', help: 'A table or view of the schemas the Data API exposes (public by default).', pattern: IDENTIFIER, patternHint: 'is a table name such as orders' },
    cursorColumn: { label: 'Cursor column', help: 'A timestamp column set on every insert and update (a trigger keeps updated_at current).', pattern: IDENTIFIER, patternHint: 'is a column name', required: false, placeholder: 'updated_at' },
    primaryKey: { label: 'Primary key column', help: 'The column that identifies a row.', pattern: IDENTIFIER, patternHint: 'is a column name', required: false, placeholder: 'id' },
  },
  auth: {
    fields: {
      secretKey: {
        label: 'Secret key',
        help: 'Project Settings → API Keys → Secret keys (sb_secret_…), or the legacy service_role key. It bypasses Row Level Security: keep it server-side.',
        pattern: '(sb_secret_[A-Za-z0-9_-]{20,}|eyJ[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+)',
        patternHint: 'starts with sb_secret_ (or is the service_role JWT)',
        secret: true,
      },
    },
    inject: { in: 'header', name: 'apikey', format: '{secretKey}' },
  },
  baseUrls: { production: 'https://{projectRef}.supabase.co' },
  // No rateLimit: the Data API is limited by the project's compute and pool, not a request quota.
  uiEmbeds: [{ surface: 'connection', placement: 'tab', title: 'Rows' }],
  docsUrl: 'https://supabase.com/docs/guides/api',
  syncs: [rows],

  async testConnection(ctx) {
    // One row of the table: proves the key, the table and the columns the sync orders by.
    const { table, cursor, key } = cfg(ctx);
    const { body } = expectOk(await ctx.http.request<unknown[]>({ path: `/rest/v1/${encodeURIComponent(table)}`, query: { select: `${key},${cursor}`, limit: 1 } }));
    return connected({ name: `${ctx.config.projectRef} · ${table}`, project: ctx.config.projectRef, table, empty: body.length === 0 });
  },
});
