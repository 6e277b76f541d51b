/**
 * One field of a JSON body, read from its bytes without parsing the rest. A webhook's event id
 * sits at a known path (`id`, `event.id`); parsing a 9.5 MiB body to read it built the whole
 * document (the body again as a string, then as values) while the request was still in flight
 * (bench/inbound-memory.bench.ts). This walks the bytes, skips every value off the path, and
 * parses only the value found.
 *
 * It answers what `jsonField(JSON.parse(body), path)` answers for any valid JSON document: the
 * last of duplicate keys wins, array elements are reached by index, only a non-empty string or a
 * finite number is returned (as text). On a document that is not valid JSON it answers
 * `undefined` where it notices, and may still find the field before the damage; an event id from
 * such a body only serves deduplication.
 */

import { JSON_BYTE } from '../core/json.ts';

const { QUOTE, BACKSLASH, OPEN_OBJECT, CLOSE_OBJECT, OPEN_ARRAY, CLOSE_ARRAY, COMMA, COLON } = JSON_BYTE;

class Malformed extends Error {}

function skipSpace(raw: Buffer, i: number): number {
  while (i < raw.length) {
    const c = raw[i]!;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}

/** The index after the string that opens at `i`. */
function stringEnd(raw: Buffer, i: number): number {
  if (raw[i] !== QUOTE) throw new Malformed();
  i++;
  while (i < raw.length) {
    const c = raw[i]!;
    if (c === BACKSLASH) i += 2;
    else if (c === QUOTE) return i + 1;
    else i++;
  }
  throw new Malformed();
}

/** The index after the value that starts at `i` (strings, objects and arrays skipped by bytes). */
function valueEnd(raw: Buffer, i: number): number {
  const c = raw[i];
  if (c === QUOTE) return stringEnd(raw, i);
  if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
    let depth = 0;
    while (i < raw.length) {
      const b = raw[i]!;
      if (b === QUOTE) {
        i = stringEnd(raw, i);
        continue;
      }
      if (b === OPEN_OBJECT || b === OPEN_ARRAY) depth++;
      else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    throw new Malformed();
  }
  // A number, true, false or null: up to the next delimiter.
  const start = i;
  while (i < raw.length) {
    const b = raw[i]!;
    if (b === COMMA || b === CLOSE_OBJECT || b === CLOSE_ARRAY || b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) break;
    i++;
  }
  if (i === start) throw new Malformed();
  return i;
}

interface Found {
  value: unknown;
}

/**
 * Walks the value at `i` along `path[depth..]`; returns the index after the value and, through
 * `out`, what is at the path (the last duplicate wins, as in JSON.parse).
 */
function walk(raw: Buffer, i: number, path: readonly string[], depth: number, out: Found): number {
  const c = raw[i];
  if (depth === path.length) {
    const end = valueEnd(raw, i);
    out.value = c === QUOTE || c === 0x2d || (c !== undefined && c >= 0x30 && c <= 0x39) ? JSON.parse(raw.toString('utf8', i, end)) : undefined;
    return end;
  }
  if (c === OPEN_OBJECT) {
    out.value = undefined;
    let result: unknown;
    i = skipSpace(raw, i + 1);
    if (raw[i] === CLOSE_OBJECT) return i + 1;
    for (;;) {
      const keyEnd = stringEnd(raw, i);
      // Keys are short; only one that could equal the wanted key is decoded.
      const wanted = path[depth]!;
      const matches = keyEnd - i - 2 <= wanted.length * 6 + 2 && JSON.parse(raw.toString('utf8', i, keyEnd)) === wanted;
      i = skipSpace(raw, keyEnd);
      if (raw[i] !== COLON) throw new Malformed();
      i = skipSpace(raw, i + 1);
      if (matches) {
        const inner: Found = { value: undefined };
        i = walk(raw, i, path, depth + 1, inner);
        result = inner.value;
      } else {
        i = valueEnd(raw, i);
      }
      i = skipSpace(raw, i);
      if (raw[i] === COMMA) {
        i = skipSpace(raw, i + 1);
        continue;
      }
      if (raw[i] === CLOSE_OBJECT) {
        out.value = result;
        return i + 1;
      }
      throw new Malformed();
    }
  }
  if (c === OPEN_ARRAY) {
    out.value = undefined;
    const wanted = /^(0|[1-9]\d{0,8})$/.test(path[depth]!) ? Number(path[depth]) : -1;
    let result: unknown;
    let index = 0;
    i = skipSpace(raw, i + 1);
    if (raw[i] === CLOSE_ARRAY) return i + 1;
    for (;;) {
      if (index === wanted) {
        const inner: Found = { value: undefined };
        i = walk(raw, i, path, depth + 1, inner);
        result = inner.value;
      } else {
        i = valueEnd(raw, i);
      }
      index++;
      i = skipSpace(raw, i);
      if (raw[i] === COMMA) {
        i = skipSpace(raw, i + 1);
        continue;
      }
      if (raw[i] === CLOSE_ARRAY) {
        out.value = result;
        return i + 1;
      }
      throw new Malformed();
    }
  }
  out.value = undefined;
  return valueEnd(raw, i);
}

/** The non-empty string or finite number (as text) at a dotted path of a JSON body, or undefined. */
export function pickJsonField(raw: Buffer, path: string): string | undefined {
  const out: Found = { value: undefined };
  try {
    walk(raw, skipSpace(raw, 0), path.split('.'), 0, out);
  } catch {
    return undefined; // not JSON (a Malformed, or a bad string or number where the field is)
  }
  const value = out.value;
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}
