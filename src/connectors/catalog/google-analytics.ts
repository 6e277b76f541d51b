/**
 * Google Analytics 4: daily users, sessions, page views and events of a GA4 property as metrics,
 * through the Analytics Data API, connected with Google OAuth. References: OAuth 2.0 for web
 * server apps (`accounts.google.com/o/oauth2/v2/auth`, `oauth2.googleapis.com/token`, `/revoke`;
 * `access_type=offline` for a refresh token): https://developers.google.com/identity/protocols/oauth2/web-server;
 * `runReport` (`POST /v1beta/properties/{property}:runReport` with `dateRanges`, `dimensions`,
 * `metrics`, `limit`, `offset`; rows of `dimensionValues` and `metricValues` as strings,
 * `rowCount`): https://developers.google.com/analytics/devguides/reporting/data/v1/rest/v1beta/properties/runReport;
 * `getMetadata` (`GET /v1beta/properties/{property}/metadata`); errors
 * `{ error: { code, message, status } }` (UNAUTHENTICATED, PERMISSION_DENIED, RESOURCE_EXHAUSTED):
 * https://cloud.google.com/apis/design/errors
 */
import type { MetricPoint, MetricQuery } from '../extensions.ts';
import { connected, defineConnector, expectOk, monogramIcon, type ConnectorContext } from '../sdk.ts';

interface ReportRow {
  dimensionValues: { value: string }[];
  metricValues: { value: string }[];
}
interface Report {
  metricHeaders?: { name: string; type: string }[];
  rows?: ReportRow[];
  rowCount?: number;
}

/** Our metric ids and the GA4 Data API metric each reads. */
const GA_METRICS: Record<string, string> = { active_users: 'activeUsers', sessions: 'sessions', page_views: 'screenPageViews', events: 'eventCount' };
const PAGE = 10_000;
const ymd = (d: Date): string => d.toISOString().slice(0, 10);
const property = (ctx: Pick<ConnectorContext, 'config'>): string => `properties/${encodeURIComponent(ctx.config.propertyId!)}`;

/** One report of the asked metrics by `date`, paged by `offset` until `rowCount` rows are read. */
async function fetchMetrics(ctx: ConnectorContext, query: MetricQuery): Promise<MetricPoint[]> {
  const ids = query.metricIds.filter((id) => Object.hasOwn(GA_METRICS, id));
  if (ids.length === 0) return [];
  const points: MetricPoint[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const { body } = expectOk(
      await ctx.http.request<Report>({
        method: 'POST',
        path: `/v1beta/${property(ctx)}:runReport`,
        body: {
          dateRanges: [{ startDate: ymd(query.startDate), endDate: ymd(query.endDate) }],
          dimensions: [{ name: 'date' }],
          metrics: ids.map((id) => ({ name: GA_METRICS[id] })),
          orderBys: [{ dimension: { dimensionName: 'date' } }],
          limit: PAGE,
          offset,
        },
      }),
    );
    const rows = body.rows ?? [];
    for (const row of rows) {
      const d = row.dimensionValues[0]!.value;
      const time = new Date(Date.UTC(Number(d.slice(0, 4)), Number(d.slice(4, 6)) - 1, Number(d.slice(6, 8)))).toISOString();
      ids.forEach((id, i) => points.push({ metricId: id, time, value: Number(row.metricValues[i]!.value) }));
    }
    if (rows.length === 0 || offset + rows.length >= (body.rowCount ?? 0)) break;
  }
  return points;
}

export default defineConnector({
  key: 'google-analytics',
  name: 'Google Analytics 4',
  description: 'Daily active users, sessions, page views and events of a Google Analytics 4 property, read through the Data API with Google OAuth.',
  category: 'analytics',
  icon: monogramIcon('GA', '#e37400'),
  capabilities: ['proxy', 'metrics'],
  connectionMode: 'oauth',
  connectionConfig: {
    propertyId: { label: 'Property ID', help: 'Admin → Property settings → Property ID (a number, not the G- measurement ID).', pattern: '[0-9]{5,15}', patternHint: 'is the numeric property ID' },
  },
  auth: {
    authorizationUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
    tokenUrl: 'https://oauth2.googleapis.com/token',
    revocationUrl: 'https://oauth2.googleapis.com/revoke',
    scopes: ['https://www.googleapis.com/auth/analytics.readonly'],
    // A refresh token only comes with offline access; consent again so a reconnect gets one too.
    authorizationParams: { access_type: 'offline', prompt: 'consent' },
    tokenEndpointAuthMethod: 'client_secret_post',
  },
  baseUrls: { production: 'https://analyticsdata.googleapis.com' },
  // No rateLimit: the Data API meters tokens per property per hour and day, not requests.
  uiEmbeds: [{ surface: 'dashboard', placement: 'sidebar', title: 'Traffic' }],
  docsUrl: 'https://developers.google.com/analytics/devguides/reporting/data/v1',
  metrics: [
    { id: 'active_users', name: 'Active users', unit: 'users', description: 'Users with an engaged session or a first visit, per day', aggregation: 'sum' },
    { id: 'sessions', name: 'Sessions', unit: 'sessions', description: 'Sessions started per day', aggregation: 'sum' },
    { id: 'page_views', name: 'Views', unit: 'views', description: 'Page and screen views per day', aggregation: 'sum' },
    { id: 'events', name: 'Events', unit: 'events', description: 'Events collected per day', aggregation: 'sum' },
  ],
  fetchMetrics,

  async testConnection(ctx) {
    const { body } = expectOk(await ctx.http.request<{ name: string; metrics: unknown[] }>({ path: `/v1beta/${property(ctx)}/metadata` }));
    return connected({ id: ctx.config.propertyId, name: body.name, metrics: body.metrics.length });
  },
});
