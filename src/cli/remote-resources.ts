/**
 * Integrations, connections, syncs, records and sources against a remote hub: each operation
 * (src/hub/operations/…) mapped onto its REST route. Bodies are the API's bodies.
 */
import type { RemoteCall } from './remote.ts';

const enc = encodeURIComponent;
const query = (params: Record<string, unknown>) => {
  const entries = Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '');
  return entries.length ? `?${entries.map(([k, v]) => `${k}=${enc(String(v))}`).join('&')}` : '';
};
const id = (a: Record<string, unknown>, name = 'id') => enc(String(a[name]));
const bodyOf = (a: Record<string, unknown>) => (a.body ?? {}) as Record<string, unknown>;

export const RESOURCE_ROUTES: Record<string, (args: Record<string, unknown>) => RemoteCall> = {
  'integrations.list': (a) => ({ method: 'GET', path: `/api/v1/integrations${query({ connectorKey: a.connector, limit: a.limit, cursor: a.cursor })}` }),
  'integrations.show': (a) => ({ method: 'GET', path: `/api/v1/integrations/${id(a)}` }),
  'integrations.create': (a) => ({ method: 'POST', path: '/api/v1/integrations', body: bodyOf(a) }),
  'integrations.update': (a) => ({ method: 'PATCH', path: `/api/v1/integrations/${id(a)}`, body: bodyOf(a) }),
  'integrations.delete': (a) => ({ method: 'DELETE', path: `/api/v1/integrations/${id(a)}` }),

  'connections.list': (a) => ({
    method: 'GET',
    path: `/api/v1/connections${query({ integrationId: a.integration, connectorKey: a.connector, endCustomerId: a.endCustomer, status: a.status, tag: a.tag, limit: a.limit, cursor: a.cursor })}`,
  }),
  'connections.show': (a) => ({ method: 'GET', path: `/api/v1/connections/${id(a)}` }),
  'connections.create': (a) => ({ method: 'POST', path: '/api/v1/connections', body: bodyOf(a) }),
  'connections.test': (a) => ({ method: 'POST', path: `/api/v1/connections/${id(a)}/test` }),
  'connections.rotate': (a) => ({ method: 'PUT', path: `/api/v1/connections/${id(a)}/credentials`, body: bodyOf(a) }),
  'connections.delete': (a) => ({ method: 'DELETE', path: `/api/v1/connections/${id(a)}` }),
  'connections.actions': (a) => ({ method: 'GET', path: `/api/v1/connections/${id(a)}/actions` }),
  'connections.run': (a) => ({ method: 'POST', path: `/api/v1/connections/${id(a)}/actions/${id(a, 'action')}`, body: bodyOf(a) }),

  'syncs.list': (a) => ({ method: 'GET', path: `/api/v1/connections/${id(a, 'connection')}/syncs` }),
  'syncs.configure': (a) => ({ method: 'PUT', path: `/api/v1/connections/${id(a, 'connection')}/syncs/${id(a, 'model')}`, body: bodyOf(a) }),
  'syncs.trigger': (a) => ({ method: 'POST', path: `/api/v1/syncs/${id(a)}/trigger`, body: bodyOf(a) }),
  'syncs.runs': (a) => ({ method: 'GET', path: `/api/v1/syncs/${id(a)}/runs${query({ limit: a.limit, cursor: a.cursor })}` }),
  'syncs.run': (a) => ({ method: 'GET', path: `/api/v1/sync-runs/${id(a)}` }),
  'syncs.cancel': (a) => ({ method: 'POST', path: `/api/v1/sync-runs/${id(a)}/cancel` }),
  'syncs.rollback': (a) => ({ method: 'POST', path: `/api/v1/sync-runs/${id(a)}/rollback` }),

  'records.list': (a) => ({ method: 'GET', path: `/api/v1/records${query({ connectionId: a.connection, model: a.model, cursor: a.cursor, limit: a.limit })}` }),
  'records.show': (a) => ({ method: 'GET', path: `/api/v1/records/${id(a, 'connection')}/${id(a, 'model')}/${id(a, 'externalId')}` }),

  'sources.list': (a) => ({ method: 'GET', path: `/api/v1/sources${query({ limit: a.limit, cursor: a.cursor })}` }),
  'sources.show': (a) => ({ method: 'GET', path: `/api/v1/sources/${id(a)}` }),
  'sources.create': (a) => ({ method: 'POST', path: '/api/v1/sources', body: bodyOf(a) }),
  'sources.update': (a) => ({ method: 'PATCH', path: `/api/v1/sources/${id(a)}`, body: bodyOf(a) }),
  // 204 No Content: the answer the local operation gives.
  'sources.delete': (a) => ({ method: 'DELETE', path: `/api/v1/sources/${id(a)}`, answer: () => ({ id: String(a.id), deleted: true }) }),
};
