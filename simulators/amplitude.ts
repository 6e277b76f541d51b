/**
 * Amplitude simulator, from the Dashboard REST API reference
 * (https://amplitude.com/docs/apis/analytics/dashboard-rest):
 * - HTTP basic with the project's API key as user name and its secret key as password;
 * - `GET /api/2/events/list` (`{ data: [{ name, totals, … }] }`);
 * - `GET /api/2/events/segmentation?e={"event_type":…}&m=uniques&start=YYYYMMDD&end=YYYYMMDD`
 *   (`{ data: { series: [[…]], seriesLabels: [0], xValues: ["YYYY-MM-DD", …] } }`);
 * - 400 with a text message for a bad query, 401 for bad keys, 429 past the limits.
 */
import { auth, defineSimulator } from './support/kit.ts';

const API_KEY = '0123456789abcdef0123456789abcdef';
const SECRET_KEY = 'fedcba9876543210fedcba9876543210';
const EVENTS = ['Sign Up', 'Play Song', 'Purchase', 'Share'];

const parseYmd = (text: string | null): number => (text && /^\d{8}$/.test(text) ? Date.UTC(Number(text.slice(0, 4)), Number(text.slice(4, 6)) - 1, Number(text.slice(6, 8))) : Number.NaN);

export default defineSimulator({
  key: 'amplitude',
  credential: auth.basic('pair'),
  accepts: [`${API_KEY}:${SECRET_KEY}`],
  sample: { credentials: { apiKey: API_KEY, secretKey: SECRET_KEY } },
  error: (kind, status) => ({ status, body: kind === 'rate_limited' ? 'Exceeded rate limit with query of cost 1; current limit is 108000 per hour' : kind === 'unauthorized' ? 'Invalid Api-Key' : `Error ${status}` }),
  routes: () => [
    { method: 'GET', path: '/api/2/events/list', handle: () => ({ body: { data: EVENTS.map((name, i) => ({ name, value: name, totals: 1000 * (i + 1), hidden: false, deleted: false })) } }) },
    {
      method: 'GET',
      path: '/api/2/events/segmentation',
      handle: (req) => {
        let event: { event_type?: string };
        try {
          event = JSON.parse(req.query.get('e') ?? '') as { event_type?: string };
        } catch {
          return { status: 400, body: 'Invalid event (e): expected JSON' };
        }
        const start = parseYmd(req.query.get('start'));
        const end = parseYmd(req.query.get('end'));
        if (!event.event_type || !Number.isFinite(start) || !Number.isFinite(end) || end < start) return { status: 400, body: 'e, start and end (YYYYMMDD) are required' };
        const xValues: string[] = [];
        for (let t = start; t <= end; t += 86_400_000) xValues.push(new Date(t).toISOString().slice(0, 10));
        const base = event.event_type === '_new' ? 40 : 900;
        return { body: { data: { series: [xValues.map((d) => base + (Date.parse(d) / 86_400_000) % 50)], seriesLabels: [0], xValues } } };
      },
    },
  ],
  profile: { proxyPath: '/api/2/events/list' },
});
