/**
 * OpenAI Admin API simulator, from https://platform.openai.com/docs/api-reference (usage, costs,
 * projects) and https://cookbook.openai.com/examples/completions_usage_api:
 * - `Authorization: Bearer <key>`; errors `{ error: { message, type, param, code } }` (401
 *   `invalid_api_key`, 429 `rate_limit_exceeded` with `x-ratelimit-limit-requests`,
 *   `x-ratelimit-remaining-requests`, `x-ratelimit-reset-requests`);
 * - `GET /v1/organization/projects?limit&after` (`{ object: "list", data, first_id, last_id, has_more }`);
 * - `GET /v1/organization/usage/completions` and `GET /v1/organization/costs`: `start_time`
 *   (required, Unix seconds), `end_time`, `bucket_width=1d`, `group_by[]` (`model`;
 *   `line_item` for costs), `limit` (7 by default, ≤ 31 for usage, ≤ 180 for costs), `page`
 *   (the opaque `next_page`); answers `{ object: "page", data: [bucket…], has_more, next_page }`.
 * Usage and costs are made up from the day number, the same on every run.
 */
import { auth, defineSimulator } from './support/kit.ts';
import type { ErrorKind, SimReply, SimRequest } from './support/server.ts';

const KEY = 'sk-admin-PatchbaySimulatorAdminKey0000000001';
const DAY = 86_400;
const MODELS = ['gpt-4o-2024-08-06', 'gpt-4o-mini-2024-07-18'];
const LINE_ITEMS = ['gpt-4o, input', 'gpt-4o, output'];

const ERRORS: Record<ErrorKind, [string, string, string | null]> = {
  unauthorized: ['Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.', 'invalid_request_error', 'invalid_api_key'],
  forbidden: ['You have insufficient permissions for this operation.', 'invalid_request_error', 'insufficient_permissions'],
  not_found: ['Not found', 'invalid_request_error', null],
  rate_limited: ['Rate limit reached for requests', 'requests', 'rate_limit_exceeded'],
  server_error: ['The server had an error while processing your request. Sorry about that!', 'server_error', null],
  bad_request: ['Invalid request', 'invalid_request_error', null],
};

const invalid = (message: string, param: string): SimReply => ({ status: 400, body: { error: { message, type: 'invalid_request_error', param, code: null } } });

/** Daily buckets from `start_time` to `end_time` (now by default), paged by `limit` and `page`. */
function bucketPage(req: SimRequest, maxLimit: number, results: (day: number, groups: string[]) => Record<string, unknown>[]): SimReply {
  const start = Number(req.query.get('start_time'));
  if (!req.query.get('start_time') || !Number.isInteger(start)) return invalid('start_time is required and must be an integer', 'start_time');
  const width = req.query.get('bucket_width') ?? '1d';
  if (width !== '1d') return invalid('This simulator serves bucket_width=1d only', 'bucket_width');
  const end = Number(req.query.get('end_time') ?? Math.ceil(Date.now() / 1000));
  const limit = Math.min(maxLimit, Math.max(1, Number(req.query.get('limit') ?? 7) || 7));
  const first = Math.floor(start / DAY) * DAY;
  const offset = req.query.get('page') ? Number(Buffer.from(req.query.get('page')!, 'base64').toString('utf8')) || 0 : 0;
  const days: number[] = [];
  for (let t = first; t < end; t += DAY) days.push(t);
  const slice = days.slice(offset, offset + limit);
  const more = offset + limit < days.length;
  const groups = req.query.getAll('group_by[]').concat(req.query.getAll('group_by'));
  return {
    body: {
      object: 'page',
      data: slice.map((t) => ({ object: 'bucket', start_time: t, end_time: t + DAY, results: results(t / DAY, groups) })),
      has_more: more,
      next_page: more ? Buffer.from(String(offset + limit)).toString('base64') : null,
    },
  };
}

export default defineSimulator({
  key: 'openai',
  credential: auth.bearer(),
  accepts: [KEY],
  sample: { credentials: { apiKey: KEY } },
  error: (kind, status) => {
    const [message, type, code] = ERRORS[kind];
    return {
      status,
      ...(kind === 'rate_limited' ? { headers: { 'x-ratelimit-limit-requests': '500', 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '1s' } } : {}),
      body: { error: { message, type, param: null, code } },
    };
  },
  routes: () => [
    {
      method: 'GET',
      path: '/v1/organization/projects',
      handle: () => ({
        body: {
          object: 'list',
          data: [{ id: 'proj_PatchbaySim000001', object: 'organization.project', name: 'Default project', created_at: 1_704_067_200, archived_at: null, status: 'active' }],
          first_id: 'proj_PatchbaySim000001',
          last_id: 'proj_PatchbaySim000001',
          has_more: false,
        },
      }),
    },
    {
      method: 'GET',
      path: '/v1/organization/usage/completions',
      handle: (req) =>
        bucketPage(req, 31, (day, groups) => {
          const byModel = groups.includes('model');
          const rows = MODELS.map((model, m) => ({ model, input: 1_000 * ((day % 17) + 1) * (m + 1), output: 300 * ((day % 13) + 1) * (m + 1), requests: 10 * ((day % 7) + 1) * (m + 1) }));
          const sum = (f: 'input' | 'output' | 'requests') => rows.reduce((s, r) => s + r[f], 0);
          const make = (model: string | null, input: number, output: number, requests: number) => ({
            object: 'organization.usage.completions.result',
            input_tokens: input,
            output_tokens: output,
            input_cached_tokens: Math.floor(input / 4),
            input_audio_tokens: 0,
            output_audio_tokens: 0,
            num_model_requests: requests,
            project_id: null,
            user_id: null,
            api_key_id: null,
            model,
            batch: null,
          });
          return byModel ? rows.map((r) => make(r.model, r.input, r.output, r.requests)) : [make(null, sum('input'), sum('output'), sum('requests'))];
        }),
    },
    {
      method: 'GET',
      path: '/v1/organization/costs',
      handle: (req) =>
        bucketPage(req, 180, (day, groups) => {
          const values = LINE_ITEMS.map((item, i) => ({ item, value: Math.round(((day % 11) + 1) * (i + 1) * 37) / 100 }));
          const make = (lineItem: string | null, value: number) => ({ object: 'organization.costs.result', amount: { value, currency: 'usd' }, line_item: lineItem, project_id: null });
          return groups.includes('line_item') ? values.map((v) => make(v.item, v.value)) : [make(null, values.reduce((s, v) => s + v.value, 0))];
        }),
    },
  ],
  profile: { proxyPath: '/v1/organization/projects?limit=1' },
});
