/**
 * PostgreSQL as a source: allow-listed tables, or one read-only query over them, synced
 * incrementally by a cursor column (a timestamp or sequence every insert and update moves) and a
 * key. References: connection parameters and TLS modes
 * (https://www.postgresql.org/docs/current/libpq-connect.html), `BEGIN TRANSACTION READ ONLY`
 * (https://www.postgresql.org/docs/current/sql-set-transaction.html),
 * `statement_timeout` (https://www.postgresql.org/docs/current/runtime-config-client.html),
 * `EXPLAIN (FORMAT JSON)` (https://www.postgresql.org/docs/current/sql-explain.html), SQLSTATEs
 * (https://www.postgresql.org/docs/current/errcodes-appendix.html).
 *
 * Guardrails (each enforced in code and tested against a real server, test/connectors/postgres.test.ts):
 * read-only transactions, a statement timeout and a row limit on every query, an allow-list of
 * schemas and tables, one statement only (refused before sending), a pool of at most `poolSize`
 * clients per connection, slow queries logged with their duration and never their parameters.
 */
import { Type } from 'typebox';
import type { SyncDefinition } from '../extensions.ts';
import { connected, defineConnector, monogramIcon } from '../sdk.ts';
import { readOnly, settingsOf } from './_postgres/session.ts';
import { CURSOR, KEY, readPage, rowData, sourcesOf, type Position } from './_postgres/source.ts';

const IDENTIFIER = '[A-Za-z_][A-Za-z0-9_$]{0,62}';
const columnsOf = (config: Readonly<Record<string, string | undefined>>) => ({ cursor: config.cursorColumn || 'updated_at', key: config.primaryKey || 'id' });

const rows: SyncDefinition = {
  model: 'rows',
  description: 'Rows of the allow-listed tables, or of the configured query',
  // Any table: each row as the database returns it (dates as ISO 8601, bytes as base64).
  schema: Type.Object({}, { additionalProperties: true }),
  frequency: 'every 15m',
  dataStrategy: 'events',
  async exec(ctx) {
    const settings = settingsOf(ctx);
    const columns = columnsOf(ctx.config);
    // A full run's checkpoint holds only its own progress; an incremental one's, the last run's end.
    const positions: Record<string, Position> = { ...(await ctx.checkpoint.get<{ positions?: Record<string, Position> }>())?.positions };
    const sources = await readOnly(ctx, settings, (query) => sourcesOf(ctx, query));
    for (const source of sources) {
      for (;;) {
        ctx.signal.throwIfAborted();
        // One short transaction per page: no snapshot is held open for a whole run.
        const page = await readOnly(ctx, settings, (query) => readPage(query, source, columns, positions[source.name], settings.rowLimit));
        ctx.countPage?.();
        if (page.length === 0) break;
        await ctx.batchSave(
          page.map((row) => {
            const moved = row[columns.cursor];
            return { externalId: `${source.idPrefix}${String(row[KEY])}`, data: rowData(row), ...(moved instanceof Date ? { updatedAt: moved.toISOString() } : {}) };
          }),
        );
        const last = page.at(-1)!;
        positions[source.name] = { cursor: String(last[CURSOR]), key: String(last[KEY]) };
        await ctx.checkpoint.save({ positions });
        if (page.length < settings.rowLimit) break;
      }
    }
  },
};

