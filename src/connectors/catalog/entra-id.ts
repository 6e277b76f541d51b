/**
 * Microsoft Entra ID (Azure AD): users of a tenant through Microsoft Graph, connected with OAuth
 * 2.0 on the tenant's Microsoft identity platform endpoints, and Graph change notifications.
 * References: OAuth 2.0 authorization code and client credentials on
 * `login.microsoftonline.com/{tenant}/oauth2/v2.0/{authorize,token}`:
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow; Graph users
 * (`GET /v1.0/users`, `/v1.0/users/{id | userPrincipalName}`, `$filter=mail eq '…'`,
 * `$select`): https://learn.microsoft.com/graph/api/user-list; delta query (`/v1.0/users/delta`,
 * pages linked by `@odata.nextLink` with a `$skiptoken`, the last page's `@odata.deltaLink` gives
 * the changes since): https://learn.microsoft.com/graph/delta-query-users; errors
 * `{ error: { code, message, innerError } }` and throttling (429 with `Retry-After`):
 * https://learn.microsoft.com/graph/errors, https://learn.microsoft.com/graph/throttling.
 * Change notifications (a POST of `{ value: [{ subscriptionId, clientState, changeType, resource,
 * resourceData, tenantId }] }` carrying the subscription's `clientState` secret; the endpoint is
 * validated once with `?validationToken=…`, echoed back as text/plain within 10 seconds):
 * https://learn.microsoft.com/graph/change-notifications-delivery-webhooks
 */
import { Type } from 'typebox';
import type { SyncContext, SyncDefinition } from '../extensions.ts';
import { connected, defineConnector, expectOk, monogramIcon, type DirectoryUser } from '../sdk.ts';
import { graphChangeNotifications, linkRequest } from './_microsoft-graph.ts';

interface GraphUser {
  id: string;
  displayName?: string | null;
  mail?: string | null;
  userPrincipalName?: string | null;
  accountEnabled?: boolean | null;
  '@removed'?: { reason: string };
}

interface GraphPage<T> {
  value: T[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

const SELECT = 'id,displayName,mail,userPrincipalName,accountEnabled';
const Text = Type.Union([Type.String(), Type.Null()]);

/**
 * Users by delta query: the first run reads every user page by page (`@odata.nextLink`), keeps
 * the `@odata.deltaLink`, and each later run reads only what changed since.
 */
async function readUsers(ctx: SyncContext): Promise<void> {
  const checkpoint = (await ctx.checkpoint.get<{ next?: string; delta?: string }>()) ?? {};
  let link: string | undefined = checkpoint.next ?? (ctx.full ? undefined : checkpoint.delta);
  let request = link ? linkRequest(link) : { path: '/v1.0/users/delta', query: { $select: SELECT } };
  for (;;) {
    const { body } = expectOk(await ctx.http.request<GraphPage<GraphUser>>(request));
    const present = body.value.filter((u) => !u['@removed']);
    await ctx.batchSave(
      present.map((u) => ({
        externalId: u.id,
        data: { id: u.id, name: u.displayName ?? null, email: u.mail ?? null, userPrincipalName: u.userPrincipalName ?? null, enabled: u.accountEnabled ?? true },
      })),
    );
    link = body['@odata.nextLink'];
    if (!link) {
      await ctx.checkpoint.save({ delta: body['@odata.deltaLink'] ?? checkpoint.delta });
      return;
    }
    await ctx.checkpoint.save({ next: link, delta: checkpoint.delta });
    request = linkRequest(link);
  }
}

const users: SyncDefinition = {
  model: 'users',
  description: 'Entra ID users',
  schema: Type.Object({ id: Type.String(), name: Text, email: Text, userPrincipalName: Text, enabled: Type.Boolean() }),
  frequency: 'hourly',
  dataStrategy: 'events',
  exec: readUsers,
};

const asUser = (u: GraphUser): DirectoryUser => ({ id: u.id, email: u.mail ?? u.userPrincipalName ?? undefined, name: u.displayName ?? undefined, active: u.accountEnabled ?? true });

export default defineConnector({
  key: 'entra-id',
  name: 'Microsoft Entra ID',
  description: 'Users of a Microsoft Entra ID (Azure AD) tenant through Microsoft Graph, connected with OAuth, and Graph change notifications.',
  category: 'identity',
  icon: monogramIcon('En', '#0078d4'),
  capabilities: ['proxy', 'records', 'webhooks', 'identity'],
  connectionMode: 'oauth',
  connectionConfig: {
    tenant: {
      label: 'Tenant',
      help: 'The directory (tenant) ID or a verified domain: Entra admin center → Overview. "organizations" lets any work account sign in.',
      placeholder: 'contoso.onmicrosoft.com',
      pattern: '[A-Za-z0-9][A-Za-z0-9.-]{1,253}',
      patternHint: 'is a tenant ID (a GUID), a domain such as contoso.onmicrosoft.com, or "organizations"',
    },
  },
  auth: {
    authorizationUrl: 'https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize',
    tokenUrl: 'https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token',
    // The identity platform has no RFC 7009 endpoint; access is revoked from the enterprise application.
    scopes: ['offline_access', 'User.Read.All'],
    // Daemon apps use client credentials with the `https://graph.microsoft.com/.default` scope and application permissions.
    clientCredentials: true,
  },
  baseUrls: { production: 'https://graph.microsoft.com' },
  // No rateLimit: Graph throttles per app and tenant by service; 429s carry Retry-After.
  uiEmbeds: [{ surface: 'connection', placement: 'tab', title: 'Users' }],
  docsUrl: 'https://learn.microsoft.com/graph/api/resources/user',
  syncs: [users],

  async testConnection(ctx) {
    // Works for delegated and application tokens alike (GET /me needs a signed-in user).
    const { body } = expectOk(await ctx.http.request<{ value: { id: string; displayName: string; verifiedDomains?: { name: string; isDefault: boolean }[] }[] }>({ path: '/v1.0/organization', query: { $select: 'id,displayName,verifiedDomains' } }));
    const org = body.value[0];
    return connected({ id: org?.id, name: org?.displayName, domain: org?.verifiedDomains?.find((d) => d.isDefault)?.name });
  },

  async lookupUser(ctx, query) {
    if (query.id) {
      const response = await ctx.http.request<GraphUser>({ path: `/v1.0/users/${encodeURIComponent(query.id)}`, query: { $select: SELECT } });
      return response.status === 404 ? undefined : asUser(expectOk(response).body);
    }
    if (!query.email) return undefined;
    const email = query.email.replaceAll("'", "''");
    const { body } = expectOk(await ctx.http.request<GraphPage<GraphUser>>({ path: '/v1.0/users', query: { $filter: `mail eq '${email}'`, $select: SELECT } }));
    return body.value[0] ? asUser(body.value[0]) : undefined;
  },

  webhooks: graphChangeNotifications,
});
