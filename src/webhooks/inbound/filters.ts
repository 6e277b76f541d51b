/**
 * Per-source filters: MongoDB-style queries (mingo) over a routed event, each dropping it or
 * sending it to another action. The accepted operators are the safe subset outbound endpoints
 * use — equality, comparisons, `$in`/`$nin`, `$exists`, anchored-prefix `$regex`, `$not`,
 * `$and`/`$or`/`$nor` — so a filter can neither run code nor cost more than its size.
 */
import { Query } from 'mingo';
import type { FieldError } from '../../core/index.ts';
import type { SourceAction, SourceFilter } from './schema.ts';

const LOGICAL = new Set(['$and', '$or', '$nor']);
const OPERATORS = new Set(['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$exists', '$regex', '$not']);
const META = /[.^$*+?()[\]{}|\\/]/;
const MAX_BYTES = 8 * 1024;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `^` then literal text only: no pattern that can backtrack. */
const anchoredPrefix = (p: unknown) => typeof p === 'string' && p.startsWith('^') && p.length <= 500 && !META.test(p.slice(1).replace(/\\[.^$*+?()[\]{}|\\/]/g, ''));

/** Every reason a filter's query is refused, as fields under `at`. */
export function filterErrors(match: unknown, at: string): FieldError[] {
  const errors: FieldError[] = [];
  if (!isObject(match)) return [{ field: at, message: 'must be an object' }];
  if (JSON.stringify(match).length > MAX_BYTES) return [{ field: at, message: `must be at most ${MAX_BYTES} bytes of JSON` }];
  const walk = (node: Record<string, unknown>, path: string, depth: number, operatorLevel: boolean): void => {
    if (depth > 8) return void errors.push({ field: path, message: 'nests too deep' });
    for (const [key, value] of Object.entries(node)) {
      const here = `${path}/${key}`;
      if (LOGICAL.has(key)) {
        if (!Array.isArray(value) || value.length === 0 || value.length > 100) errors.push({ field: here, message: 'takes a list of 1 to 100 queries' });
        else value.forEach((item, i) => (isObject(item) ? walk(item, `${here}/${i}`, depth + 1, false) : errors.push({ field: `${here}/${i}`, message: 'must be an object' })));
      } else if (key.startsWith('$')) {
        if (!operatorLevel || !OPERATORS.has(key)) errors.push({ field: here, message: `${key} is not allowed here` });
        else if (key === '$regex' && !anchoredPrefix(value)) errors.push({ field: here, message: 'only anchored prefixes are allowed: "^" then literal text' });
        else if (key === '$not' && isObject(value)) walk(value, here, depth + 1, true);
      } else if (operatorLevel) {
        errors.push({ field: here, message: 'is not an operator' });
      } else if (isObject(value)) {
        walk(value, here, depth + 1, true);
      }
    }
  };
  walk(match, at, 0, false);
  return errors;
}

/** The event document filters see. */
export interface FilterDocument {
  type: string;
  payload: unknown;
  headers: Record<string, string>;
  externalAccountId: string | null;
  connectionId: string | null;
}

/** The first filter that matches decides: `drop`, another action, or (none matching) the source's own. */
export function applyFilters(filters: readonly SourceFilter[], doc: FilterDocument, fallback: SourceAction): 'drop' | SourceAction {
  for (const filter of filters) {
    if (new Query(filter.match, {}).test(doc as unknown as Record<string, unknown>)) return filter.then;
  }
  return fallback;
}
