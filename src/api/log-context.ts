/**
 * Every line logged while a request is handled — by `request.log` or by any other logger a
 * domain module holds — carries its `requestId`, and once the route is known the ids its path
 * names (`/connections/:id` → `connectionId`, `/webhooks/in/:sourceId` → `sourceId`) and the
 * caller's organization and environment (see core/log-context.ts).
 *
 * The scope opens in the first `onRequest` hook (which also answers the id as `x-request-id`).
 * Once the route and the caller are known (`preValidation`) their ids are added to it. A request
 * with no body is still in that scope then, and the ids go into it: one scope per request. Reading
 * a body leaves it (the stream's events come from the socket's async context), so a request with a
 * body enters a new scope with all its ids there. From there on the hooks, the handler and the
 * error handler run inside it.
 *
 * One line per request at `info` (RequestLog below): "request completed", written when the answer
 * is sent, carries the request (method, path, remote address), the answer's status and time, the
 * scope's ids, and what the handler added (the public proxy: the provider's answer). Fastify's
 * "incoming request" line is written at `debug` only: a line per request fewer on the hot path
 * (bench/proxy.bench.ts), and the completed line says all it said.
 */
import { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { addLogContext, currentLogContext, withOwnLogContext, type LogContext, type LogContextKey, type LogFields, type Logger } from '../core/index.ts';
import { routeOf } from './context.ts';

/** `:id` of a route under these collections names one of them. */
const COLLECTIONS: Record<string, LogContextKey> = {
  connections: 'connectionId',
  integrations: 'integrationId',
  endpoints: 'endpointId',
  sources: 'sourceId',
  messages: 'messageId',
  events: 'eventId',
  'inbound-events': 'eventId',
  syncs: 'syncId',
  'sync-runs': 'runId',
  alerts: 'alertId',
};

/** Parameters that are ids under their own name, wherever they appear. */
const NAMED: ReadonlySet<string> = new Set<LogContextKey>(['connectionId', 'integrationId', 'endpointId', 'sourceId', 'messageId', 'eventId', 'syncId', 'runId', 'alertId']);

type ParamFields = readonly (readonly [param: string, field: LogContextKey])[];

/** Which parameters of a route go on its lines, worked out once per route. */
export function paramFields(url: string): ParamFields {
  const segments = url.split('/');
  const out: [string, LogContextKey][] = [];
  segments.forEach((segment, i) => {
    if (!segment.startsWith(':')) return;
    const param = segment.slice(1);
    if (NAMED.has(param)) out.push([param, param as LogContextKey]);
    else if (param === 'id' && segments[i - 1]! in COLLECTIONS) out.push([param, COLLECTIONS[segments[i - 1]!]!]);
  });
  return out;
}

export function registerRequestLogContext(app: FastifyInstance): void {
  const byRoute = new Map<string, ParamFields>();
  app.addHook('onRoute', (route) => {
    const fields = paramFields(route.url);
    if (fields.length > 0) byRoute.set(route.url, fields);
  });
  app.decorateRequest(SCOPE as unknown as string, null);
  // A callback hook, not an async one; the request id header is set here, not in a hook of its own.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    withOwnLogContext({ requestId: request.id }, () => {
      (request as unknown as Scoped)[SCOPE] = currentLogContext()!;
      done();
    });
  });
  app.addHook('preValidation', (request, _reply, done) => {
    const url = routeOf(request).url;
    const fields = url === undefined ? undefined : byRoute.get(url);
    // Authentication ran in onRequest: the tenant is known from here.
    const principal = request.principal;
    const ids: LogContext = principal ? { organizationId: principal.organizationId, environmentId: principal.environmentId } : {};
    if (fields) {
      const params = request.params as Record<string, unknown>;
      for (const [param, field] of fields) {
        const value = params[param];
        if (typeof value === 'string') ids[field] = value;
      }
    }
    const scoped = request as unknown as Scoped;
    // Still in the request's own scope (no body was read): the ids join it.
    if (scoped[SCOPE] !== null && currentLogContext() === scoped[SCOPE]) {
      addLogContext(ids);
      return done();
    }
    ids.requestId = request.id;
    withOwnLogContext(ids, () => {
      scoped[SCOPE] = currentLogContext()!;
      done();
    });
  });
}

// The scope a request's handling ran in (a decorated field), and the fields its handler added:
// the request's line is written when the answer has been sent, outside that scope.
const SCOPE = Symbol('patchbay.logScope');
type Scoped = Record<symbol, LogFields | null>;
const lineFields = new WeakMap<FastifyRequest, Record<string, unknown>>();

/**
 * Fields for the request's own line ("request completed"), instead of a line of their own.
 *
 * @example addRequestLineFields(request, { provider: 'stripe', providerStatus: 200 });
 */
export function addRequestLineFields(request: FastifyRequest, fields: Record<string, unknown>): void {
  const current = lineFields.get(request);
  if (current) Object.assign(current, fields);
  else lineFields.set(request, { ...fields });
}

/** Fastify's request lines, as the header says: one per request at `info`. */
export class RequestLog extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    if (this.isLogDisabled(request) || !(request.log as unknown as Logger).isLevelEnabled('debug')) return;
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    const line: Record<string, unknown> = {};
    const scope = (request as unknown as Scoped)[SCOPE];
    // requestId is the request logger's own binding: written once.
    if (scope) for (const key in scope) if (key !== 'requestId') line[key] = scope[key];
    const added = lineFields.get(request);
    if (added) Object.assign(line, added);
    line.req = request;
    line.res = reply;
    line.responseTime = reply.elapsedTime;
    if (error) {
      line.err = error;
      reply.log.error(line, 'request errored');
    } else reply.log.info(line, 'request completed');
  }
}
