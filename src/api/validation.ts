/**
 * Request validation. Bodies are checked strictly — no type coercion, unknown fields refused (the
 * schemas say `additionalProperties: false`) — while query strings, params and headers, which
 * arrive as text, are coerced to the declared types.
 */
import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import type { FieldError } from '../core/index.ts';

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
