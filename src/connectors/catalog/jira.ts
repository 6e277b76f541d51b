/**
 * Jira (Atlassian Cloud): issues of a Jira site, read with an Atlassian account's email and API
 * token, and its admin webhooks.
 * - Authentication: HTTP basic, email and API token:
 *   https://developer.atlassian.com/cloud/jira/platform/basic-auth-for-rest-apis/
 * - `GET /rest/api/3/myself`; issues by JQL, `GET /rest/api/3/search/jql?jql&fields&maxResults(≤100)&nextPageToken`
 *   → `{ issues, nextPageToken, isLast }`:
 *   https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/
 * - Errors `{ errorMessages, errors }`; 429 with `Retry-After`:
 *   https://developer.atlassian.com/cloud/jira/platform/rate-limiting/
 * - Admin webhooks saved with a secret are signed `X-Hub-Signature: sha256=<hex HMAC-SHA256 of the
 *   body>`, with `X-Atlassian-Webhook-Identifier` per delivery:
 *   https://developer.atlassian.com/cloud/jira/platform/webhooks/#secure-admin-webhooks
 */
import { Type } from 'typebox';
import type { SyncDefinition } from '../extensions.ts';
import { connected, defineConnector, expectOk, hmac, jsonField, matchesAny, monogramIcon, parseJsonBody, refused, verified } from '../sdk.ts';

interface Issue {
  id: string;
  key: string;
  fields: {
    summary?: string;
    status?: { name: string } | null;
    issuetype?: { name: string } | null;
    priority?: { name: string } | null;
    project?: { key: string } | null;
    assignee?: { accountId: string; displayName?: string } | null;
    reporter?: { accountId: string } | null;
    created: string;
    updated: string;
  };
}

/** Jira's `2025-01-31T10:00:00.000+0000` as ISO 8601. */
const isoOf = (date: string): string => new Date(date.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')).toISOString();
/**
 * JQL dates are minutes in the user's time zone, which the API token does not tell: an incremental
 * run asks from a day before the last change it saw, and re-reads the few issues that repeats.
 */
const jqlSince = (iso: string): string => new Date(Date.parse(iso) - 86_400_000).toISOString().slice(0, 16).replace('T', ' ');
const Text = Type.Union([Type.String(), Type.Null()]);

const issues: SyncDefinition<{ jql?: string | undefined }> = {
  model: 'issues',
  description: 'Jira issues matching the connection’s JQL',
  schema: Type.Object({ id: Type.String(), key: Type.String(), summary: Text, status: Text, type: Text, priority: Text, project: Text, assigneeId: Text, assignee: Text, createdAt: Type.String(), updatedAt: Type.String() }),
  frequency: 'every 30m',
  dataStrategy: 'events',
  async exec(ctx) {
    const checkpoint = (await ctx.checkpoint.get<{ since?: string; token?: string; newest?: string }>()) ?? {};
    const since = ctx.full ? ctx.since?.toISOString() : (checkpoint.since ?? ctx.since?.toISOString());
    let newest = checkpoint.newest ?? since ?? '';
    const filter = (ctx.config.jql ?? '').trim();
    const jql = `${[filter ? `(${filter})` : '', since ? `updated >= "${jqlSince(since)}"` : ''].filter(Boolean).join(' AND ')} ORDER BY updated ASC`;
    const pages = ctx.paginate<Issue>(
      { path: '/rest/api/3/search/jql', query: { jql, maxResults: 100, fields: 'summary,status,issuetype,priority,project,assignee,created,updated' } },
      { type: 'cursor', results: 'issues', cursorPath: 'nextPageToken', cursorParam: 'nextPageToken', start: checkpoint.token },
    );
    for await (const page of pages) {
      await ctx.batchSave(
        page.items.map(({ id, key, fields: f }) => {
          const updatedAt = isoOf(f.updated);
          if (updatedAt > newest) newest = updatedAt;
          return {
            externalId: id,
            data: { id, key, summary: f.summary ?? null, status: f.status?.name ?? null, type: f.issuetype?.name ?? null, priority: f.priority?.name ?? null, project: f.project?.key ?? null, assigneeId: f.assignee?.accountId ?? null, assignee: f.assignee?.displayName ?? null, createdAt: isoOf(f.created), updatedAt },
            updatedAt,
          };
        }),
      );
      await ctx.checkpoint.save({ since: checkpoint.since, token: page.next, newest });
    }
    await ctx.checkpoint.save({ since: newest || since });
  },
};

export default defineConnector({
  key: 'jira',
  name: 'Jira',
  description: 'Issues of a Jira Cloud site (by JQL, incrementally), read with an Atlassian account’s email and API token, and its signed admin webhooks.',
  category: 'dev',
  icon: monogramIcon('Ji', '#0052cc'),
  capabilities: ['proxy', 'records', 'webhooks'],
  connectionMode: 'basic',
  connectionConfig: {
    site: { label: 'Jira site', help: 'Your site’s host name, as in https://<site>.atlassian.net.', placeholder: 'acme.atlassian.net', format: 'hostname', pattern: '[A-Za-z0-9][A-Za-z0-9-]*\\.atlassian\\.net', patternHint: 'is a host name such as acme.atlassian.net' },
    jql: { label: 'JQL filter', help: 'Which issues to sync (empty: every issue the account can see), e.g. project = OPS.', required: false },
  },
  auth: {
    fields: {
      email: { label: 'Atlassian account email', format: 'email' },
      apiToken: { label: 'API token', help: 'id.atlassian.com → Security → API tokens.', secret: true },
    },
    inject: { in: 'basic', username: '{email}', password: '{apiToken}' },
  },
  baseUrls: { production: 'https://{site}' },
  requestHeaders: { accept: 'application/json' },
  uiEmbeds: [{ surface: 'connection', placement: 'tab', title: 'Issues' }],
  docsUrl: 'https://developer.atlassian.com/cloud/jira/platform/rest/v3/',
  syncs: [issues],

  async testConnection(ctx) {
    const { body } = expectOk(await ctx.http.request<{ accountId: string; displayName?: string; emailAddress?: string }>({ path: '/rest/api/3/myself' }));
    return connected({ id: body.accountId, name: body.displayName, email: body.emailAddress, site: ctx.config.site });
  },

  webhooks: {
    verify(request, secrets) {
      const signature = request.headers['x-hub-signature'];
      if (!signature?.startsWith('sha256=')) return refused('the X-Hub-Signature header is missing (save the webhook with a secret)');
      const expected = secrets.map((secret) => `sha256=${hmac('sha256', secret, request.rawBody).toString('hex')}`);
      return matchesAny(expected, [signature]) ? verified : refused('the signature does not match');
    },
    eventId: (request) => request.headers['x-atlassian-webhook-identifier'],
    route(request) {
      const payload = parseJsonBody(request);
      return { eventType: jsonField(payload, 'webhookEvent') ?? 'unknown', externalAccountId: jsonField(payload, 'issue.fields.project.key'), payload };
    },
  },
});
