/**
 * Datadog simulator, from Datadog's API reference (https://docs.datadoghq.com/api/latest/):
 * - authentication: `DD-API-KEY` (and `DD-APPLICATION-KEY` for reads); `GET /api/v1/validate`
 *   answers `{ valid: true }`, an unknown key 403 `{ errors: ["Forbidden"] }`;
 * - `GET /api/v1/query?from&to&query` (seconds) → `{ status: "ok", series: [{ metric, pointlist:
 *   [[ms, value]], … }], from_date, to_date, query }`;
 * - rate limits: 429 `{ errors: ["Rate limit exceeded"] }` with `X-RateLimit-Limit`, `-Period`,
 *   `-Remaining`, `-Reset` (seconds to the reset).
 * - Webhooks integration: the payload template's `$ID`, `$EVENT_TYPE`… and custom headers, sent as set
 *   (https://docs.datadoghq.com/integrations/webhooks/).
 */
import { auth, defineSimulator } from './support/kit.ts';

const API_KEY = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const APP_KEY = 'aa11bb22cc33dd44ee55ff6600112233445566aa';

export default defineSimulator({
  key: 'datadog',
  credential: auth.anyOf(auth.headers('dd-api-key', 'dd-application-key'), auth.header('dd-api-key')),
  // The API key alone validates; reads need both.
  accepts: [`${API_KEY}:${APP_KEY}`, API_KEY],
  sample: { credentials: { apiKey: API_KEY, appKey: APP_KEY } },
  error: (kind, status) => {
    if (kind === 'unauthorized' || kind === 'forbidden') return { status: 403, body: { errors: ['Forbidden'] } };
    if (kind === 'rate_limited') return { status: 429, headers: { 'x-ratelimit-limit': '1600', 'x-ratelimit-period': '3600', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '60' }, body: { errors: ['Rate limit exceeded'] } };
    return { status, body: { errors: [kind === 'not_found' ? 'Not Found' : kind === 'bad_request' ? 'Bad Request' : 'Internal Server Error'] } };
  },
  rateLimit: '1600/hour',
  routes: () => [
    { method: 'GET', path: '/api/v1/validate', handle: () => ({ body: { valid: true } }) },
    {
      method: 'GET',
      path: '/api/v1/query',
      handle: (req) => {
        if (!req.credential?.includes(':')) return { status: 403, body: { errors: ['Forbidden'] } };
        const from = Number(req.query.get('from'));
        const to = Number(req.query.get('to'));
        const query = req.query.get('query');
        if (!query || !Number.isFinite(from) || !Number.isFinite(to) || to <= from) return { status: 400, body: { errors: ['Invalid query: from, to and query are required'] } };
        const pointlist: [number, number][] = [];
        for (let day = Math.floor(from / 86_400) * 86_400; day <= to; day += 86_400) pointlist.push([day * 1000, 10_000 + ((day / 86_400) % 17) * 250]);
        return { body: { status: 'ok', res_type: 'time_series', from_date: from * 1000, to_date: to * 1000, query, series: [{ metric: 'trace.http.request.hits', display_name: 'trace.http.request.hits', pointlist, scope: '*', interval: 86_400, length: pointlist.length }] } };
      },
    },
  ],
  webhooks: { signer: (secret, w) => ({ method: 'POST', url: w.url, headers: { 'content-type': 'application/json', authorization: secret, ...w.headers }, body: w.body }) },
  profile: {
    proxyPath: '/api/v1/validate',
    webhook: {
      secret: 'Bearer datadog-sim-webhook-secret',
      body: '{"id":"7415263800000000001","event_type":"query_alert_monitor","title":"[Triggered] CPU high","date":"1735689600000","org":{"id":"321813","name":"Patchbay Sim"}}',
      signsBody: false,
    },
  },
});
