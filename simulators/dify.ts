/**
 * Dify Service API simulator, from https://docs.dify.ai/en/api-reference:
 * - app API keys as `Authorization: Bearer app-…`; errors `{ code, message, status }` (401
 *   `unauthorized` "Access token is invalid", 404 `not_found`, 429 `too_many_requests`, 400 `invalid_param`);
 * - `GET /v1/info` (`{ name, description, tags, mode, author_name }`);
 * - `GET /v1/workflows/logs`: `page` (1…99999), `limit` (1…100, 20 by default),
 *   `created_at__after` / `created_at__before` (ISO 8601), `status`; newest first;
 *   `{ page, limit, total, has_more, data }` with Unix-second times;
 * - `POST /v1/workflows/run` (blocking mode: `{ workflow_run_id, task_id, data: { id, status,
 *   outputs, elapsed_time, total_tokens, total_steps, created_at, finished_at } }`), logged like the others.
 */
import { randomUUID } from 'node:crypto';
import { auth, defineSimulator, fixtures } from './support/kit.ts';
import type { ErrorKind, SimReply } from './support/server.ts';

const KEY = 'app-PatchbaySimulatorKey0001';
const ERRORS: Record<ErrorKind, [string, string]> = {
  unauthorized: ['unauthorized', 'Access token is invalid'],
  forbidden: ['forbidden', 'Forbidden'],
  not_found: ['not_found', 'Not found'],
  rate_limited: ['too_many_requests', 'Too many requests. Please try again later.'],
  server_error: ['internal_server_error', 'Internal Server Error'],
  bad_request: ['invalid_param', 'Invalid parameter'],
};
const difyError = (status: number, kind: ErrorKind, message?: string): SimReply => ({ status, body: { code: ERRORS[kind][0], message: message ?? ERRORS[kind][1], status } });

interface Log extends Record<string, unknown> {
  id: string;
  created_at: number;
  workflow_run: { id: string; status: string; created_at: number; finished_at: number | null };
}

const isoSeconds = (text: string | null): number | undefined => {
  if (!text) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? Number.NaN : Math.floor(ms / 1000);
};

export default defineSimulator({
  key: 'dify',
  credential: auth.bearer(),
  accepts: [KEY],
  sample: { credentials: { apiKey: KEY } },
  error: (kind, status) => difyError(status, kind),
  data: (options) => ({
    logs: fixtures<Log>(options, 'logs', 80, (i, at) => {
      const created = Number(at);
      return {
        id: `7a1c0000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        workflow_run: { id: `fb470000-0000-4000-8000-${String(i).padStart(12, '0')}`, version: '2025-01-16 12:00:00.000000', status: i % 19 === 0 ? 'failed' : 'succeeded', error: i % 19 === 0 ? 'Node LLM run failed: timeout' : null, elapsed_time: 0.5 + (i % 9) / 4, total_tokens: 100 + (i % 40) * 7, total_steps: 3 + (i % 4), created_at: created, finished_at: created + 2, exceptions_count: 0, triggered_from: 'app' },
        created_from: 'service-api',
        created_by_role: 'end_user',
        created_by_account: null,
        created_by_end_user: { id: `e5d40000-0000-4000-8000-${String(i % 10).padStart(12, '0')}`, type: 'service_api', is_anonymous: false, session_id: `user-${i % 10}` },
        created_at: created,
      };
    }, { updated: 'created_at', format: 'seconds' }),
  }),
  routes: ({ logs }) => [
    { method: 'GET', path: '/v1/info', handle: () => ({ body: { name: 'Support triage', description: 'Classifies and routes support tickets', tags: ['support'], mode: 'workflow', author_name: 'Patchbay Sim' } }) },
    {
      method: 'GET',
      path: '/v1/workflows/logs',
      handle: (req) => {
        const page = Number(req.query.get('page') ?? 1);
        const limit = Number(req.query.get('limit') ?? 20);
        if (!Number.isInteger(page) || page < 1 || page > 99_999) return difyError(400, 'bad_request', 'page must be between 1 and 99999');
        if (!Number.isInteger(limit) || limit < 1 || limit > 100) return difyError(400, 'bad_request', 'limit must be between 1 and 100');
        const after = isoSeconds(req.query.get('created_at__after'));
        const before = isoSeconds(req.query.get('created_at__before'));
        if (Number.isNaN(after) || Number.isNaN(before)) return difyError(400, 'bad_request', 'created_at__after and created_at__before must be ISO 8601 times');
        const status = req.query.get('status');
        const all = logs
          .all()
          .filter((l) => (after === undefined || l.created_at > after) && (before === undefined || l.created_at < before) && (!status || l.workflow_run.status === status))
          .slice()
          .sort((a, b) => b.created_at - a.created_at);
        const data = all.slice((page - 1) * limit, page * limit);
        return { body: { page, limit, total: all.length, has_more: page * limit < all.length, data } };
      },
    },
    {
      method: 'POST',
      path: '/v1/workflows/run',
      handle: (req) => {
        let body: { inputs?: unknown; user?: unknown; response_mode?: unknown };
        try {
          body = JSON.parse(req.rawBody) as typeof body;
        } catch {
          return difyError(400, 'bad_request', 'The body is not valid JSON');
        }
        if (typeof body.user !== 'string' || !body.user) return difyError(400, 'bad_request', 'user is required');
        if (body.response_mode !== 'blocking') return difyError(400, 'bad_request', 'This simulator answers response_mode "blocking" only');
        const [log] = logs.add(1) as Log[];
        const run = log!.workflow_run;
        return { body: { workflow_run_id: run.id, task_id: randomUUID(), data: { ...run, outputs: { answer: `Echo: ${JSON.stringify(body.inputs ?? {})}` } } } };
      },
    },
  ],
  profile: {
    proxyPath: '/v1/info',
    records: { workflow_runs: { dataset: 'logs', count: 301 } },
  },
});
