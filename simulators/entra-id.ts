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
import { auth, defineSimulator, fixtures } from './support/kit.ts';
import { deltaPage, graphError, graphNotificationSigner, graphOauth, GRAPH_TENANT as TENANT } from './microsoft-graph.ts';

interface User extends Record<string, unknown> {
  id: string;
  mail: string;
  userPrincipalName: string;
  modified: string;
}

const visible = ({ modified: _m, ...user }: User) => user;

export default defineSimulator({
  key: 'entra-id',
  credential: auth.bearer(),
  accepts: [],
  sample: { connectionConfig: { tenant: TENANT } },
  error: (kind, status) => graphError(status, kind),
  oauth: graphOauth('offline_access User.Read.All'),
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
      handle: (req) => deltaPage(req, users, (u) => Date.parse(u.modified), visible, 'users'),
    },
    {
      method: 'GET',
      path: '/v1.0/users',
      handle: (req) => {
        const filter = req.query.get('$filter');
        const mail = filter ? /^mail eq '((?:[^']|'')*)'$/.exec(filter.trim())?.[1]?.replaceAll("''", "'") : undefined;
        if (filter && mail === undefined) return graphError(400, 'bad_request', 'Unsupported or invalid query filter clause specified.');
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
  webhooks: { signer: graphNotificationSigner },
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
