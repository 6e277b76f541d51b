/**
 * Sentry simulator, from Sentry's API reference (https://docs.sentry.io/api/):
 * - bearer auth tokens; errors `{ "detail": "…" }` (401 "Invalid token", 403, 404, 429 with
 *   `Retry-After` and `X-Sentry-Rate-Limit-*`);
 * - `GET /api/0/organizations/{org}/` (id, slug, name);
 * - `GET /api/0/organizations/{org}/issues/?query=lastSeen:>=<iso>&sort=date&limit&cursor`, newest
 *   `lastSeen` first, `Link: <…>; rel="previous"; results="…"; cursor="…", <…>; rel="next";
 *   results="true|false"; cursor="0:<offset>:0"` (https://docs.sentry.io/api/pagination/);
 * - webhooks: `Sentry-Hook-Signature` (hex HMAC-SHA256 of the body, keyed by the client secret),
 *   `Sentry-Hook-Resource`, `Sentry-Hook-Timestamp`, `Request-ID`
 *   (https://docs.sentry.io/organization/integrations/integration-platform/webhooks/).
 */
import { createHmac, randomUUID } from 'node:crypto';
import { auth, defineSimulator, fixtures } from './support/kit.ts';
import type { ErrorKind } from './support/server.ts';

const TOKEN = 'sntrys_patchbaysimulatortoken0000000000000001';
const ORG = { id: '4506', slug: 'patchbay-sim', name: 'Patchbay Sim' };
const DETAIL: Record<ErrorKind, string> = {
  unauthorized: 'Invalid token',
  forbidden: 'You do not have permission to perform this action.',
  not_found: 'The requested resource does not exist',
  rate_limited: 'You are attempting to use this endpoint too frequently. Limit is 40 requests in 1 seconds',
  server_error: 'Internal Error',
  bad_request: 'Invalid query',
};

interface Issue extends Record<string, unknown> {
  id: string;
  lastSeen: string;
}

export default defineSimulator({
  key: 'sentry',
  credential: auth.bearer(),
  accepts: [TOKEN],
  sample: { credentials: { authToken: TOKEN }, connectionConfig: { organization: ORG.slug } },
  error: (kind, status) => ({ status, ...(kind === 'rate_limited' ? { headers: { 'x-sentry-rate-limit-limit': '40', 'x-sentry-rate-limit-remaining': '0', 'x-sentry-rate-limit-reset': String(Math.floor(Date.now() / 1000) + 1) } } : {}), body: { detail: DETAIL[kind] } }),
  data: (options) => ({
    issues: fixtures<Issue>(
      options,
      'issues',
      150,
      (i, at) => ({
        id: String(4_000_000 + i),
        shortId: `PATCHBAY-${i.toString(36).toUpperCase()}`,
        title: `TypeError: cannot read property 'id' of undefined (${i})`,
        culprit: `app/handlers/${i % 7}.ts`,
        level: i % 5 === 0 ? 'warning' : 'error',
        status: i % 9 === 0 ? 'resolved' : 'unresolved',
        count: String(10 + (i % 50)),
        userCount: 1 + (i % 12),
        firstSeen: String(at),
        lastSeen: String(at),
        permalink: `https://patchbay-sim.sentry.io/issues/${4_000_000 + i}/`,
        project: { id: '11', slug: 'web', name: 'web' },
      }),
      { updated: 'lastSeen' },
    ),
  }),
  routes: ({ issues }) => [
    { method: 'GET', path: '/api/0/organizations/:org', handle: (req) => (req.params.org === ORG.slug ? { body: ORG } : { status: 404, body: { detail: DETAIL.not_found } }) },
    {
      method: 'GET',
      path: '/api/0/organizations/:org/issues',
      handle: (req) => {
        if (req.params.org !== ORG.slug) return { status: 404, body: { detail: DETAIL.not_found } };
        const query = req.query.get('query') ?? '';
        const since = /lastSeen:>=?(\S+)/.exec(query)?.[1];
        const all = issues.all().filter((i) => !since || i.lastSeen >= since).reverse();
        const limit = Math.min(100, Math.max(1, Number(req.query.get('limit') ?? 100) || 100));
        const offset = Number((req.query.get('cursor') ?? '0:0:0').split(':')[1]) || 0;
        const page = all.slice(offset, offset + limit);
        const url = (cursor: string) => {
          const q = new URLSearchParams(req.query);
          q.set('cursor', cursor);
          return `<${req.origin}${req.path}?${q.toString()}>`;
        };
        const previous = `${url(`0:${Math.max(0, offset - limit)}:1`)}; rel="previous"; results="${offset > 0}"; cursor="0:${Math.max(0, offset - limit)}:1"`;
        const next = `${url(`0:${offset + limit}:0`)}; rel="next"; results="${offset + limit < all.length}"; cursor="0:${offset + limit}:0"`;
        return { headers: { link: `${previous}, ${next}` }, body: page };
      },
    },
  ],
  webhooks: {
    signer: (secret, w) => ({
      method: 'POST',
      url: w.url,
      headers: {
        'content-type': 'application/json',
        'sentry-hook-resource': 'issue',
        'sentry-hook-timestamp': String(Math.floor((w.at ?? Date.now()) / 1000)),
        'sentry-hook-signature': createHmac('sha256', secret).update(w.body).digest('hex'),
        'request-id': w.id ?? randomUUID(),
        ...w.headers,
      },
      body: w.body,
    }),
  },
  profile: {
    proxyPath: `/api/0/organizations/${ORG.slug}/`,
    records: { issues: { dataset: 'issues', count: 301 } },
    webhook: { secret: 'sentry-sim-client-secret-0001', body: '{"action":"created","installation":{"uuid":"7a485448-a9e2-4c85-8a3c-4f44175783c9"},"data":{"issue":{"id":"4000007"}},"actor":{"type":"application","id":"sentry","name":"Sentry"}}' },
  },
});
