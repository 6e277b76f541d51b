/**
 * Every line logged while a request is handled — by `request.log` or by any other logger a
 * domain module holds — carries its `requestId`, and once the route is known the ids its path
 * names (`/connections/:id` → `connectionId`, `/webhooks/in/:sourceId` → `sourceId`) and the
 * caller's organization and environment (see core/log-context.ts).
 *
 * The scope opens in the first `onRequest` hook. Reading the body leaves it (the stream's events
 * come from the socket's async context), so `preValidation` enters it again; from there on the
 * hooks, the handler and the error handler run inside it. Lines Fastify writes outside it
 * ("request completed") come from `request.log`, which binds `requestId` itself.
 */
import type { FastifyInstance } from 'fastify';
import { withOwnLogContext, type LogContext, type LogContextKey } from '../core/index.ts';

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
  app.addHook('onRequest', (request, _reply, done) => {
    withOwnLogContext({ requestId: request.id }, done);
  });
  app.addHook('preValidation', (request, _reply, done) => {
    const url = request.routeOptions.url;
    const fields = url === undefined ? undefined : byRoute.get(url);
    // Authentication ran in onRequest: the tenant is known from here.
    const ids: LogContext = { requestId: request.id, organizationId: request.principal?.organizationId, environmentId: request.principal?.environmentId };
    if (fields) {
      const params = request.params as Record<string, unknown>;
      for (const [param, field] of fields) {
        const value = params[param];
        if (typeof value === 'string') ids[field] = value;
      }
    }
    withOwnLogContext(ids, done);
  });
}
