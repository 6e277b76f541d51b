/**
 * What the PostgreSQL connector reads: the allow-listed tables, or one configured query whose
 * every table is allow-listed. A query is checked before it runs: one statement (refused before
 * anything is sent), a SELECT, and its plan (`EXPLAIN`, which does not run it) reading only
 * allow-listed tables and writing nothing. Rows are read in keyset order — cursor column, then
 * key — `rowLimit` at a time, so a page is one bounded query and a later run continues after the
 * last (cursor, key) it saw.
 */
import { ProviderFailureError, type ConnectorContext } from '../../sdk.ts';
import { GuardrailError } from './errors.ts';
import type { Query } from './session.ts';
import { countStatements, isAllowed, leadingKeyword, parseAllowList, quoteIdent, withoutFinalSemicolon, type AllowedTable } from './sql.ts';

/** One thing read: a table (`public.orders`) or the query. */
export interface Source {
  /** `public.orders`, or `query`; names its position in the checkpoint. */
  name: string;
  /** SQL after FROM. */
  from: string;
  /** Prefix of record ids: `public.orders:` for tables (ids stay unique across tables), none for the query. */
  idPrefix: string;
}

/** A position in a source: the last row's cursor and key, as text. */
export interface Position {
  cursor: string;
  key: string;
}

export function allowListOf(ctx: Pick<ConnectorContext, 'config'>): AllowedTable[] {
  try {
    const list = parseAllowList(ctx.config.tables ?? '');
    if (list.length === 0) throw new TypeError('it is empty');
    return list;
  } catch (err) {
    throw new ProviderFailureError('invalid_configuration', `Tables (the allow-list): ${(err as Error).message}; write schema.table or schema.* entries, comma-separated`);
  }
}

/** Refusals made on the text alone, before anything is sent. */
export function checkQueryText(sql: string): void {
  const statements = countStatements(sql);
  if (statements === 0) throw new ProviderFailureError('invalid_configuration', 'the query is empty');
  if (statements > 1) throw new GuardrailError('single_statement', `refused before sending: the query holds ${statements} statements; write one SELECT`);
  const first = leadingKeyword(sql);
  if (first !== 'select' && first !== 'with') {
    throw new GuardrailError('read_only', `refused before sending: only a SELECT (or WITH … SELECT) is run, and the query starts with ${first.toUpperCase() || 'nothing'}`);
  }
}

interface PlanNode {
  'Node Type'?: string;
  Operation?: string;
  'Relation Name'?: string;
  Schema?: string;
  Plans?: PlanNode[];
}

/** The query's plan, checked: no write anywhere in it, and only allow-listed tables read. */
export async function checkQueryPlan(query: Query, sql: string, allowList: readonly AllowedTable[]): Promise<void> {
  const [row] = await query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (VERBOSE, FORMAT JSON) ${withoutFinalSemicolon(sql)}`, [], 'explain');
  const visit = (node: PlanNode): void => {
    if (node['Node Type'] === 'ModifyTable') {
      throw new GuardrailError('read_only', `refused before running: the query would ${node.Operation?.toUpperCase() ?? 'write'} ${node.Schema}.${node['Relation Name']}; this connection only reads`);
    }
    if (node['Relation Name'] && !isAllowed(allowList, node.Schema ?? '', node['Relation Name'])) {
      throw new GuardrailError('allow_list', `refused before running: the query reads ${node.Schema}.${node['Relation Name']}, which is not in the connection's allow-list`);
    }
    node.Plans?.forEach(visit);
  };
  for (const { Plan } of row?.['QUERY PLAN'] ?? []) visit(Plan);
}

/** The sources of one connection: the checked query, or each allow-listed table that exists. */
export async function sourcesOf(ctx: Pick<ConnectorContext, 'config'>, query: Query): Promise<Source[]> {
  const allowList = allowListOf(ctx);
  const sql = ctx.config.query;
  if (sql) {
    checkQueryText(sql);
    await checkQueryPlan(query, sql, allowList);
    return [{ name: 'query', from: `(${withoutFinalSemicolon(sql)}\n)`, idPrefix: '' }];
  }
  const tables = await query<{ schema: string; name: string }>(
    `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
      WHERE table_schema = ANY($1::text[]) AND table_type IN ('BASE TABLE', 'VIEW') ORDER BY 1, 2`,
    [[...new Set(allowList.map((e) => e.schema))]],
    'list tables',
  );
  const found = tables.filter((t) => isAllowed(allowList, t.schema, t.name));
  const missing = allowList.filter((e) => e.table !== '*' && !found.some((t) => t.schema === e.schema && t.name === e.table));
  if (missing.length > 0) {
    throw new ProviderFailureError('not_found', `no table ${missing.map((e) => `${e.schema}.${e.table}`).join(', ')} visible to this user`);
  }
  return found.map((t) => ({ name: `${t.schema}.${t.name}`, from: `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`, idPrefix: `${t.schema}.${t.name}:` }));
}

export const CURSOR = '__patchbay_cursor';
export const KEY = '__patchbay_key';

/**
 * One page of a source after `after`, in (cursor, key) order, at most `limit` rows. The cursor and
 * key come back as text too, for the checkpoint (a timestamp's microseconds survive).
 */
export function readPage(query: Query, source: Source, columns: { cursor: string; key: string }, after: Position | undefined, limit: number): Promise<Record<string, unknown>[]> {
  const c = `src.${quoteIdent(columns.cursor)}`;
  const k = `src.${quoteIdent(columns.key)}`;
  return query(
    `SELECT src.*, (${c})::text AS ${CURSOR}, (${k})::text AS ${KEY} FROM ${source.from} AS src
      WHERE ${c} IS NOT NULL ${after ? `AND (${c}, ${k}) > ($1, $2)` : ''} ORDER BY ${c}, ${k} LIMIT ${limit}`,
    after ? [after.cursor, after.key] : [],
    `read ${source.name}`,
  );
}

/** A row as record data: JSON-safe values (dates as ISO 8601, bytes as base64), our columns left out. */
export function rowData(row: Record<string, unknown>): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(row)) {
    if (name === CURSOR || name === KEY) continue;
    data[name] = value instanceof Date ? value.toISOString() : Buffer.isBuffer(value) ? value.toString('base64') : value;
  }
  return data;
}
