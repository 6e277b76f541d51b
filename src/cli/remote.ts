/** The operations a CLI can run against a remote hub, mapped onto its REST API. */
import { request } from 'undici';
import type { Config } from '../core/index.ts';
import { OperationError } from '../hub/client.ts';
import { RESOURCE_ROUTES } from './remote-resources.ts';

export interface RemoteCall {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
  /** The operation's answer from the API's, when they differ. */
  answer?: (body: Record<string, unknown> | undefined) => unknown;
}
type Call = RemoteCall;

const enc = encodeURIComponent;
const query = (params: Record<string, unknown>) => {
  const entries = Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '');
  return entries.length ? `?${entries.map(([k, v]) => `${k}=${enc(String(v))}`).join('&')}` : '';
};

const id = (a: Record<string, unknown>, name = 'id') => enc(String(a[name]));
const bodyOf = (a: Record<string, unknown>) => (a.body ?? {}) as Record<string, unknown>;

// Outbound webhooks: the operations' bodies are the API's bodies (src/hub/operations/outbound.ts).
const OUTBOUND_ROUTES: Record<string, (args: Record<string, unknown>) => Call> = {
  'event-types.list': (a) => ({ method: 'GET', path: `/api/v1/event-types${query({ includeArchived: a.includeArchived, limit: a.limit })}` }),
  'event-types.show': (a) => ({ method: 'GET', path: `/api/v1/event-types/${id(a, 'name')}` }),
  'event-types.create': (a) => ({ method: 'POST', path: '/api/v1/event-types', body: bodyOf(a) }),
  'event-types.update': (a) => ({ method: 'PATCH', path: `/api/v1/event-types/${id(a, 'name')}`, body: bodyOf(a) }),
  'events.send': (a) => ({ method: 'POST', path: '/api/v1/events', body: bodyOf(a) }),
  'events.list': (a) => ({ method: 'GET', path: `/api/v1/messages${query({ eventType: a.type, channel: a.channel, since: a.since, until: a.until, limit: a.limit })}` }),
  'events.show': (a) => ({ method: 'GET', path: `/api/v1/events/${id(a)}` }),
  'endpoints.list': (a) => ({ method: 'GET', path: `/api/v1/endpoints${query({ limit: a.limit })}` }),
  'endpoints.show': (a) => ({ method: 'GET', path: `/api/v1/endpoints/${id(a)}` }),
  'endpoints.create': (a) => ({ method: 'POST', path: '/api/v1/endpoints', body: bodyOf(a) }),
  'endpoints.update': (a) => ({ method: 'PATCH', path: `/api/v1/endpoints/${id(a)}`, body: bodyOf(a) }),
  'endpoints.delete': (a) => ({ method: 'DELETE', path: `/api/v1/endpoints/${id(a)}` }),
  'endpoints.secret': (a) => ({ method: 'GET', path: `/api/v1/endpoints/${id(a)}/secret` }),
  'endpoints.rotate-secret': (a) => ({ method: 'POST', path: `/api/v1/endpoints/${id(a)}/secret/rotate`, body: bodyOf(a) }),
  'endpoints.test': (a) => ({ method: 'POST', path: `/api/v1/endpoints/${id(a)}/test`, body: bodyOf(a) }),
  'endpoints.recover': (a) => ({ method: 'POST', path: `/api/v1/endpoints/${id(a)}/recover`, body: bodyOf(a) }),
  'endpoints.stats': (a) => ({ method: 'GET', path: `/api/v1/endpoints/${id(a)}/stats${query({ since: a.since })}` }),
  'attempts.list': (a) => ({ method: 'GET', path: `/api/v1/messages/${id(a, 'message')}/attempts${query({ endpointId: a.endpoint, limit: a.limit })}` }),
  'attempts.resend': (a) => ({ method: 'POST', path: `/api/v1/messages/${id(a, 'message')}/endpoints/${id(a, 'endpoint')}/resend` }),
  'attempts.failed': (a) => ({ method: 'GET', path: `/api/v1/dead-letters${query({ ...bodyOf(a), limit: a.limit })}` }),
  'attempts.retry': (a) => ({ method: 'POST', path: '/api/v1/dead-letters/retry', body: bodyOf(a) }),
};

