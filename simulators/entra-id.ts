/**
 * Microsoft Graph simulator for Entra ID (users), with the identity platform's OAuth endpoints:
 * - `/{tenant}/oauth2/v2.0/authorize` and `/token` (authorization code with PKCE, refresh,
 *   client credentials); bearer access tokens on Graph;
 * - `GET /v1.0/organization` (`{ value: [{ id, displayName, verifiedDomains }] }`);
 * - `GET /v1.0/users/delta` (https://learn.microsoft.com/graph/delta-query-users): pages of 100
 *   (`$top` to change it) linked by `@odata.nextLink` with an opaque `$skiptoken`; the last page has
 *   an `@odata.deltaLink` whose `$deltatoken` returns only users changed after it was issued;
 * - `GET /v1.0/users?$filter=mail eq '…'` and `GET /v1.0/users/{id | userPrincipalName}`;
 * - errors `{ error: { code, message, innerError: { date, request-id, client-request-id } } }`
 *   (401 `InvalidAuthenticationToken`, 403 `Authorization_RequestDenied`, 404 `Request_ResourceNotFound`,
 *   429 `TooManyRequests` with `Retry-After`): https://learn.microsoft.com/graph/errors
 * - change notifications: `{ value: [{ subscriptionId, clientState, changeType, resource,
 *   resourceData, tenantId }] }`, the subscription's clientState standing in for a signature.
 */
import { randomUUID } from 'node:crypto';
import { auth, defineSimulator, fixtures } from './support/kit.ts';
import type { ErrorKind, SimReply } from './support/server.ts';

const TENANT = '8f0e2c1a-0000-4000-8000-00000000e001';
const ERRORS: Record<ErrorKind, [string, string]> = {
  unauthorized: ['InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.'],
  forbidden: ['Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'],
  not_found: ['Request_ResourceNotFound', 'Resource does not exist or one of its queried reference-property objects are not present.'],
  rate_limited: ['TooManyRequests', 'Too many requests.'],
  server_error: ['generalException', 'An internal server error occurred.'],
  bad_request: ['BadRequest', 'Invalid request.'],
};

const graphError = (status: number, kind: ErrorKind): SimReply => {
  const [code, message] = ERRORS[kind];
  const id = randomUUID();
  return { status, headers: { 'request-id': id }, body: { error: { code, message, innerError: { date: new Date().toISOString().slice(0, 19), 'request-id': id, 'client-request-id': id } } } };
};

interface User extends Record<string, unknown> {
  id: string;
  mail: string;
  userPrincipalName: string;
  modified: string;
}

const token = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const untoken = <T>(text: string | null): T | undefined => {
  if (!text) return undefined;
  try {
    return JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as T;
  } catch {
    return undefined;
  }
};
const visible = ({ modified: _m, ...user }: User) => user;

