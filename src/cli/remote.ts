/** The operations a CLI can run against a remote hub, mapped onto its REST API. */
import { request } from 'undici';
import type { Config } from '../core/index.ts';
import { OperationError } from '../hub/index.ts';

interface Call {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  body?: unknown;
}

const enc = encodeURIComponent;
const query = (params: Record<string, unknown>) => {
  const entries = Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '');
  return entries.length ? `?${entries.map(([k, v]) => `${k}=${enc(String(v))}`).join('&')}` : '';
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
  const body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  if (res.statusCode >= 400) {
    const exitCode = res.statusCode === 404 ? 3 : res.statusCode === 401 || res.statusCode === 403 ? 4 : 2;
    throw new OperationError(`${res.statusCode} ${String(body?.title ?? '')}: ${String(body?.detail ?? text)}`, res.statusCode, exitCode);
  }
  if (name === 'jobs.list' || name === 'keys.list') return name === 'keys.list' ? body?.data : body;
  if (name === 'inbound.reprocess' && args.id) return { count: 1, ids: [body?.id] };
  return body;
}
