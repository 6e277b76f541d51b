/**
 * Mailchimp Marketing API simulator, from https://mailchimp.com/developer/marketing/api/:
 * - HTTP basic, any user name, the API key as password; errors are problem documents
 *   `{ type, title, status, detail, instance }` (401 "API Key Invalid", 404 "Resource Not Found",
 *   429 "Too Many Requests"): https://mailchimp.com/developer/marketing/docs/errors/;
 * - `GET /3.0/` → `{ account_id, account_name, email }`;
 * - `GET /3.0/lists/{list_id}/members?count(default 10, ≤ 1000)&offset&since_last_changed` →
 *   `{ members, list_id, total_items }`.
 */
import { randomUUID } from 'node:crypto';
import { auth, defineSimulator, fixtures, pages } from './support/kit.ts';
import type { ErrorKind, SimReply } from './support/server.ts';

const API_KEY = '0123456789abcdef0123456789abcdef-us21';
const LIST_ID = 'a1b2c3d4e5';
const TITLES: Record<ErrorKind, [string, string]> = {
  unauthorized: ['API Key Invalid', "Your API key may be invalid, or you've attempted to access the wrong datacenter."],
  forbidden: ['Forbidden', 'You do not have permission to access this resource.'],
  not_found: ['Resource Not Found', 'The requested resource could not be found.'],
  rate_limited: ['Too Many Requests', 'You have exceeded the limit of 10 simultaneous connections.'],
  server_error: ['Internal Server Error', 'An unexpected internal error has occurred.'],
  bad_request: ['Invalid Resource', 'The resource submitted could not be validated.'],
};
const error = (kind: ErrorKind, status: number): SimReply => ({
  status,
  headers: { 'content-type': 'application/problem+json; charset=utf-8' },
  body: { type: 'https://mailchimp.com/developer/marketing/docs/errors/', title: TITLES[kind][0], status, detail: TITLES[kind][1], instance: randomUUID() },
});
/** Mailchimp's `2025-01-31T10:00:00+00:00`. */
const mcTime = (iso: string) => iso.replace(/\.\d{3}Z$/, '+00:00');

interface Member extends Record<string, unknown> {
  id: string;
  last_changed: string;
}

export default defineSimulator({
  key: 'mailchimp',
  credential: auth.basic('password'),
  accepts: [API_KEY],
  sample: { credentials: { apiKey: API_KEY }, connectionConfig: { dataCenter: 'us21', listId: LIST_ID } },
  error: (kind, status) => error(kind, status),
  data: (options) => ({
    members: fixtures<Member>(options, 'members', 200, (i, at) => ({
      id: String(i).padStart(32, '0'),
      email_address: `member${i}@patchbay-sim.example`,
      status: i % 13 === 0 ? 'unsubscribed' : 'subscribed',
      full_name: `Member ${i}`,
      tags: i % 4 === 0 ? [{ id: 1, name: 'beta' }] : [],
      timestamp_opt: String(at),
      last_changed: String(at),
    }), { updated: 'last_changed' }),
  }),
  routes: ({ members }) => [
    { method: 'GET', path: '/3.0', handle: () => ({ body: { account_id: '8d3a3db4d97663a9074efcc16', account_name: 'Patchbay Sim', email: 'sim@patchbay-sim.example', login_id: '1', username: 'patchbaysim' } }) },
    {
      method: 'GET',
      path: '/3.0/lists/:listId/members',
      handle: (req) => {
        if (req.params.listId !== LIST_ID) return error('not_found', 404);
        const since = req.query.get('since_last_changed');
        const sinceMs = since ? Date.parse(since) : undefined;
        const all = members.all().filter((m) => sinceMs === undefined || Date.parse(m.last_changed) >= sinceMs);
        const page = pages.offset(all, req, { limitParam: 'count', defaultLimit: 10, maxLimit: 1000 });
        return { body: { members: page.items.map((m) => ({ ...m, list_id: LIST_ID, timestamp_opt: mcTime(String(m.timestamp_opt)), last_changed: mcTime(m.last_changed) })), list_id: LIST_ID, total_items: all.length } };
      },
    },
  ],
  profile: {
    proxyPath: '/3.0/',
    // 1,000 a page.
    records: { members: { dataset: 'members', count: 2_501 } },
  },
});
