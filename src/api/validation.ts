/**
 * Request validation. Bodies are checked strictly — no type coercion, unknown fields refused (the
 * schemas say `additionalProperties: false`) — while query strings, params and headers, which
 * arrive as text, are coerced to the declared types.
 */
import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance, FastifyRequest, FastifySchemaCompiler } from 'fastify';
import { problems, type FieldError } from '../core/index.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const common: Options = { allErrors: true, removeAdditional: false, useDefaults: true, strict: false };
const strictAjv = addFormats(new Ajv({ ...common, coerceTypes: false }));
const coercingAjv = addFormats(new Ajv({ ...common, coerceTypes: 'array' }));

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? strictAjv : coercingAjv;
  return ajv.compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>;
};

interface AjvErrorLike {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Turns validator errors into the `errors` list of a 400 problem: one entry per failing field. */
export function fieldErrors(validation: readonly AjvErrorLike[], context: string | undefined): FieldError[] {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  const prefix = context && context !== 'body' ? `${context}:` : '';
  for (const error of validation) {
    let field = error.instancePath || '/';
    let message = error.message ?? 'is invalid';
    if (error.keyword === 'required') {
      field = `${error.instancePath}/${String(error.params.missingProperty)}`;
      message = 'is required';
    } else if (error.keyword === 'additionalProperties') {
      field = `${error.instancePath}/${String(error.params.additionalProperty)}`;
      message = 'is not a known field';
    }
    const key = `${prefix}${field}:${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ field: `${prefix}${field}`, message });
  }
  return out;
}

const compiledBodies = new WeakMap<object, ReturnType<Ajv['compile']>>();

/**
 * Checks a value against a route's body schema the way the API does (strict, no coercion), for
 * callers that reach the same operation another way (the CLI on the hub's socket or database).
 * Returns the failing fields; empty when the value is accepted.
 */
export function bodyErrors(schema: object, value: unknown): FieldError[] {
  let validate = compiledBodies.get(schema);
  if (!validate) {
    validate = strictAjv.compile(schema);
    compiledBodies.set(schema, validate);
  }
  return validate(value) ? [] : fieldErrors(validate.errors ?? [], 'body');
}

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const MAX_TEXT_FAULTS = 20;

/**
 * Why a string cannot be taken as text, or undefined: PostgreSQL refuses NUL in text (a 500
 * if it got that far), and a lone surrogate is not a character (it would be stored replaced, or
 * refused, depending on the column).
 */
export function textFault(value: string): string | undefined {
  if (value.includes('\u0000')) return 'contains a NUL character (\\u0000), which is not allowed in text';
  if (LONE_SURROGATE.test(value)) return 'contains a lone surrogate (an unpaired \\uD800–\\uDFFF), which is not valid Unicode';
  return undefined;
}

const pointerPart = (key: string) =>
  key
    .replace(/~/g, '~0')
    .replace(/\//g, '~1')
    .replace(/\u0000/g, '\\u0000');

/**
 * Every string (values and object keys) in a parsed request part that is not acceptable text,
 * as field errors named like the schema's (`/a/0/b`, `params:/id`, `querystring:/q`). The walk
 * is iterative: a deep document cannot exhaust the stack here.
 */
export function textFaults(value: unknown, context: 'body' | 'params' | 'querystring'): FieldError[] {
  const prefix = context === 'body' ? '' : `${context}:`;
  const faults: FieldError[] = [];
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0 && faults.length < MAX_TEXT_FAULTS) {
    const [current, pointer] = stack.pop()!;
    if (typeof current === 'string') {
      const fault = textFault(current);
      if (fault) faults.push({ field: `${prefix}${pointer || '/'}`, message: fault });
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push([current[i], `${pointer}/${i}`]);
    } else if (current !== null && typeof current === 'object' && !Buffer.isBuffer(current) && !(current instanceof Uint8Array)) {
      const entries = Object.entries(current);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, v] = entries[i]!;
        const fault = textFault(key);
        if (fault) faults.push({ field: `${prefix}${pointer}/${pointerPart(key)}`, message: `is a field name that ${fault}` });
        stack.push([v, `${pointer}/${pointerPart(key)}`]);
      }
    }
  }
  return faults;
}

// Any character textFault could object to: a string without one needs no closer look.
const SUSPECT = /[\u0000\uD800-\uDFFF]/;

/**
 * Whether a parsed URL part (params, query: an object of strings, or of arrays of strings) may
 * hold bad text, in one scan without allocating; textFaults then says where. Nested values (a
 * custom query parser's) are left to textFaults.
 */
function mayHoldBadText(part: unknown): boolean {
  if (part === null || typeof part !== 'object') return typeof part === 'string' && SUSPECT.test(part);
  const record = part as Record<string, unknown>;
  for (const key in record) {
    if (SUSPECT.test(key)) return true;
    const value = record[key];
    if (typeof value === 'string') {
      if (SUSPECT.test(value)) return true;
    } else if (Array.isArray(value)) {
      for (const item of value) if (typeof item !== 'string' || SUSPECT.test(item)) return true;
    } else if (value !== undefined && value !== null && typeof value !== 'number' && typeof value !== 'boolean') return true;
  }
  return false;
}

function refuseBadText(faults: FieldError[]): void {
  if (faults.length > 0) throw problems.validation(faults, 'The request contains text that is not valid: NUL characters and lone surrogates are refused.');
}

/**
 * Refuses NUL characters and lone surrogates in every route's path parameters, query and JSON
 * body with a 400 naming the field — the one place this is checked. The URL parts are checked
 * as the request arrives (before authentication or any lookup uses them), the body once parsed.
 * Raw bodies (inbound webhooks, the proxy) are bytes, not text, and pass.
 */
export function registerTextChecks(app: FastifyInstance): void {
  // Callback hooks: no promise per request on every route (these checks are synchronous).
  app.addHook('onRequest', (request: FastifyRequest, _reply, done) => {
    try {
      // Almost every request: nothing to look at closer, no arrays built.
      if (mayHoldBadText(request.params) || mayHoldBadText(request.query)) refuseBadText([...textFaults(request.params, 'params'), ...textFaults(request.query, 'querystring')]);
    } catch (err) {
      return done(err as Error);
    }
    done();
  });
  app.addHook('preValidation', (request: FastifyRequest, _reply, done) => {
    try {
      if (request.body !== undefined && request.body !== null) refuseBadText(textFaults(request.body, 'body'));
    } catch (err) {
      return done(err as Error);
    }
    done();
  });
}
