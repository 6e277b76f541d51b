/**
 * Vercel REST API simulator, from https://vercel.com/docs/rest-api:
 * - bearer access tokens; an unknown token answers 403 `{ error: { code: "forbidden", message:
 *   "Not authorized", invalidToken: true } }`; 429 `rate_limited` with `X-RateLimit-*`;
 * - `GET /v2/user`; `GET /v6/deployments?limit(≤100)&since&until&teamId`: newest first,
 *   `pagination: { count, next, prev }` where `next` is the `until` of the next page (null at the end).
 * - Webhooks: `x-vercel-signature`, hex HMAC-SHA1 of the body (https://vercel.com/docs/webhooks/webhooks-api).
 */
import { createHmac } from 'node:crypto';
import { auth, defineSimulator, fixtures } from './support/kit.ts';

const TOKEN = 'vercelSimAccessToken0000000001';

interface Deployment extends Record<string, unknown> {
  uid: string;
  created: number;
}

export default defineSimulator({
  key: 'vercel',
  credential: auth.bearer(),
  accepts: [TOKEN],
  sample: { credentials: { accessToken: TOKEN } },
  error: (kind, status) => {
    if (kind === 'unauthorized' || kind === 'forbidden') return { status: 403, body: { error: { code: 'forbidden', message: 'Not authorized', invalidToken: true } } };
    if (kind === 'rate_limited') return { status, headers: { 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 1) }, body: { error: { code: 'rate_limited', message: 'Rate limit exceeded' } } };
    return { status, body: { error: { code: kind === 'not_found' ? 'not_found' : kind === 'bad_request' ? 'bad_request' : 'internal_server_error', message: `Error ${status}` } } };
  },
  data: (options) => ({
    deployments: fixtures<Deployment>(
      options,
      'deployments',
      80,
      (i, at) => ({
        uid: `dpl_Sim${String(i).padStart(10, '0')}`,
        name: ['web', 'docs', 'api'][i % 3],
        url: `web-${i}-patchbay-sim.vercel.app`,
        state: i % 11 === 0 ? 'ERROR' : 'READY',
        readyState: i % 11 === 0 ? 'ERROR' : 'READY',
        target: i % 4 === 0 ? 'production' : null,
        created: Number(at),
        createdAt: Number(at),
        creator: { uid: 'simuser001', username: 'sim' },
      }),
      { id: 'uid', updated: 'created', format: 'ms' },
    ),
  }),
  routes: ({ deployments }) => [
    { method: 'GET', path: '/v2/user', handle: () => ({ body: { user: { id: 'simuser001', username: 'patchbay-sim', email: 'sim@patchbay-sim.example', name: 'Patchbay Sim' } } }) },
    {
      method: 'GET',
      path: '/v6/deployments',
      handle: (req) => {
        const limit = Math.min(100, Math.max(1, Number(req.query.get('limit') ?? 20) || 20));
        const since = Number(req.query.get('since') ?? 0) || 0;
        const until = Number(req.query.get('until') ?? 0) || Number.POSITIVE_INFINITY;
        const all = deployments.all().filter((d) => d.created >= since && d.created < until).slice().reverse();
        const page = all.slice(0, limit);
        const more = all.length > limit;
        return { body: { deployments: page, pagination: { count: page.length, next: more ? page.at(-1)!.created : null, prev: page[0]?.created ?? null } } };
      },
    },
  ],
  webhooks: {
    signer: (secret, w) => ({ method: 'POST', url: w.url, headers: { 'content-type': 'application/json', 'x-vercel-signature': createHmac('sha1', secret).update(w.body).digest('hex'), ...w.headers }, body: w.body }),
  },
  profile: {
    proxyPath: '/v2/user',
    records: { deployments: { dataset: 'deployments', count: 301 } },
    webhook: { secret: 'vercel-sim-webhook-secret', body: '{"id":"evt_sim0001","type":"deployment.succeeded","createdAt":1735689600000,"payload":{"team":{"id":"team_patchbaysim0001"},"deployment":{"id":"dpl_Sim0000000001"}},"region":"iad1"}' },
  },
});
