/**
 * What the PostgreSQL connector checks in a query's text before anything is sent: how many
 * statements it holds and which word it starts with. A small lexer that knows PostgreSQL's
 * quoting (https://www.postgresql.org/docs/current/sql-syntax-lexical.html): '…' strings with ''
 * inside, E'…' strings with backslash escapes, "…" identifiers, $tag$…$tag$ dollar quoting,
 * -- line comments and nested /* … *\/ block comments. A `;` inside any of them is text.
 */

/** The query with strings, quoted identifiers and comments blanked out (same length). */
export function codeOnly(sql: string): string {
  let out = '';
  let i = 0;
  const blank = (from: number, to: number) => sql.slice(from, to).replace(/[^\n]/g, ' ');
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end < 0 ? sql.length : end;
      out += blank(i, stop);
      i = stop;
    } else if (c === '/' && next === '*') {
      let depth = 1;
      let j = i + 2;
      while (j < sql.length && depth > 0) {
        if (sql[j] === '/' && sql[j + 1] === '*') (depth++, (j += 2));
        else if (sql[j] === '*' && sql[j + 1] === '/') (depth--, (j += 2));
        else j++;
      }
      out += blank(i, j);
      i = j;
    } else if (c === "'" || c === '"') {
      // E'…' (and e'…') allows backslash escapes; the E itself is already in `out`.
      const escapes = c === "'" && /[eE]/.test(sql[i - 1] ?? '') && !/[A-Za-z0-9_]/.test(sql[i - 2] ?? '');
      let j = i + 1;
      while (j < sql.length) {
        if (escapes && sql[j] === '\\') j += 2;
        else if (sql[j] === c && sql[j + 1] === c) j += 2;
        else if (sql[j] === c) break;
        else j++;
      }
      out += blank(i, Math.min(j + 1, sql.length));
      i = j + 1;
    } else if (c === '$' && !/[A-Za-z0-9_]/.test(sql[i - 1] ?? '')) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i))?.[0];
      if (!tag) {
        out += c;
        i++;
        continue;
      }
      const end = sql.indexOf(tag, i + tag.length);
      const stop = end < 0 ? sql.length : end + tag.length;
      out += blank(i, stop);
      i = stop;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Statements in the text: `select 1;` is one, `select 1; select 2` two, `''` none. */
export function countStatements(sql: string): number {
  return codeOnly(sql)
    .split(';')
    .filter((part) => part.trim() !== '').length;
}

/** The query without a final `;` (it is wrapped in a subquery, where one would be a syntax error). */
export function withoutFinalSemicolon(sql: string): string {
  const code = codeOnly(sql);
  const last = code.lastIndexOf(';');
  return last >= 0 && code.slice(last + 1).trim() === '' ? sql.slice(0, last) : sql;
}

/** The first keyword, lower case, past comments and opening parentheses: `select`, `with`, `insert`… */
export function leadingKeyword(sql: string): string {
  return /^[\s(]*([A-Za-z]+)/.exec(codeOnly(sql))?.[1]?.toLowerCase() ?? '';
}

/** `"my table"` from `my table`; a `"` inside is doubled. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** One entry of the allow-list: `public.orders`, or `sales.*` for every table of a schema. */
export interface AllowedTable {
  schema: string;
  /** `*`: any table of the schema. */
  table: string;
}

const ENTRY = /^([A-Za-z_][A-Za-z0-9_$]*)\.(\*|[A-Za-z_][A-Za-z0-9_$]*)$/;

/** `public.orders, sales.*` → entries; throws naming the first entry that is not `schema.table` or `schema.*`. */
export function parseAllowList(text: string): AllowedTable[] {
  const entries = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return entries.map((entry) => {
    const match = ENTRY.exec(entry);
    if (!match) throw new TypeError(`"${entry}" is not schema.table or schema.*`);
    return { schema: match[1]!, table: match[2]! };
  });
}

export function isAllowed(list: readonly AllowedTable[], schema: string, table: string): boolean {
  return list.some((entry) => entry.schema === schema && (entry.table === '*' || entry.table === table));
}
