/**
 * What the Microsoft Graph simulators share (Entra ID, Teams): Graph's error shape, the identity
 * platform's OAuth endpoints for one tenant, delta query pages, and change notifications.
 * - Errors `{ error: { code, message, innerError: { date, request-id, client-request-id } } }`
 *   (401 `InvalidAuthenticationToken`, 403 `Authorization_RequestDenied`, 404
 *   `Request_ResourceNotFound`, 429 `TooManyRequests` with `Retry-After`): https://learn.microsoft.com/graph/errors
 * - Delta query (https://learn.microsoft.com/graph/delta-query-overview): pages linked by
 *   `@odata.nextLink` with an opaque `$skiptoken`; the last page has an `@odata.deltaLink` whose
 *   `$deltatoken` returns only what changed after it was issued.
 * - Change notifications carry the subscription's `clientState` in every notification of the batch:
 *   https://learn.microsoft.com/graph/change-notifications-delivery-webhooks
 */
import { randomUUID } from 'node:crypto';
import type { Dataset } from './support/dataset.ts';
import type { ErrorKind, SimReply, SimRequest } from './support/server.ts';
import type { Signer } from './webhooks/signers.ts';

export const GRAPH_TENANT = '8f0e2c1a-0000-4000-8000-00000000e001';

const ERRORS: Record<ErrorKind, [string, string]> = {
  unauthorized: ['InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.'],
  forbidden: ['Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'],
  not_found: ['Request_ResourceNotFound', 'Resource does not exist or one of its queried reference-property objects are not present.'],
  rate_limited: ['TooManyRequests', 'Too many requests.'],
  server_error: ['generalException', 'An internal server error occurred.'],
  bad_request: ['BadRequest', 'Invalid request.'],
};

export function graphError(status: number, kind: ErrorKind, message?: string): SimReply {
  const [code, text] = ERRORS[kind];
  const id = randomUUID();
  return { status, headers: { 'request-id': id }, body: { error: { code, message: message ?? text, innerError: { date: new Date().toISOString().slice(0, 19), 'request-id': id, 'client-request-id': id } } } };
}

/** The identity platform's v2.0 endpoints for the simulated tenant, with client credentials. */
export function graphOauth(scope: string) {
  return {
    paths: { authorize: `/${GRAPH_TENANT}/oauth2/v2.0/authorize`, token: `/${GRAPH_TENANT}/oauth2/v2.0/token` },
    accessTokenPrefix: 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.sim-',
    refreshTokenPrefix: '0.AXsim-',
    accessTokenTtlSeconds: 3600,
    clientCredentials: true,
    scope,
  };
}

const token = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
function untoken<T>(text: string | null): T | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as T;
  } catch {
    return undefined;
  }
}

/**
 * One page of a delta query over `dataset`: the skiptoken carries where the round started (its
 * `since`) and how far it got; the deltatoken the instant it was issued.
 */
export function deltaPage<T>(req: SimRequest, dataset: Dataset<T>, modifiedMs: (record: T) => number, show: (record: T) => unknown, context: string): SimReply {
  const skip = untoken<{ since: number; offset: number; top: number }>(req.query.get('$skiptoken'));
  const delta = untoken<{ since: number }>(req.query.get('$deltatoken'));
  if ((req.query.get('$skiptoken') && !skip) || (req.query.get('$deltatoken') && !delta)) return graphError(400, 'bad_request', 'Invalid delta or skip token.');
  const since = skip?.since ?? delta?.since ?? -Infinity;
  const top = skip?.top ?? Math.min(999, Math.max(1, Number(req.query.get('$top') ?? 100) || 100));
  const offset = skip?.offset ?? 0;
  // At or after: a change in the very millisecond the token was issued is sent (again) rather than lost.
  const changed = dataset.all().filter((record) => modifiedMs(record) >= since);
  const page = changed.slice(offset, offset + top);
  const base = `${req.origin}${req.path}`;
  const more = offset + top < changed.length;
  const now = Math.max(Date.now(), ...changed.map(modifiedMs));
  return {
    body: {
      '@odata.context': `https://graph.microsoft.com/v1.0/$metadata#${context}`,
      ...(more ? { '@odata.nextLink': `${base}?$skiptoken=${token({ since, offset: offset + top, top })}` } : { '@odata.deltaLink': `${base}?$deltatoken=${token({ since: now })}` }),
      value: page.map(show),
    },
  };
}

/** Graph puts the subscription's clientState in every notification of the batch. */
export const graphNotificationSigner: Signer = (secret, w) => {
  const payload = JSON.parse(w.body) as { value: Record<string, unknown>[] };
  for (const n of payload.value) n.clientState = secret;
  return { method: 'POST', url: w.url, headers: { 'content-type': 'application/json', ...w.headers }, body: JSON.stringify(payload) };
};
