/**
 * Mixpanel: event counts of a Mixpanel project as metrics, read with a service account.
 * API reference: service accounts (HTTP basic with the account's username and secret, `project_id`
 * on every Query API request): https://docs.mixpanel.com/reference/service-accounts and
 * https://docs.mixpanel.com/reference/query-api-authentication; `GET /app/me`; Query API
 * segmentation (`event`, `from_date`, `to_date`, `unit`; `data.series` and `data.values`) with its
 * limit of 60 queries an hour: https://docs.mixpanel.com/reference/segmentation-query; regional
 * hosts (mixpanel.com, eu.mixpanel.com, in.mixpanel.com).
 */
import type { MetricPoint, MetricQuery } from '../extensions.ts';
import { connected, defineConnector, expectOk, monogramIcon, ProviderFailureError, type ConnectorContext } from '../sdk.ts';

interface Me {
  results: { user_id?: number; user_name?: string; user_email?: string; projects?: Record<string, { id: number; name: string }> };
}

interface Segmentation {
  data: { series: string[]; values: Record<string, Record<string, number>> };
}

const day = (d: Date): string => d.toISOString().slice(0, 10);

async function fetchMetrics(ctx: ConnectorContext, query: MetricQuery): Promise<MetricPoint[]> {
  if (!query.metricIds.includes('event_count')) return [];
  const event = ctx.config.countedEvent!;
  const { body } = expectOk(
    await ctx.http.request<Segmentation>({
      path: '/query/segmentation',
      query: { project_id: ctx.config.projectId!, event, from_date: day(query.startDate), to_date: day(query.endDate), unit: 'day', type: 'general' },
    }),
  );
  const values = body.data.values[event] ?? {};
  return body.data.series.map((date) => ({ metricId: 'event_count', time: `${date}T00:00:00.000Z`, value: values[date] ?? 0, dimensions: { event } }));
}

export default defineConnector({
  key: 'mixpanel',
  name: 'Mixpanel',
  description: 'Daily event counts of a Mixpanel project, read through the Query API with a service account.',
  category: 'analytics',
  icon: monogramIcon('Mx', '#7856ff'),
  capabilities: ['proxy', 'metrics'],
  connectionMode: 'basic',
  connectionConfig: {
    projectId: { label: 'Project ID', help: 'In Mixpanel: Project settings → Overview → Project ID.', pattern: '[0-9]{1,12}', patternHint: 'is the number shown as Project ID' },
    countedEvent: { label: 'Event to count', help: 'The event whose daily count becomes the event_count metric.', required: false, default: 'Sign Up' },
  },
  auth: {
    fields: {
      username: { label: 'Service account username', placeholder: 'patchbay.1a2b3c.mp-service-account' },
      secret: { label: 'Service account secret', secret: true },
    },
    inject: { in: 'basic', username: '{username}', password: '{secret}' },
  },
  baseUrls: { production: 'https://mixpanel.com/api', eu: 'https://eu.mixpanel.com/api', in: 'https://in.mixpanel.com/api' },
  // The Query API allows 60 queries an hour (and 5 at once).
  rateLimit: '60/hour',
  uiEmbeds: [{ surface: 'dashboard', placement: 'card', title: 'Events' }],
  docsUrl: 'https://docs.mixpanel.com/reference/overview',
  metrics: [{ id: 'event_count', name: 'Events', unit: 'events', description: 'Times the configured event happened, per day', aggregation: 'sum' }],
  fetchMetrics,

  async testConnection(ctx) {
    const { body } = expectOk(await ctx.http.request<Me>({ path: '/app/me' }));
    const project = body.results.projects?.[ctx.config.projectId!];
    if (!project) throw new ProviderFailureError('insufficient_permissions', `the service account has no access to project ${ctx.config.projectId}`);
    return connected({ id: String(project.id), name: project.name, user: body.results.user_name });
  },
});
