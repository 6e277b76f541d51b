/**
 * Amplitude: active and new users of an Amplitude project as metrics, read with the project's API
 * key and secret key. API reference: Dashboard REST API (HTTP basic, `api_key:secret_key`; hosts
 * amplitude.com and analytics.eu.amplitude.com; event segmentation `GET /api/2/events/segmentation`
 * with `e`, `m`, `start`, `end` → `data.series`, `data.xValues`; events list `GET /api/2/events/list`;
 * 429 past the per-project limits): https://amplitude.com/docs/apis/analytics/dashboard-rest
 */
import type { MetricPoint, MetricQuery } from '../extensions.ts';
import { connected, defineConnector, expectOk, monogramIcon, type ConnectorContext } from '../sdk.ts';

interface Segmentation {
  data: { series: number[][]; xValues: string[] };
}

const ymd = (d: Date): string => d.toISOString().slice(0, 10).replaceAll('-', '');
/** Amplitude's own events: `_active` (any active event) and `_new` (a user's first). */
const EVENT_OF: Record<string, string> = { active_users: '_active', new_users: '_new' };

async function fetchMetrics(ctx: ConnectorContext, query: MetricQuery): Promise<MetricPoint[]> {
  const points: MetricPoint[] = [];
  for (const metricId of query.metricIds) {
    const event = EVENT_OF[metricId];
    if (!event) continue;
    const { body } = expectOk(
      await ctx.http.request<Segmentation>({
        path: '/api/2/events/segmentation',
        query: { e: JSON.stringify({ event_type: event }), m: 'uniques', start: ymd(query.startDate), end: ymd(query.endDate), i: 1 },
      }),
    );
    const values = body.data.series[0] ?? [];
    body.data.xValues.forEach((date, i) => points.push({ metricId, time: `${date.slice(0, 10)}T00:00:00.000Z`, value: values[i] ?? 0 }));
  }
  return points;
}

export default defineConnector({
  key: 'amplitude',
  name: 'Amplitude',
  description: 'Daily active and new users of an Amplitude project, read through the Dashboard REST API with its API key and secret key.',
  category: 'analytics',
  icon: monogramIcon('Am', '#1e61f0'),
  capabilities: ['proxy', 'metrics'],
  connectionMode: 'basic',
  auth: {
    fields: {
      apiKey: { label: 'API key', help: 'In Amplitude: Settings → Projects → your project → General.', pattern: '[0-9a-f]{32}', patternHint: 'is 32 hexadecimal characters' },
      secretKey: { label: 'Secret key', secret: true, pattern: '[0-9a-f]{32}', patternHint: 'is 32 hexadecimal characters' },
    },
    inject: { in: 'basic', username: '{apiKey}', password: '{secretKey}' },
  },
  baseUrls: { production: 'https://amplitude.com', eu: 'https://analytics.eu.amplitude.com' },
  // No rateLimit: Amplitude limits by query cost per hour and 5 concurrent requests; its 429 says which.
  uiEmbeds: [{ surface: 'dashboard', placement: 'card', title: 'Active users' }],
  docsUrl: 'https://amplitude.com/docs/apis/analytics/dashboard-rest',
  metrics: [
    { id: 'active_users', name: 'Active users', unit: 'users', description: 'Users with any event, per day', aggregation: 'sum' },
    { id: 'new_users', name: 'New users', unit: 'users', description: 'Users seen for the first time, per day', aggregation: 'sum' },
  ],
  fetchMetrics,

  async testConnection(ctx) {
    const { body } = expectOk(await ctx.http.request<{ data: { name: string }[] }>({ path: '/api/2/events/list' }));
    // The Dashboard REST API names no project; the event types prove the keys read it.
    return connected({ name: 'Amplitude project', eventTypes: body.data.length });
  },
});
