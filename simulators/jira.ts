/**
 * Jira Cloud REST v3 simulator, from https://developer.atlassian.com/cloud/jira/platform/rest/v3/:
 * - HTTP basic with an account's email and API token; errors `{ errorMessages, errors }` (401
 *   "Client must be authenticated to access this resource.", 429 with `Retry-After`);
 * - `GET /rest/api/3/myself` → `{ accountId, displayName, emailAddress, active }`;
 * - `GET /rest/api/3/search/jql?jql&fields&maxResults(default 50, ≤ 100)&nextPageToken` →
 *   `{ issues, nextPageToken, isLast }`, the token absent on the last page; the JQL understood
 *   here is `updated >= "yyyy-MM-dd HH:mm"` (read as UTC) and `ORDER BY updated ASC`;
 * - admin webhooks signed `X-Hub-Signature: sha256=<hex HMAC-SHA256 of the body>`, with
 *   `X-Atlassian-Webhook-Identifier` (https://developer.atlassian.com/cloud/jira/platform/webhooks/).
 */
import { createHmac, randomUUID } from 'node:crypto';
import { auth, defineSimulator, fixtures } from './support/kit.ts';
import type { ErrorKind } from './support/server.ts';

const EMAIL = 'sim@patchbay-sim.example';
const TOKEN = 'ATATT3xFfGF0patchbaySimulatorApiToken0001';
const MESSAGES: Record<ErrorKind, string> = {
  unauthorized: 'Client must be authenticated to access this resource.',
  forbidden: 'You do not have permission to perform this action.',
  not_found: 'Issue does not exist or you do not have permission to see it.',
  rate_limited: 'Rate limit exceeded.',
  server_error: 'Internal server error',
  bad_request: 'Error in the JQL Query.',
};
/** Jira's `2025-01-31T10:00:00.000+0000`. */
const jiraTime = (iso: string) => iso.replace('Z', '+0000');

interface Issue extends Record<string, unknown> {
  id: string;
  updated: string;
}

export default defineSimulator({
  key: 'jira',
  credential: auth.basic(),
  accepts: [`${EMAIL}:${TOKEN}`],
  sample: { credentials: { email: EMAIL, apiToken: TOKEN }, connectionConfig: { site: 'patchbay-sim.atlassian.net' } },
  error: (kind, status) => ({ status, body: { errorMessages: [MESSAGES[kind]], errors: {} } }),
  data: (options) => ({
    issues: fixtures<Issue>(options, 'issues', 150, (i, at) => ({
      id: String(10_000 + i),
      key: `OPS-${i}`,
      summary: `Investigate alert ${i}`,
      status: ['To Do', 'In Progress', 'Done'][i % 3],
      type: i % 4 === 0 ? 'Bug' : 'Task',
      assignee: i % 5 === 0 ? null : { accountId: `5b10ac8d82e05b22cc7d4e${String(i % 7).padStart(2, '0')}`, displayName: `Agent ${i % 7}` },
      created: String(at),
      updated: String(at),
    }), { updated: 'updated' }),
  }),
  routes: ({ issues }) => [
    { method: 'GET', path: '/rest/api/3/myself', handle: () => ({ body: { accountId: '5b10ac8d82e05b22cc7d4ef5', displayName: 'Patchbay Sim', emailAddress: EMAIL, active: true, timeZone: 'UTC' } }) },
    {
      method: 'GET',
      path: '/rest/api/3/search/jql',
      handle: (req) => {
        const jql = req.query.get('jql') ?? '';
        const since = /updated\s*>=\s*"(\d{4}[-/]\d{2}[-/]\d{2} \d{2}:\d{2})"/.exec(jql)?.[1];
        const sinceMs = since ? Date.parse(`${since.replaceAll('/', '-').replace(' ', 'T')}:00Z`) : undefined;
        if (since && !Number.isFinite(sinceMs)) return { status: 400, body: { errorMessages: [MESSAGES.bad_request], errors: {} } };
        const matching = issues.all().filter((i) => sinceMs === undefined || Date.parse(i.updated) >= sinceMs);
        const max = Math.min(100, Math.max(1, Number(req.query.get('maxResults')) || 50));
        const start = Number(Buffer.from(req.query.get('nextPageToken') ?? '', 'base64url').toString('utf8')) || 0;
        const page = matching.slice(start, start + max);
        const more = start + max < matching.length;
        return {
          body: {
            issues: page.map((i) => ({
              id: i.id,
              key: i.key,
              self: `${req.origin}/rest/api/3/issue/${i.id}`,
              fields: {
                summary: i.summary,
                status: { name: i.status },
                issuetype: { name: i.type },
                priority: { name: 'Medium' },
                project: { key: 'OPS' },
                assignee: i.assignee,
                created: jiraTime(String(i.created)),
                updated: jiraTime(i.updated),
              },
            })),
            ...(more ? { nextPageToken: Buffer.from(String(start + max)).toString('base64url') } : {}),
            isLast: !more,
          },
        };
      },
    },
  ],
  webhooks: {
    signer: (secret, w) => ({
      method: 'POST',
      url: w.url,
      headers: {
        'content-type': 'application/json',
        'x-atlassian-webhook-identifier': w.id ?? randomUUID(),
        'x-hub-signature': `sha256=${createHmac('sha256', secret).update(w.body).digest('hex')}`,
        ...w.headers,
      },
      body: w.body,
    }),
  },
  profile: {
    proxyPath: '/rest/api/3/myself',
    // 100 a page.
    records: { issues: { dataset: 'issues', count: 301 } },
    webhook: { secret: 'jira-sim-admin-webhook-secret-0001', body: '{"timestamp":1735689600000,"webhookEvent":"jira:issue_created","issue_event_type_name":"issue_created","issue":{"id":"10007","key":"OPS-7","fields":{"project":{"key":"OPS"},"summary":"Investigate alert 7"}}}' },
  },
});
