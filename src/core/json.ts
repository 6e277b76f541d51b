/**
 * JSON with a nesting limit, checked before anything recursive sees the document: one linear
 * scan of the bytes counts `{`/`[` depth (skipping strings), and only a document within the limit
 * goes to `JSON.parse`. Deep documents otherwise parse fine and then exhaust the stack of the
 * first recursive walk (a schema validator, a filter, a serializer) — a 500 on the API, a job
 * that dies on every attempt for inbound webhooks.
 */

/** The nesting limit when none is configured (`PATCHBAY_MAX_JSON_DEPTH`). */
export const DEFAULT_MAX_JSON_DEPTH = 64;

export class JsonDepthError extends Error {
  constructor(readonly limit: number) {
    super(`JSON nests objects and arrays more than ${limit} levels deep`);
    this.name = 'JsonDepthError';
  }
}

export class JsonPrototypeError extends Error {
  constructor() {
    super('JSON uses the key __proto__ or constructor.prototype');
    this.name = 'JsonPrototypeError';
  }
}

/** The bytes (and UTF-16 code units) that structure a JSON document, for scanners of its text. */
export const JSON_BYTE = { QUOTE: 0x22, BACKSLASH: 0x5c, OPEN_OBJECT: 0x7b, OPEN_ARRAY: 0x5b, CLOSE_OBJECT: 0x7d, CLOSE_ARRAY: 0x5d, COMMA: 0x2c, COLON: 0x3a } as const;
const { QUOTE, BACKSLASH, OPEN_OBJECT, OPEN_ARRAY, CLOSE_OBJECT, CLOSE_ARRAY } = JSON_BYTE;

/**
 * True when the JSON text nests deeper than `limit` (objects and arrays; the top-level value is
 * depth 1). Works on bytes or text; malformed JSON is not judged here, only its brackets.
 */
export function jsonDepthExceeds(json: Uint8Array | string, limit: number): boolean {
  const text = typeof json === 'string';
  const length = json.length;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < length; i++) {
    const c = text ? (json as string).charCodeAt(i) : (json as Uint8Array)[i]!;
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > limit) return true;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) depth--;
  }
  return false;
}

// Only documents that could hold such a key pay for the reviver (escapes may spell it too).
const MAY_POISON = /__proto__|constructor|\\u/;

function refusePrototypeKeys(key: string, value: unknown): unknown {
  if (key === '__proto__') throw new JsonPrototypeError();
  if (key === 'constructor' && value !== null && typeof value === 'object' && Object.hasOwn(value, 'prototype')) throw new JsonPrototypeError();
  return value;
}

/**
 * Parses JSON after checking its depth, refusing `__proto__` and `constructor.prototype` keys
 * (as Fastify's own parser does). Throws JsonDepthError, JsonPrototypeError or SyntaxError.
 *
 * @example parseJsonWithin(request.rawBody, 64)
 */
export function parseJsonWithin(json: Uint8Array | string, maxDepth: number): unknown {
  if (jsonDepthExceeds(json, maxDepth)) throw new JsonDepthError(maxDepth);
  const text = typeof json === 'string' ? json : Buffer.from(json.buffer, json.byteOffset, json.byteLength).toString('utf8');
  return MAY_POISON.test(text) ? JSON.parse(text, refusePrototypeKeys) : JSON.parse(text);
}