export default defineConnector({
  key: 'postgres',
  name: 'PostgreSQL',
  description: 'Tables of a PostgreSQL database, or one read-only query over them, synced incrementally by a cursor column — read-only, time-limited and allow-listed.',
  category: 'data',
  icon: monogramIcon('Pg', '#336791'),
  capabilities: ['records'],
  connectionMode: 'basic',
  connectionConfig: {
    host: { label: 'Host', help: 'The server’s host name or address; with a connection string, the host it names.', format: 'hostname', placeholder: 'db.example.com' },
    port: { label: 'Port', pattern: '\\d{1,5}', patternHint: 'is a port number', required: false, default: '5432' },
    user: { label: 'User', help: 'A role that can only read the tables to sync is best: the guardrails stop mistakes, not a superuser.', required: false, placeholder: 'patchbay_reader' },
    database: { label: 'Database', required: false, placeholder: 'app' },
    tls: {
      label: 'TLS',
      help: 'verify-full checks the server’s certificate (against the CA below, or the system’s); require encrypts without checking it; disable is for a database on the same private network.',
      pattern: 'disable|require|verify-full',
      patternHint: 'is disable, require or verify-full',
      required: false,
      default: 'verify-full',
    },
    caCertificate: { label: 'CA certificate', help: 'PEM of the CA that signed the server’s certificate, when it is not a public one.', required: false },
    tables: {
      label: 'Tables',
      help: 'The allow-list: schema.table entries, or schema.* for every table of a schema, comma-separated. Without a query, these tables are synced; a query may read only these.',
      pattern: '\\s*[A-Za-z_][A-Za-z0-9_$]*\\.(\\*|[A-Za-z_][A-Za-z0-9_$]*)\\s*(,\\s*[A-Za-z_][A-Za-z0-9_$]*\\.(\\*|[A-Za-z_][A-Za-z0-9_$]*)\\s*)*',
      patternHint: 'is a comma-separated list of schema.table or schema.*',
      placeholder: 'public.orders, public.customers',
    },
    query: { label: 'Query', help: 'Optional: one SELECT over allow-listed tables, synced instead of the tables. Its rows need the cursor and key columns.', required: false, placeholder: 'SELECT id, email, updated_at FROM public.customers WHERE active' },
    cursorColumn: { label: 'Cursor column', help: 'A column every insert and update moves forward (updated_at kept by a trigger, or a sequence), never null.', pattern: IDENTIFIER, patternHint: 'is a column name', required: false, default: 'updated_at' },
    primaryKey: { label: 'Key column', help: 'The column that identifies a row (ties on the cursor are ordered by it).', pattern: IDENTIFIER, patternHint: 'is a column name', required: false, default: 'id' },
    statementTimeoutMs: { label: 'Statement timeout (ms)', help: 'A query running longer is cancelled by the server (100 to 300000).', pattern: '\\d{3,6}', patternHint: 'is a number of milliseconds', required: false, default: '10000' },
    rowLimit: { label: 'Row limit per query', help: 'The most rows one query returns (1 to 10000); a sync reads page after page of this size.', pattern: '\\d{1,5}', patternHint: 'is a number of rows', required: false, default: '1000' },
    slowQueryMs: { label: 'Slow query log (ms)', help: 'Queries slower than this are logged with their duration (never their parameters).', pattern: '\\d{1,6}', patternHint: 'is a number of milliseconds', required: false, default: '1000' },
    poolSize: { label: 'Pool size', help: 'Database connections this connection may hold open at once (1 to 5).', pattern: '[1-5]', patternHint: 'is 1 to 5', required: false, default: '2' },
  },
  auth: {
    fields: {
      password: { label: 'Password', secret: true, required: false },
      connectionString: {
        label: 'Connection string',
        help: 'Instead of port, user, database and password: postgres://user:password@host:5432/database?sslmode=verify-full (its host must be the Host field).',
        pattern: 'postgres(ql)?://.+',
        patternHint: 'starts with postgres:// or postgresql://',
        secret: true,
        required: false,
      },
    },
  },
  docsUrl: 'https://www.postgresql.org/docs/current/libpq-connect.html',
  syncs: [rows],

  async testConnection(ctx) {
    // Signs in, checks the query (or finds the tables) and reads no row of each with the sync's
    // order: proves the credential, the allow-list and the cursor and key columns.
    const settings = settingsOf(ctx);
    return readOnly(ctx, settings, async (query) => {
      const [who] = await query<{ user: string; database: string; version: string }>(
        `SELECT current_user AS "user", current_database() AS database, current_setting('server_version') AS version`,
        [],
        'who am i',
      );
      const sources = await sourcesOf(ctx, query);
      for (const source of sources) await readPage(query, source, columnsOf(ctx.config), undefined, 0);
      return connected({ name: `${who!.database} · ${who!.user}`, database: who!.database, user: who!.user, serverVersion: who!.version, sources: sources.length });
    });
  },
});
