/**
 * Google Analytics Data API v1beta simulator, with Google's OAuth endpoints:
 * - `/o/oauth2/v2/auth`, `/token` (client_secret_post, refresh, offline access), `/revoke`;
 * - `GET /v1beta/properties/{id}/metadata` (`{ name, dimensions, metrics }`);
 * - `POST /v1beta/properties/{id}:runReport`: `dateRanges` (YYYY-MM-DD), `dimensions` (`date`
 *   only here), `metrics` (activeUsers, sessions, screenPageViews, eventCount), `limit`, `offset`;
 *   answers `{ dimensionHeaders, metricHeaders, rows: [{ dimensionValues, metricValues }], rowCount,
 *   metadata, kind: "analyticsData#runReport" }` with values as strings:
 *   https://developers.google.com/analytics/devguides/reporting/data/v1/rest/v1beta/properties/runReport
 * - errors `{ error: { code, message, status } }` (401 UNAUTHENTICATED, 403 PERMISSION_DENIED,
 *   404 NOT_FOUND, 429 RESOURCE_EXHAUSTED, 400 INVALID_ARGUMENT): https://cloud.google.com/apis/design/errors
 * Numbers are made up from the date, the same on every run.
 */
import { auth, defineSimulator } from './support/kit.ts';
import type { ErrorKind, SimReply } from './support/server.ts';

const PROPERTY = '412345678';
const METRICS: Record<string, number> = { activeUsers: 700, sessions: 1_100, screenPageViews: 4_200, eventCount: 15_000 };
const STATUS: Record<ErrorKind, [string, string]> = {
  unauthorized: ['UNAUTHENTICATED', 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.'],
  forbidden: ['PERMISSION_DENIED', 'User does not have sufficient permissions for this property.'],
  not_found: ['NOT_FOUND', 'Requested entity was not found.'],
  rate_limited: ['RESOURCE_EXHAUSTED', 'Exhausted property tokens per hour for this property.'],
  server_error: ['UNAVAILABLE', 'The service is currently unavailable.'],
  bad_request: ['INVALID_ARGUMENT', 'Invalid request.'],
};
const googleError = (code: number, kind: ErrorKind, message?: string): SimReply => ({ status: code, body: { error: { code, message: message ?? STATUS[kind][1], status: STATUS[kind][0] } } });

export default defineSimulator({
  key: 'google-analytics',
  credential: auth.bearer(),
  accepts: [],
  sample: { connectionConfig: { propertyId: PROPERTY } },
  error: (kind, status) => googleError(status, kind),
  oauth: { paths: { authorize: '/o/oauth2/v2/auth', token: '/token', revoke: '/revoke' }, accessTokenPrefix: 'ya29.sim-', refreshTokenPrefix: '1//sim-', accessTokenTtlSeconds: 3599, scope: 'https://www.googleapis.com/auth/analytics.readonly' },
  routes: () => [
    {
      method: 'GET',
      path: '/v1beta/properties/:id/metadata',
      handle: (req) =>
        req.params.id === PROPERTY
          ? { body: { name: `properties/${PROPERTY}/metadata`, dimensions: [{ apiName: 'date', uiName: 'Date', category: 'Time' }], metrics: Object.keys(METRICS).map((apiName) => ({ apiName, uiName: apiName, type: 'TYPE_INTEGER', category: 'User' })) } }
          : googleError(403, 'forbidden'),
    },
    {
      // `:runReport` is part of the last segment, so the route takes it whole.
      method: 'POST',
      path: '/v1beta/properties/:call',
      handle: (req) => {
        const [id, verb] = req.params.call!.split(':');
        if (verb !== 'runReport') return googleError(404, 'not_found');
        if (id !== PROPERTY) return googleError(403, 'forbidden');
        let body: { dateRanges?: { startDate?: string; endDate?: string }[]; dimensions?: { name?: string }[]; metrics?: { name?: string }[]; limit?: number | string; offset?: number | string };
        try {
          body = JSON.parse(req.rawBody) as typeof body;
        } catch {
          return googleError(400, 'bad_request', 'Invalid JSON payload received.');
        }
        const range = body.dateRanges?.[0];
        const start = Date.parse(`${range?.startDate}T00:00:00Z`);
        const end = Date.parse(`${range?.endDate}T00:00:00Z`);
        if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) return googleError(400, 'bad_request', 'dateRanges: startDate and endDate must be dates (YYYY-MM-DD), startDate not after endDate.');
        const metrics = (body.metrics ?? []).map((m) => m.name ?? '');
        const unknown = metrics.find((m) => !(m in METRICS));
        if (metrics.length === 0 || unknown !== undefined) return googleError(400, 'bad_request', `Field ${unknown ?? '(none)'} is not a valid metric.`);
        if ((body.dimensions ?? []).some((d) => d.name !== 'date')) return googleError(400, 'bad_request', 'This simulator reports by the date dimension only.');
        const days: number[] = [];
        for (let t = start; t <= end; t += 86_400_000) days.push(t);
        const limit = Math.min(250_000, Math.max(1, Number(body.limit ?? 10_000) || 10_000));
        const offset = Math.max(0, Number(body.offset ?? 0) || 0);
        const rows = days.slice(offset, offset + limit).map((t) => ({
          dimensionValues: [{ value: new Date(t).toISOString().slice(0, 10).replaceAll('-', '') }],
          metricValues: metrics.map((m) => ({ value: String(METRICS[m]! + ((t / 86_400_000) % 37) * 10) })),
        }));
        return {
          body: {
            dimensionHeaders: [{ name: 'date' }],
            metricHeaders: metrics.map((name) => ({ name, type: 'TYPE_INTEGER' })),
            ...(rows.length ? { rows } : {}),
            rowCount: days.length,
            metadata: { currencyCode: 'USD', timeZone: 'Etc/UTC' },
            kind: 'analyticsData#runReport',
          },
        };
      },
    },
  ],
  profile: { proxyPath: `/v1beta/properties/${PROPERTY}/metadata` },
});
