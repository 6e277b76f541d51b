/**
 * Payload filters: a MongoDB-style query over a JSON document, evaluated by mingo. Outbound
 * endpoints filter an event's `data` with them, inbound sources a routed event. Only a safe
 * subset is accepted — equality, `$in`/`$nin`, `$exists`, numeric and string comparisons,
 * anchored-prefix `$regex` (a literal after `^`, so no pattern can backtrack), and
 * `$and`/`$or`/`$nor`/`$not` — so a filter can neither run code nor cost more than its size.
 *
 * @example
 * { "plan": { "$in": ["pro", "enterprise"] }, "amount": { "$gte": 100 }, "email": { "$regex": "^ops@" } }
 */
import { Query } from 'mingo';
import { problems, type FieldError } from './errors.ts';

export type PayloadFilter = Record<string, unknown>;

const LOGICAL = new Set(['$and', '$or', '$nor']);
const COMPARISON = new Set(['$eq', '$ne', '$gt', '$gte', '$lt', '$lte']);
const LIST = new Set(['$in', '$nin']);
const MAX_BYTES = 8 * 1024;
const MAX_DEPTH = 8;
const MAX_LIST = 100;
const META = new Set([...'.^$*+?()[]{}|\\/']);

type Primitive = string | number | boolean | null;
const isPrimitive = (v: unknown): v is Primitive => v === null || ['string', 'number', 'boolean'].includes(typeof v);
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `^` followed by literal characters only (a metacharacter must be escaped). */
export function isAnchoredPrefix(pattern: string): boolean {
  if (!pattern.startsWith('^') || pattern.length > 500) return false;
  for (let i = 1; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next === undefined || !META.has(next)) return false;
      i++;
    } else if (META.has(c)) return false;
  }
  return true;
}

/**
 * Every reason the filter is refused, as fields under `at` (a JSON pointer to the filter in the
 * request); empty when it is acceptable.
 *
 * @example
 * filterErrors({ a: { $where: '1' } }, '/filters/0/match') // [{ field: '/filters/0/match/a/$where', … }]
 */
export function filterErrors(filter: unknown, at = '/filter'): FieldError[] {
  const errors: FieldError[] = [];
  const fail = (path: string, message: string): void => void errors.push({ field: `${at}${path}`, message });
  if (!isPlainObject(filter)) {
    fail('', 'must be an object');
    return errors;
  }
  if (JSON.stringify(filter).length > MAX_BYTES) {
    fail('', `must be at most ${MAX_BYTES} bytes of JSON`);
    return errors;
  }

  const query = (node: Record<string, unknown>, path: string, depth: number): void => {
    if (depth > MAX_DEPTH) return fail(path, `nests deeper than ${MAX_DEPTH} levels`);
    for (const [key, value] of Object.entries(node)) {
      const at = `${path}/${key}`;
      if (LOGICAL.has(key)) {
        if (!Array.isArray(value) || value.length === 0 || value.length > MAX_LIST) fail(at, `takes a list of 1 to ${MAX_LIST} filters`);
        else value.forEach((item, i) => (isPlainObject(item) ? query(item, `${at}/${i}`, depth + 1) : fail(`${at}/${i}`, 'must be an object')));
      } else if (key.startsWith('$')) {
        fail(at, `${key} is not an operator filters allow at this level`);
      } else if (key.length === 0 || key.length > 200 || key.split('.').some((part) => part === '' || part.startsWith('$'))) {
        fail(at, 'is not a field path (dot-separated names)');
      } else if (isPlainObject(value)) {
        operators(value, at, depth + 1);
      } else if (!isPrimitive(value)) {
        fail(at, 'compare with a string, number, boolean or null, or use operators');
      }
    }
  };

  const operators = (node: Record<string, unknown>, path: string, depth: number): void => {
    if (depth > MAX_DEPTH) return fail(path, `nests deeper than ${MAX_DEPTH} levels`);
    const keys = Object.keys(node);
    if (keys.length === 0) return fail(path, 'is empty');
    for (const [op, value] of Object.entries(node)) {
      const at = `${path}/${op}`;
      if (COMPARISON.has(op)) {
        if (!isPrimitive(value)) fail(at, 'takes a string, number, boolean or null');
      } else if (LIST.has(op)) {
        if (!Array.isArray(value) || value.length > MAX_LIST || !value.every(isPrimitive)) fail(at, `takes a list of up to ${MAX_LIST} strings, numbers, booleans or nulls`);
      } else if (op === '$exists') {
        if (typeof value !== 'boolean') fail(at, 'takes true or false');
      } else if (op === '$regex') {
        if (typeof value !== 'string' || !isAnchoredPrefix(value)) fail(at, 'only anchored prefixes are allowed: "^" followed by literal text (escape . * + ? etc. with \\)');
      } else if (op === '$not') {
        if (isPlainObject(value)) operators(value, at, depth + 1);
        else fail(at, 'takes an operator object, e.g. {"$in": [...]}');
      } else {
        fail(at, `${op} is not allowed (use $eq $ne $gt $gte $lt $lte $in $nin $exists $regex $not $and $or $nor)`);
      }
    }
  };

  query(filter, '', 0);
  return errors;
}

/** Checks a filter from the API; a 400 lists every refused part. */
export function assertFilter(filter: unknown, at = '/filter'): asserts filter is PayloadFilter {
  const errors = filterErrors(filter, at);
  if (errors.length > 0) throw problems.validation(errors, 'The payload filter uses something filters do not allow.');
}

/** A compiled filter: `matches(document)`. Compile once, test many documents. */
export function compileFilter(filter: PayloadFilter): (data: Record<string, unknown>) => boolean {
  const query = new Query(filter, {});
  return (data) => query.test(data);
}
