/**
 * pino, with secrets and PII removed before a line is written. Redaction works on keys (anything
 * named like a secret) and on string values (emails, phone numbers, bearer tokens, our own key
 * formats, secret-looking query parameters), so a secret that slips into a message is caught too.
 */
import fs from 'node:fs';
import { pino, type ChildLoggerOptions, type Logger, type DestinationStream } from 'pino';
import type { LogLevel } from './config.ts';
import { currentLogContext, type LogFields } from './log-context.ts';

export type { Logger };

const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|api[-_]?key|credential|private[-_]?key|signature|^code$|^state$|csrf/i;
// Quantifiers are bounded: an unbounded class before `@` makes a long string cost O(n²).
const EMAIL = /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}/g;
const PHONE = /(?:\+\d{1,3}[\s.-]?)?\(?\b\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b|\+\d{8,15}\b/g;
const BEARER = /\b(Bearer|Basic|Token)\s{1,8}[A-Za-z0-9._~+/=-]{1,4096}/gi;
// Our own secret formats: API keys, webhook secrets, connect-session tokens, sessions.
const OWN_SECRETS = /\b(pb_(?:live|test|sk|cs|sess)_[A-Za-z0-9]{1,200}|whsec_[A-Za-z0-9+/=]{1,200}|whpk_[A-Za-z0-9+/=]{1,200})/g;
const SECRET_QUERY = /([?&][^=&\s]{0,40}?(?:token|secret|key|code|state|session|password|signature)[^=&\s]{0,40}=)[^&\s#]{1,4096}/gi;

export const REDACTED = '[redacted]';

/** Longer strings are cut before scrubbing: a log line is no place for a payload. */
export const MAX_LOGGED_STRING = 8192;

// What each pattern above cannot match without: an `@` (EMAIL), `?` or `&` (SECRET_QUERY),
// whitespace (BEARER), `+digit` or digit-separator-digit (PHONE), or an own prefix (OWN_SECRETS).
// Most strings of a line (ids, paths, methods, host names) hold none of these: one scan of this
// instead of five replaces (a share of every request's line, bench/proxy.bench.ts).
const MAY_HOLD_SECRET = /[@?&\s]|\+\d|\d\)?[.-]\d|pb_|whsec_|whpk_/;

/** Removes secrets and PII from a string. */
export function scrubString(value: string): string {
  const text = value.length > MAX_LOGGED_STRING ? `${value.slice(0, MAX_LOGGED_STRING)}…[${value.length - MAX_LOGGED_STRING} more characters]` : value;
  if (!MAY_HOLD_SECRET.test(text)) return text;
  return text.replace(OWN_SECRETS, REDACTED).replace(BEARER, `$1 ${REDACTED}`).replace(SECRET_QUERY, `$1${REDACTED}`).replace(EMAIL, '[email]').replace(PHONE, '[phone]');
}

// Error fields that are written by name, or never (the request a client error may hold is huge).
const ERROR_OWN_FIELDS = new Set(['name', 'message', 'stack', 'cause', 'code', 'errors', 'request', 'response', 'socket', 'config']);

/**
 * An error as a log line needs it: its type, message, code, stack and cause chain (and an
 * AggregateError's members), plus its own scalar fields (a PostgreSQL error's `detail`,
 * `constraint`…), all scrubbed like any other value.
 */
export function serializeError(error: Error, depth = 0): Record<string, unknown> {
  const out = serializeErrorFields(error, depth);
  serialized.add(out);
  return out;
}

// Errors already serialized (by formatters.log) pass the `err` serializer unchanged: scrubbing
// them again would blank their `code` (a key that means an OAuth code elsewhere).
const serialized = new WeakSet<object>();

function serializeErrorFields(error: Error, depth: number): Record<string, unknown> {
  if (depth > 8) return { type: error.name, message: scrubString(error.message) };
  const code = (error as { code?: unknown }).code;
  const out: Record<string, unknown> = {
    type: error.name,
    message: scrubString(error.message),
    ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
    ...(error.stack ? { stack: scrubString(error.stack) } : {}),
  };
  for (const [key, v] of Object.entries(error)) {
    if (ERROR_OWN_FIELDS.has(key) || v === undefined || typeof v === 'function') continue;
    out[key] = SECRET_KEY.test(key) && v !== null && typeof v !== 'boolean' ? REDACTED : scrub(v, depth + 1);
  }
  if (error instanceof AggregateError && Array.isArray(error.errors)) out.errors = error.errors.slice(0, 10).map((e) => scrub(e, depth + 1));
  if (error.cause !== undefined) out.cause = scrub(error.cause, depth + 1);
  return out;
}

/** A log field that holds an error: Error instances in full; anything else scrubbed like a value. */
function errorField(value: unknown): unknown {
  if (value instanceof Error) return serializeError(value);
  return value !== null && typeof value === 'object' && serialized.has(value) ? value : scrub(value);
}

/** Deep copy of a log object with secret-named keys blanked and strings scrubbed. */
export function scrub(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[deep]';
  if (typeof value === 'string') return scrubString(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return serializeError(value, depth);
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return `[${value.length} bytes]`;
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto !== Object.prototype && proto !== null) {
    // Instances (sockets, requests, servers…) are not walked: their object graphs are huge and
    // their useful parts are getters a copy would lose. Their JSON form is logged, if they have one.
    const toJSON = (value as { toJSON?: () => unknown }).toJSON;
    return typeof toJSON === 'function' ? scrub(toJSON.call(value), depth + 1) : `[${proto.constructor?.name ?? 'object'}]`;
  }
  return scrubEntries({}, value, depth);
}

function scrubEntries(out: Record<string, unknown>, value: object, depth: number): Record<string, unknown> {
  // Own keys only (what Object.entries gave), without building the entries array.
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const v = (value as Record<string, unknown>)[key];
    out[key] = SECRET_KEY.test(key) && v !== null && v !== undefined && typeof v !== 'boolean' ? REDACTED : scrub(v, depth + 1);
  }
  return out;
}