export default defineSimulator({
  key: 'entra-id',
  credential: auth.bearer(),
  accepts: [],
  sample: { connectionConfig: { tenant: TENANT } },
  error: (kind, status) => graphError(status, kind),
  oauth: {
    paths: { authorize: `/${TENANT}/oauth2/v2.0/authorize`, token: `/${TENANT}/oauth2/v2.0/token` },
    accessTokenPrefix: 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.sim-',
    refreshTokenPrefix: '0.AXsim-',
    accessTokenTtlSeconds: 3600,
    clientCredentials: true,
    scope: 'offline_access User.Read.All',
  },
  data: (options) => ({
    users: fixtures<User>(options, 'users', 150, (i, at) => ({
      id: `6e5b0000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      displayName: `User ${i}`,
      mail: `user${i}@patchbaysim.onmicrosoft.com`,
      userPrincipalName: `user${i}@patchbaysim.onmicrosoft.com`,
      accountEnabled: i % 17 !== 0,
      modified: String(at),
    }), { updated: 'modified' }),
  }),
  routes: ({ users }) => [
    {
      method: 'GET',
      path: '/v1.0/organization',
      handle: () => ({ body: { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#organization', value: [{ id: TENANT, displayName: 'Patchbay Sim', verifiedDomains: [{ name: 'patchbaysim.onmicrosoft.com', isDefault: true, isInitial: true, type: 'Managed' }] }] } }),
    },
    {
      method: 'GET',
      path: '/v1.0/users/delta',
      handle: (req) => {
        // The skiptoken carries where the round started (its `since`) and how far it got.
        const skip = untoken<{ since: number; offset: number; top: number }>(req.query.get('$skiptoken'));
        const delta = untoken<{ since: number }>(req.query.get('$deltatoken'));
        if ((req.query.get('$skiptoken') && !skip) || (req.query.get('$deltatoken') && !delta)) return { status: 400, body: { error: { code: 'BadRequest', message: 'Invalid token.' } } };
        const since = skip?.since ?? delta?.since ?? -Infinity;
        const top = skip?.top ?? Math.min(999, Math.max(1, Number(req.query.get('$top') ?? 100) || 100));
        const offset = skip?.offset ?? 0;
        const changed = users.all().filter((u) => Date.parse(u.modified) > since);
        const page = changed.slice(offset, offset + top);
        const base = `${req.origin}/v1.0/users/delta`;
        const more = offset + top < changed.length;
        const now = Math.max(Date.now(), ...changed.map((u) => Date.parse(u.modified)));
        return {
          body: {
            '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users',
            ...(more ? { '@odata.nextLink': `${base}?$skiptoken=${token({ since, offset: offset + top, top })}` } : { '@odata.deltaLink': `${base}?$deltatoken=${token({ since: now })}` }),
            value: page.map(visible),
          },
        };
      },
    },
    {
      method: 'GET',
      path: '/v1.0/users',
      handle: (req) => {
        const filter = req.query.get('$filter');
        const mail = filter ? /^mail eq '((?:[^']|'')*)'$/.exec(filter.trim())?.[1]?.replaceAll("''", "'") : undefined;
        if (filter && mail === undefined) return { status: 400, body: { error: { code: 'Request_UnsupportedQuery', message: 'Unsupported or invalid query filter clause specified.' } } };
        const all = users.all().filter((u) => mail === undefined || u.mail.toLowerCase() === mail.toLowerCase());
        return { body: { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users', value: all.slice(0, 100).map(visible) } };
      },
    },
    {
      method: 'GET',
      path: '/v1.0/users/:id',
      handle: (req) => {
        const user = users.get(req.params.id!) ?? users.all().find((u) => u.userPrincipalName.toLowerCase() === req.params.id!.toLowerCase());
        return user ? { body: visible(user) } : graphError(404, 'not_found');
      },
    },
  ],
  webhooks: {
    // Graph puts the subscription's clientState in every notification of the batch.
    signer: (secret, w) => {
      const payload = JSON.parse(w.body) as { value: Record<string, unknown>[] };
      for (const n of payload.value) n.clientState = secret;
      return { method: 'POST', url: w.url, headers: { 'content-type': 'application/json', ...w.headers }, body: JSON.stringify(payload) };
    },
  },
  profile: {
    proxyPath: '/v1.0/organization',
    records: { users: { dataset: 'users', count: 301 } },
    webhook: {
      secret: 'patchbay-sim-client-state-0001',
      body: `{"value":[{"subscriptionId":"0f2b3c4d-0000-4000-8000-00000000a001","subscriptionExpirationDateTime":"2030-01-01T00:00:00Z","changeType":"updated","resource":"Users/6e5b0000-0000-4000-8000-000000000007","resourceData":{"@odata.type":"#Microsoft.Graph.User","@odata.id":"Users/6e5b0000-0000-4000-8000-000000000007","id":"6e5b0000-0000-4000-8000-000000000007"},"clientState":"","tenantId":"${TENANT}"}]}`,
      signsBody: false,
    },
    user: { email: 'user7@patchbaysim.onmicrosoft.com' },
  },
});
