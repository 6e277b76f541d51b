/**
 * Datadog: metrics of a Datadog organization read with an API key and an application key, on
 * the organization's site, and alerts received from its Webhooks integration. API reference:
 * authentication (`DD-API-KEY`, `DD-APPLICATION-KEY`; `GET /api/v1/validate`):
 * https://docs.datadoghq.com/api/latest/authentication/; sites (datadoghq.com, us3, us5,
 * datadoghq.eu, ap1, ddog-gov.com): https://docs.datadoghq.com/getting_started/site/; metrics query
 * (`GET /api/v1/query?from&to&query` → `series[].pointlist` of `[ms, value]`):
 * https://docs.datadoghq.com/api/latest/metrics/#query-timeseries-points; rate limits
 * (`X-RateLimit-*`, 429): https://docs.datadoghq.com/api/latest/rate-limits/. Webhooks integration
 * (custom headers and payload with `$ID`, `$EVENT_TYPE`…):
 * https://docs.datadoghq.com/integrations/webhooks/
 */
import type { MetricPoint, MetricQuery } from '../extensions.ts';
import { connected, defineConnector, expectOk, bodyField, jsonField, matchesAny, monogramIcon, parseJsonBody, ProviderFailureError, refused, verified, type ConnectorContext } from '../sdk.ts';

interface QueryResult {
  status: string;
  series: { metric: string; pointlist: [number, number | null][] }[];
}

const DAY = 86_400_000;

async function fetchMetrics(ctx: ConnectorContext, query: MetricQuery): Promise<MetricPoint[]> {
  if (!query.metricIds.includes('requests')) return [];
  const scope = ctx.config.service ? `service:${ctx.config.service}` : '*';
  const { body } = expectOk(
    await ctx.http.request<QueryResult>({
      path: '/api/v1/query',
      query: {
        from: Math.floor(query.startDate.getTime() / 1000),
        to: Math.floor(query.endDate.getTime() / 1000),
        query: `sum:trace.http.request.hits{${scope}}.as_count().rollup(sum, 86400)`,
      },
    }),
  );
  const byDay = new Map<number, number>();
  for (const series of body.series) {
    for (const [ms, value] of series.pointlist) {
      if (value === null) continue;
      const day = Math.floor(ms / DAY) * DAY;
      byDay.set(day, (byDay.get(day) ?? 0) + value);
    }
  }
  return [...byDay].map(([day, value]) => ({ metricId: 'requests', time: new Date(day).toISOString(), value, dimensions: { scope } }));
}

export default defineConnector({
  key: 'datadog',
  name: 'Datadog',
  description: 'Request counts from Datadog APM as metrics, on the organization’s own site, and monitor alerts received from the Webhooks integration.',
  category: 'ops',
  icon: monogramIcon('Dd', '#632ca6'),
  capabilities: ['proxy', 'metrics', 'webhooks'],
  connectionMode: 'apiKey',
  connectionConfig: {
    service: { label: 'APM service', help: 'Count requests of this service only; all services when empty.', required: false, pattern: '[a-z0-9_.:/-]{1,200}', patternHint: 'is a Datadog service name' },
  },
  auth: {
    fields: {
      apiKey: { label: 'API key', help: 'Organization settings → API keys.', pattern: '[0-9a-f]{32}', patternHint: 'is 32 hexadecimal characters', secret: true },
      appKey: { label: 'Application key', help: 'Organization settings → Application keys (scopes: timeseries_query, monitors_read).', pattern: '[0-9a-f]{40}', patternHint: 'is 40 hexadecimal characters', secret: true },
    },
    inject: { in: 'headers', headers: { 'DD-API-KEY': '{apiKey}', 'DD-APPLICATION-KEY': '{appKey}' } },
  },
  // One site per organization: the integration picks it as its provider environment.
  baseUrls: {
    production: 'https://api.datadoghq.com',
    us3: 'https://api.us3.datadoghq.com',
    us5: 'https://api.us5.datadoghq.com',
    eu: 'https://api.datadoghq.eu',
    ap1: 'https://api.ap1.datadoghq.com',
    gov: 'https://api.ddog-gov.com',
  },
  // Metric queries: 1,600 an hour per organization.
  rateLimit: '1600/hour',
  uiEmbeds: [{ surface: 'dashboard', placement: 'card', title: 'Requests' }],
  docsUrl: 'https://docs.datadoghq.com/api/latest/',
  metrics: [{ id: 'requests', name: 'Requests', unit: 'requests', description: 'APM request hits per day', aggregation: 'sum' }],
  fetchMetrics,

  async testConnection(ctx) {
    const response = await ctx.http.request<{ valid?: boolean }>({ path: '/api/v1/validate' });
    // Datadog refuses an unknown API key with 403 Forbidden.
    if (response.status === 403) throw new ProviderFailureError('invalid_credentials', 'Datadog refused the API key (403 Forbidden)', { response });
    const { body } = expectOk(response);
    if (body.valid !== true) throw new ProviderFailureError('invalid_credentials', 'Datadog says the API key is not valid', { response });
    return connected({ name: 'Datadog organization', site: new URL(ctx.http.baseUrl).host });
  },

  // The Webhooks integration signs nothing; the admin adds a custom header with a secret
  // (`settings.authorizationHeader` names it; `Authorization` by default).
  webhooks: {
    verify(request, secrets, { settings }) {
      const header = (settings.authorizationHeader ?? 'authorization').toLowerCase();
      const value = request.headers[header];
      if (!value) return refused(`the ${header} header is missing`);
      return matchesAny(secrets, [value]) ? verified : refused(`the ${header} header does not match`);
    },
    eventId: (request) => bodyField(request, 'id'),
    route(request) {
      const payload = parseJsonBody(request);
      return { eventType: jsonField(payload, 'event_type') ?? 'unknown', externalAccountId: jsonField(payload, 'org.id'), payload };
    },
  },
});
