/**
 * Asana API simulator, from https://developers.asana.com/reference/rest-api-reference:
 * - `Authorization: Bearer <personal access token>`; errors `{ errors: [{ message, help }] }`
 *   (401 "Not Authorized", 404, 429 with `Retry-After`);
 * - `GET /users/me` → `{ data: { gid, name, email } }`;
 * - `GET /tasks?project&modified_since&limit(≤100)&offset&opt_fields` → `{ data, next_page }`,
 *   `next_page` `{ offset, path, uri }` or null (https://developers.asana.com/docs/pagination).
 */
import { auth, defineSimulator, fixtures } from './support/kit.ts';
import type { ErrorKind } from './support/server.ts';

const TOKEN = '2/1200000000000001/1200000000000002:patchbaysimulatortoken0001';
const PROJECT = '1200000000000100';
const MESSAGES: Record<ErrorKind, string> = {
  unauthorized: 'Not Authorized',
  forbidden: 'Forbidden',
  not_found: 'project: Unknown object: 0',
  rate_limited: 'You have made too many requests recently. Please, be chill.',
  server_error: 'Server Error',
  bad_request: 'Invalid Request',
};

interface Task extends Record<string, unknown> {
  gid: string;
  modified_at: string;
}

export default defineSimulator({
  key: 'asana',
  credential: auth.bearer(),
  accepts: [TOKEN],
  sample: { credentials: { token: TOKEN }, connectionConfig: { projectGid: PROJECT } },
  error: (kind, status) => ({ status, body: { errors: [{ message: MESSAGES[kind], help: 'For more information on API status codes and how to handle them, read the docs on errors: https://developers.asana.com/docs/errors' }] } }),
  rateLimit: '150/minute',
  data: (options) => ({
    tasks: fixtures<Task>(options, 'tasks', 150, (i, at) => ({
      gid: String(1_300_000_000_000_000 + i),
      resource_type: 'task',
      name: `Task ${i}`,
      completed: i % 4 === 0,
      completed_at: i % 4 === 0 ? String(at) : null,
      assignee: i % 3 === 0 ? null : { gid: '1200000000000001', name: 'Sim User' },
      due_on: null,
      created_at: String(at),
      modified_at: String(at),
      permalink_url: `https://app.asana.com/0/${PROJECT}/${1_300_000_000_000_000 + i}`,
    }), { id: 'gid', updated: 'modified_at' }),
  }),
  routes: ({ tasks }) => [
    { method: 'GET', path: '/users/me', handle: () => ({ body: { data: { gid: '1200000000000001', resource_type: 'user', name: 'Sim User', email: 'sim@patchbay-sim.example' } } }) },
    {
      method: 'GET',
      path: '/tasks',
      handle: (req) => {
        if (req.query.get('project') !== PROJECT) return { status: 404, body: { errors: [{ message: MESSAGES.not_found }] } };
        const since = req.query.get('modified_since');
        const sinceMs = since ? Date.parse(since) : undefined;
        const all = tasks.all().filter((t) => sinceMs === undefined || Date.parse(t.modified_at) >= sinceMs);
        const limit = Math.min(100, Math.max(1, Number(req.query.get('limit')) || 20));
        const start = Number(Buffer.from(req.query.get('offset') ?? '', 'base64url').toString('utf8')) || 0;
        const next = start + limit < all.length ? Buffer.from(String(start + limit)).toString('base64url') : undefined;
        const path = (offset: string) => {
          const query = new URLSearchParams(req.query);
          query.set('offset', offset);
          return `/tasks?${query.toString()}`;
        };
        return { body: { data: all.slice(start, start + limit), next_page: next ? { offset: next, path: path(next), uri: `${req.origin}${path(next)}` } : null } };
      },
    },
  ],
  profile: {
    proxyPath: '/users/me',
    // 100 a page.
    records: { tasks: { dataset: 'tasks', count: 301 } },
  },
});
