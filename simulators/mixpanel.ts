/**
 * Mixpanel simulator, from Mixpanel's published reference:
 * - Service accounts: HTTP basic with username and secret: https://docs.mixpanel.com/reference/service-accounts
 * - `GET /api/app/me` (the account, its projects)
 * - Query API segmentation (`GET /api/query/segmentation?project_id&event&from_date&to_date&unit`,
 *   `{ data: { series, values: { <event>: { <date>: n } } }, legend_size }`; 60 queries an hour):
 *   https://docs.mixpanel.com/reference/segmentation-query
 * - Errors: `{ "error": "…", "status": "error" }` with 400, 401, 403 or 429.
 */
import { auth, defineSimulator } from './support/kit.ts';
import type { ErrorKind } from './support/server.ts';

const USERNAME = 'patchbay-sim.1a2b3c.mp-service-account';
const SECRET = 'mpsimsecret0000000000000000000001';
const PROJECT = { id: 2_195_193, name: 'Patchbay Simulated Project' };

const MESSAGES: Record<ErrorKind, string> = {
  unauthorized: 'Invalid credentials',
  forbidden: 'Permission denied',
  not_found: 'Not found',
  rate_limited: 'Query rate limit exceeded',
  server_error: 'Internal server error',
  bad_request: 'Bad request',
};

/** A stable, plausible count for an event on a day. */
const countOn = (event: string, date: string): number => 200 + ((Date.parse(date) / 86_400_000 + event.length * 37) % 97);

export default defineSimulator({
  key: 'mixpanel',
  credential: auth.basic('pair'),
  accepts: [`${USERNAME}:${SECRET}`],
  sample: { credentials: { username: USERNAME, secret: SECRET }, connectionConfig: { projectId: String(PROJECT.id) } },
  error: (kind, status) => ({ status, body: { error: MESSAGES[kind], status: 'error' } }),
  rateLimit: '60/hour',
  routes: () => [
    {
      method: 'GET',
      path: '/app/me',
      handle: () => ({ body: { status: 'ok', results: { user_id: 4242, user_name: 'Patchbay Sim', user_email: 'sim@patchbay.example', projects: { [PROJECT.id]: PROJECT } } } }),
    },
    {
      method: 'GET',
      path: '/query/segmentation',
      handle: (req) => {
        const q = req.query;
        if (q.get('project_id') !== String(PROJECT.id)) return { status: 403, body: { error: `Not a member of project ${q.get('project_id') ?? '(none)'}`, status: 'error' } };
        const event = q.get('event');
        const from = Date.parse(q.get('from_date') ?? '');
        const to = Date.parse(q.get('to_date') ?? '');
        if (!event || !Number.isFinite(from) || !Number.isFinite(to) || to < from) return { status: 400, body: { error: 'event, from_date and to_date (yyyy-mm-dd) are required', status: 'error' } };
        const series: string[] = [];
        for (let t = from; t <= to; t += 86_400_000) series.push(new Date(t).toISOString().slice(0, 10));
        return { body: { data: { series, values: { [event]: Object.fromEntries(series.map((d) => [d, countOn(event, d)])) } }, legend_size: 1 } };
      },
    },
  ],
  profile: { proxyPath: `/app/me` },
});