/**
 * A line's object: the scope's ids first (already scrubbed when the scope opened; those the
 * logger binds itself left out, so no key is written twice), then the fields it was given.
 */
function scrubLine(object: Record<string, unknown>, context: LogFields | undefined, bound: ReadonlySet<string> | undefined): Record<string, unknown> {
  const proto = Object.getPrototypeOf(object) as object | null;
  if (proto !== Object.prototype && proto !== null) return scrub(object) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  if (context) for (const key in context) if (!bound?.has(key)) out[key] = context[key];
  return scrubEntries(out, object, 0);
}

// The keys each logger binds (a child's `workerId`, a request logger's `requestId`), read once per logger.
const boundKeysOf = new WeakMap<object, ReadonlySet<string>>();
function boundKeys(logger: Logger): ReadonlySet<string> {
  let keys = boundKeysOf.get(logger);
  if (!keys) boundKeysOf.set(logger, (keys = new Set(Object.keys(logger.bindings()))));
  return keys;
}

/**
 * A child logger whose bound keys are known without reading them back: `bindings()` parses the
 * child's serialized bindings (and deletes from the result), which cost a share of every API
 * request when Fastify's per-request child wrote its first line (bench/proxy.bench.ts).
 */
export function childLogger(parent: Logger, bindings: Record<string, unknown>, options?: ChildLoggerOptions): Logger {
  const child = parent.child(bindings, options);
  const names = Object.keys(bindings);
  let byNames = childKeysOf.get(parent);
  if (!byNames) childKeysOf.set(parent, (byNames = new Map()));
  let keys = byNames.get(names.join(','));
  if (!keys) byNames.set(names.join(','), (keys = new Set([...boundKeys(parent), ...names])));
  boundKeysOf.set(child, keys);
  return child;
}
// A parent's children binding the same names share one set (Fastify's: `requestId`).
const childKeysOf = new WeakMap<object, Map<string, ReadonlySet<string>>>();

// A line's scope travels from `mixin` (which is given the logger) to `formatters.log` (which
// builds the line's object anyway) through these two: pino calls both, in that order, within one
// synchronous write. So a line costs a store lookup and no object beyond the one scrubbing makes
// (a mixin's object would be a second one: pino's default merge writes into the object returned).
let lineContext: LogFields | undefined;
let lineBound: ReadonlySet<string> | undefined;
const NO_FIELDS: Record<string, never> = Object.freeze({});