// Alerts and channels (src/hub/operations/alerts.ts).
const ALERT_ROUTES: Record<string, (args: Record<string, unknown>) => Call> = {
  'alerts.list': (a) => ({ method: 'GET', path: `/api/v1/alerts${query({ status: a.status, severity: a.severity, limit: a.limit })}` }),
  'alerts.ack': (a) => ({ method: 'POST', path: `/api/v1/alerts/${id(a)}/acknowledge`, body: a.note ? { note: a.note } : {} }),
  'alerts.resolve': (a) => ({ method: 'POST', path: `/api/v1/alerts/${id(a)}/resolve`, body: a.note ? { note: a.note } : {} }),
  'alerts.snooze': (a) => ({ method: 'POST', path: `/api/v1/alerts/${id(a)}/snooze`, body: a.until ? { until: a.until } : { minutes: Number(a.minutes) } }),
  'channels.list': (a) => ({ method: 'GET', path: `/api/v1/notification-channels${query({ limit: a.limit })}` }),
  'channels.test': (a) => ({ method: 'POST', path: `/api/v1/notification-channels/${id(a)}/test` }),
};

const ROUTES: Record<string, (args: Record<string, unknown>) => Call> = {
  'keys.list': (a) => ({ method: 'GET', path: `/api/v1/api-keys${query({ includeRevoked: a.includeRevoked, limit: 250 })}` }),
  'keys.create': (a) => ({
    method: 'POST',
    path: '/api/v1/api-keys',
    body: {
      name: a.name ?? 'cli key',
      ...(a.env ? { environment: a.env } : {}),
      ...(a.role ? { role: a.role } : {}),
      ...(a.scopes ? { scopes: String(a.scopes).split(',').map((s) => s.trim()) } : {}),
    },
  }),
  'keys.revoke': (a) => ({ method: 'DELETE', path: `/api/v1/api-keys/${enc(String(a.id))}` }),
  'jobs.list': (a) => ({ method: 'GET', path: `/api/v1/jobs${query({ state: a.state, type: a.type, limit: a.limit, cursor: a.cursor })}` }),
  'jobs.retry': (a) => ({ method: 'POST', path: `/api/v1/jobs/${enc(String(a.id))}/retry` }),
  'inbound.list': (a) => ({ method: 'GET', path: `/api/v1/inbound-events${query({ status: a.status, sourceId: a.source, eventType: a.type, limit: a.limit })}` }),
  'inbound.show': (a) => ({ method: 'GET', path: `/api/v1/inbound-events/${enc(String(a.id))}` }),
  'inbound.reprocess': (a) =>
    a.id
      ? { method: 'POST', path: `/api/v1/inbound-events/${enc(String(a.id))}/reprocess` }
      : { method: 'POST', path: '/api/v1/inbound-events/reprocess', body: { ...(a.status ? { status: a.status } : {}), ...(a.source ? { sourceId: a.source } : {}), ...(a.type ? { eventType: a.type } : {}), ...(a.limit ? { limit: Number(a.limit) } : {}) } },
  ...OUTBOUND_ROUTES,
  ...RESOURCE_ROUTES,
  ...ALERT_ROUTES,
};

export async function callRemote(config: Config, name: string, args: Record<string, unknown>): Promise<unknown> {
  const route = ROUTES[name];
  if (!route) throw new OperationError(`\`${name.replace('.', ' ')}\` needs direct access to the hub's database; it is not available against a remote hub (unset PATCHBAY_URL).`, 400, 2);
  if (!config.remoteApiKey) throw new OperationError('PATCHBAY_URL is set but PATCHBAY_API_KEY is not.', 400, 2);
  const call = route(args);
  const res = await request(new URL(call.path, config.remoteUrl), {
    method: call.method,
    headers: { authorization: `Bearer ${config.remoteApiKey}`, ...(call.body ? { 'content-type': 'application/json' } : {}) },
    body: call.body ? JSON.stringify(call.body) : null,
  });
  const text = await res.body.text();
  const body = parse(text);
  if (res.statusCode >= 400) {
    const exitCode = res.statusCode === 404 ? 3 : res.statusCode === 401 || res.statusCode === 403 ? 4 : 2;
    const fields = Array.isArray(body?.errors) ? (body.errors as { field: string; message: string }[]).map((e) => `\n  ${e.field}: ${e.message}`).join('') : '';
    throw new OperationError(`${res.statusCode} ${String(body?.title ?? '')}: ${String(body?.detail ?? text)}${fields}`, res.statusCode, exitCode);
  }
  if (call.answer) return call.answer(body);
  if (name === 'jobs.list' || name === 'keys.list') return name === 'keys.list' ? body?.data : body;
  if (name === 'inbound.reprocess' && args.id) return { count: 1, ids: [body?.id] };
  return body;
}

function parse(text: string): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's error page, say): the status and the text say what happened.
    return { detail: text.slice(0, 500) };
  }
}
