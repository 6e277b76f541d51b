/**
 * Svix API simulator, from https://api.svix.com/docs:
 * - `Authorization: Bearer <token>`; errors `{ code, detail }` (401 `authentication_failed`,
 *   404 `not_found`, 429 with `Retry-After`);
 * - `GET /api/v1/app?limit(default 50, ≤ 250)&iterator&order=ascending|descending` →
 *   `{ data: [{ id, uid, name, rateLimit, metadata, createdAt, updatedAt }], iterator,
 *   prevIterator, done }`, the iterator an application id;
 * - deliveries signed the Standard Webhooks way under `svix-*` headers (simulators/webhooks/signers.ts).
 */
import { auth, defineSimulator, fixtures } from './support/kit.ts';
import type { ErrorKind } from './support/server.ts';
import { SIGNERS } from './webhooks/signers.ts';

const TOKEN = 'testsk_patchbaySimulatorToken000000001.eu';
const DETAIL: Record<ErrorKind, [string, string]> = {
  unauthorized: ['authentication_failed', 'Invalid token'],
  forbidden: ['forbidden', 'Insufficient access for the given operation.'],
  not_found: ['not_found', 'Entity not found'],
  rate_limited: ['rate_limit', 'Too many requests'],
  server_error: ['internal_server_error', 'Internal server error'],
  bad_request: ['validation', 'Invalid query'],
};

interface Application extends Record<string, unknown> {
  id: string;
  updatedAt: string;
}

export default defineSimulator({
  key: 'svix',
  credential: auth.bearer(),
  accepts: [TOKEN],
  sample: { credentials: { authToken: TOKEN } },
  error: (kind, status) => ({ status, body: { code: DETAIL[kind][0], detail: DETAIL[kind][1] } }),
  data: (options) => ({
    applications: fixtures<Application>(options, 'applications', 80, (i, at) => ({
      id: `app_2sim${String(i).padStart(22, '0')}`,
      uid: `customer-${i}`,
      name: `Customer ${i}`,
      rateLimit: i % 10 === 0 ? 100 : null,
      metadata: { plan: i % 2 === 0 ? 'pro' : 'free' },
      createdAt: String(at),
      updatedAt: String(at),
    }), { updated: 'updatedAt' }),
  }),
  routes: ({ applications }) => [
    {
      method: 'GET',
      path: '/api/v1/app',
      handle: (req) => {
        const limit = Math.min(250, Math.max(1, Number(req.query.get('limit')) || 50));
        const ascending = req.query.get('order') === 'ascending';
        const ids = ascending ? [...applications.ids()] : [...applications.ids()].reverse();
        const iterator = req.query.get('iterator');
        const start = iterator ? ids.findIndex((id) => (ascending ? id > iterator : id < iterator)) : 0;
        const page = start < 0 ? [] : ids.slice(start, start + limit);
        const done = start < 0 || start + limit >= ids.length;
        return { body: { data: page.map((id) => applications.get(id)), iterator: page.at(-1) ?? null, prevIterator: page[0] ? `-${page[0]}` : null, done } };
      },
    },
  ],
  webhooks: { signer: SIGNERS.svix! },
  profile: {
    proxyPath: '/api/v1/app?limit=1',
    // 250 a page.
    records: { applications: { dataset: 'applications', count: 751 } },
    webhook: { secret: 'whsec_' + Buffer.from('patchbay-simulated-svix-secret').toString('base64'), body: '{"type":"invoice.paid","data":{}}' },
  },
});