interface RequestLike {
  method?: string;
  url?: string;
  ip?: string;
  socket?: { remoteAddress?: string };
}

/**
 * `req` and `res` (as Fastify logs them) as `{ method, url, remoteAddress }` and `{ statusCode }`.
 * The URL goes without its query string: one may carry anything, encoded past the scrubber.
 */
function withRequestParts(object: Record<string, unknown>): Record<string, unknown> {
  const req = object.req as RequestLike | undefined;
  const res = object.res as { statusCode?: number } | undefined;
  const isReq = req !== null && typeof req === 'object' && 'method' in req;
  const isRes = res !== null && typeof res === 'object' && 'statusCode' in res;
  if (!isReq && !isRes) return object;
  // One copy of the line's object (scrubLine makes the other), the parts replaced in place.
  const out = { ...object };
  if (isReq) {
    const url = req.url;
    const query = url === undefined ? -1 : url.indexOf('?');
    out.req = { method: req.method, url: query === -1 ? url : url!.slice(0, query), remoteAddress: req.ip ?? req.socket?.remoteAddress };
  }
  if (isRes) out.res = { statusCode: res.statusCode };
  return out;
}

/**
 * Where the hub's lines go (stdout unless given a file): buffered, so lines leave in writes of a
 * few kilobytes instead of a write(2) each — a share of a proxied call's time when every call
 * writes a line (bench/proxy.bench.ts) — and within 100 ms of being logged when few are. pino
 * flushes what is left synchronously when the process exits (on-exit-leak-free: `exit` and
 * `beforeExit`), so a normal shutdown, a `process.exit` or a crash that reaches `exit` loses no
 * line; only a SIGKILL can lose the last 100 ms, as it could lose an unfinished asynchronous write.
 */
export function logDestination(target: { fd: number } | { dest: string } = { fd: 1 }): DestinationStream {
  // A file is opened now: one still opening when the process exits would take its lines with it.
  const fd = 'fd' in target ? target.fd : fs.openSync(target.dest, 'a');
  return pino.destination({ fd, sync: false, minLength: LOG_BUFFER_BYTES, periodicFlush: LOG_FLUSH_MS });
}
const LOG_BUFFER_BYTES = 4096;
const LOG_FLUSH_MS = 100;

export interface LoggerOptions {
  level: LogLevel;
  /** Where lines go; stdout by default. Tests pass a stream to capture them. */
  destination?: DestinationStream;
  base?: Record<string, unknown>;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: options.base ?? { service: 'patchbay' },
      // The ids of the request or job being handled (log-context.ts), on every line.
      mixin(_object, _level, logger) {
        lineContext = currentLogContext();
        lineBound = lineContext ? boundKeys(logger) : undefined;
        return NO_FIELDS;
      },
      mixinMergeStrategy: (object) => object,
      formatters: {
        // Runs before pino's serializers: requests and responses are reduced here, to what a log line needs.
        log: (object) => {
          const context = lineContext;
          const bound = lineBound;
          lineContext = lineBound = undefined;
          return scrubLine(withRequestParts(object), context, bound);
        },
      },
      // formatters.log has already turned errors into plain objects by the time serializers run;
      // these replace pino's own `err` serializer, whose result (an object with a private
      // prototype) the scrubber would write as "[Object]".
      serializers: { err: errorField, error: errorField },
      hooks: {
        logMethod(args, method) {
          // The arguments are copied only when scrubbing changed one (most messages hold nothing to scrub).
          let cleaned: unknown[] | undefined;
          for (let i = 0; i < args.length; i++) {
            const a: unknown = args[i];
            if (typeof a !== 'string') continue;
            const scrubbed = scrubString(a);
            if (scrubbed !== a) (cleaned ??= [...args])[i] = scrubbed;
          }
          return method.apply(this, (cleaned ?? args) as Parameters<typeof method>);
        },
      },
    },
    options.destination ?? logDestination(),
  );
}

/** A logger that writes nothing, for code paths that need one and tests that do not care. */
export const silentLogger: Logger = pino({ level: 'silent' });
