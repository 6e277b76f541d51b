/**
 * OpenAI: token usage, requests and spend of an OpenAI organization as metrics, read with an
 * Admin API key. API reference: https://platform.openai.com/docs/api-reference (bearer keys;
 * `OpenAI-Organization` and `OpenAI-Project` headers to pick an organization or project; errors
 * `{ error: { message, type, param, code } }`; 429 with `x-ratelimit-*` headers). Admin API:
 * projects (`GET /v1/organization/projects`), completions usage
 * (`GET /v1/organization/usage/completions` with `start_time`, `end_time` in Unix seconds,
 * `bucket_width=1d`, `group_by[]=model`, `limit` ≤ 31, `page` = the previous `next_page`;
 * buckets of `{ start_time, end_time, results: [{ input_tokens, output_tokens,
 * num_model_requests, model }] }`), and costs (`GET /v1/organization/costs`, daily buckets of
 * `{ amount: { value, currency }, line_item }`):
 * https://platform.openai.com/docs/api-reference/usage, https://cookbook.openai.com/examples/completions_usage_api
 */
import type { MetricPoint, MetricQuery } from '../extensions.ts';
import { connected, defineConnector, expectOk, monogramIcon, type ConnectorContext } from '../sdk.ts';

interface Bucket<R> {
  start_time: number;
  end_time: number;
  results: R[];
}
interface Page<R> {
  data: Bucket<R>[];
  has_more: boolean;
  next_page: string | null;
}
interface UsageResult {
  input_tokens: number;
  output_tokens: number;
  num_model_requests: number;
  model: string | null;
}
interface CostResult {
  amount: { value: number; currency: string };
  line_item: string | null;
}

const USAGE_METRICS = { input_tokens: 'input_tokens', output_tokens: 'output_tokens', model_requests: 'num_model_requests' } as const;

/** The organization (and project) headers, when the connection names them. */
const scopeHeaders = (ctx: ConnectorContext): Record<string, string> => ({
  ...(ctx.config.organization ? { 'OpenAI-Organization': ctx.config.organization } : {}),
  ...(ctx.config.project ? { 'OpenAI-Project': ctx.config.project } : {}),
});

/** Every daily bucket between the dates, following `next_page`. */
async function buckets<R>(ctx: ConnectorContext, path: string, query: MetricQuery, groupBy: string): Promise<Bucket<R>[]> {
  const out: Bucket<R>[] = [];
  let page: string | undefined;
  do {
    const { body } = expectOk(
      await ctx.http.request<Page<R>>({
        path,
        headers: scopeHeaders(ctx),
        query: {
          start_time: Math.floor(query.startDate.getTime() / 1000),
          end_time: Math.ceil(query.endDate.getTime() / 1000),
          bucket_width: '1d',
          'group_by[]': groupBy,
          limit: 31,
          ...(page ? { page } : {}),
        },
      }),
    );
    out.push(...body.data);
    page = body.has_more && body.next_page ? body.next_page : undefined;
  } while (page);
  return out;
}

async function fetchMetrics(ctx: ConnectorContext, query: MetricQuery): Promise<MetricPoint[]> {
  const points: MetricPoint[] = [];
  const usageIds = query.metricIds.filter((id): id is keyof typeof USAGE_METRICS => Object.hasOwn(USAGE_METRICS, id));
  if (usageIds.length > 0) {
    for (const bucket of await buckets<UsageResult>(ctx, '/v1/organization/usage/completions', query, 'model')) {
      const time = new Date(bucket.start_time * 1000).toISOString();
      for (const result of bucket.results) {
        for (const id of usageIds) points.push({ metricId: id, time, value: result[USAGE_METRICS[id]], dimensions: { model: result.model ?? 'all' } });
      }
    }
  }
  if (query.metricIds.includes('cost')) {
    for (const bucket of await buckets<CostResult>(ctx, '/v1/organization/costs', query, 'line_item')) {
      const time = new Date(bucket.start_time * 1000).toISOString();
      for (const result of bucket.results) points.push({ metricId: 'cost', time, value: result.amount.value, dimensions: { lineItem: result.line_item ?? 'all', currency: result.amount.currency } });
    }
  }
  return points;
}

export default defineConnector({
  key: 'openai',
  name: 'OpenAI',
  description: 'Token usage, model requests and spend of an OpenAI organization, per day and model, read with an Admin API key.',
  category: 'data',
  icon: monogramIcon('AI', '#10a37f'),
  capabilities: ['proxy', 'metrics'],
  connectionMode: 'apiKey',
  connectionConfig: {
    organization: { label: 'Organization ID', help: 'Only when the key belongs to several organizations: Settings → Organization → General.', required: false, pattern: 'org-[A-Za-z0-9]{10,40}', patternHint: 'starts with org-' },
    project: { label: 'Project ID', help: 'Only to scope calls to one project: Settings → Project → General.', required: false, pattern: 'proj_[A-Za-z0-9]{10,40}', patternHint: 'starts with proj_' },
  },
  auth: {
    fields: {
      apiKey: {
        label: 'Admin API key',
        help: 'Settings → Organization → Admin keys (usage and costs are read with an Admin key; a project key is refused there).',
        pattern: 'sk-[A-Za-z0-9_-]{20,}',
        patternHint: 'starts with sk-admin- (or sk-)',
        secret: true,
      },
    },
    inject: { in: 'header', name: 'Authorization', format: 'Bearer {apiKey}' },
  },
  baseUrls: { production: 'https://api.openai.com' },
  // No rateLimit: limits depend on the organization's usage tier; answers carry x-ratelimit-* headers.
  uiEmbeds: [{ surface: 'dashboard', placement: 'sidebar', title: 'OpenAI spend' }],
  docsUrl: 'https://platform.openai.com/docs/api-reference/usage',
  metrics: [
    { id: 'input_tokens', name: 'Input tokens', unit: 'tokens', description: 'Prompt tokens of completions per day, by model', aggregation: 'sum' },
    { id: 'output_tokens', name: 'Output tokens', unit: 'tokens', description: 'Generated tokens of completions per day, by model', aggregation: 'sum' },
    { id: 'model_requests', name: 'Model requests', unit: 'requests', description: 'Requests to completion models per day, by model', aggregation: 'sum' },
    { id: 'cost', name: 'Spend', unit: 'USD', description: 'Costs per day, by line item', aggregation: 'sum' },
  ],
  fetchMetrics,

  async testConnection(ctx) {
    const { body } = expectOk(await ctx.http.request<{ data: { id: string; name: string }[] }>({ path: '/v1/organization/projects', headers: scopeHeaders(ctx), query: { limit: 1 } }));
    return connected({ name: ctx.config.organization ?? 'OpenAI organization', organization: ctx.config.organization, firstProject: body.data[0]?.name });
  },
});
