/**
 * The ids a log line is about, carried by the async context rather than by loggers passed from
 * hand to hand: while a request is handled or a job runs, every line any logger writes carries
 * its `requestId` or `jobId` (and `jobType`), and the `connectionId`, `integrationId`,
 * `endpointId`, `sourceId`… in scope. logging.ts adds them to each line (see `createLogger`).
 *
 * A scope is opened once (`withLogContext`, `withOwnLogContext`) and its values are scrubbed
 * then (a caller may choose a connection's id), so writing a line costs one store lookup and a
 * copy of a few strings into the line object the logger builds anyway.
 *
 * @example
 * await withOwnLogContext({ jobId: job.id, jobType: job.type }, () => handler(context));
 * // …anywhere below: logger.info('refreshed') → {"jobId":"job_…","jobType":"…","msg":"refreshed"}
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { scrubString } from './logging.ts';

/** The fields a scope may carry; all strings, all safe to log once scrubbed. */
export interface LogContext {
  requestId?: string | undefined;
  jobId?: string | undefined;
  jobType?: string | undefined;
  organizationId?: string | undefined;
  environmentId?: string | undefined;
  connectionId?: string | undefined;
  integrationId?: string | undefined;
  endpointId?: string | undefined;
  sourceId?: string | undefined;
  messageId?: string | undefined;
  eventId?: string | undefined;
  syncId?: string | undefined;
  runId?: string | undefined;
  alertId?: string | undefined;
}

export type LogContextKey = keyof LogContext;

/** A scope's fields: a plain object written into each line as it is. */
export type LogFields = Record<string, string>;

const storage = new AsyncLocalStorage<LogFields>();

/** Ids are short: a longer value is cut, so a caller-chosen id cannot bloat every line. */
const MAX_VALUE = 200;

// Ids Patchbay made (`conn_` + 26 base32 characters) hold nothing to scrub; other values (a
// connection id its caller chose, a request id a client sent) go through the scrubber.
const OWN_ID = /^[a-z]{2,8}_[0-9a-z]{26}$/;

function copyInto(target: LogFields, fields: LogContext): LogFields {
  for (const key in fields) {
    const value = fields[key as LogContextKey];
    if (typeof value !== 'string' || value.length === 0) continue;
    target[key] = OWN_ID.test(value) ? value : scrubString(value.length > MAX_VALUE ? value.slice(0, MAX_VALUE) : value);
  }
  return target;
}

/** The current scope's fields, if any (read by the logger on every line). */
export function currentLogContext(): LogFields | undefined {
  return storage.getStore();
}

/** Runs `fn` in a scope with the current fields plus `fields` (an inner scope: one endpoint of a dispatch). */
export function withLogContext<T>(fields: LogContext, fn: () => T): T {
  const parent = storage.getStore();
  return storage.run(copyInto(parent ? { ...parent } : {}, fields), fn);
}

/**
 * Runs `fn` in a scope with `fields` only: nothing of the scope it was called from (a job run by
 * a worker that a request's enqueue happened to wake carries the job's ids, not the request's).
 */
export function withOwnLogContext<T>(fields: LogContext, fn: () => T): T {
  return storage.run(copyInto({}, fields), fn);
}

/**
 * Adds fields to the current scope, for its owner once it learns them (a request once its
 * route's parameters are known). Every async branch of the scope sees them; a branch that
 * should not (one endpoint among several delivered at once) opens its own with `withLogContext`.
 */
export function addLogContext(fields: LogContext): void {
  const store = storage.getStore();
  if (store) copyInto(store, fields);
}

/** Runs `fn` outside any scope (a worker loop woken from inside a request keeps none of it). */
export function withoutLogContext<T>(fn: () => T): T {
  return storage.exit(fn);
}
