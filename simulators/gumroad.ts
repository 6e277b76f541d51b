/**
 * Gumroad simulator, from https://gumroad.com/api:
 * - the access token as the `access_token` parameter (or a bearer token); 401
 *   `{ success: false, message }` for a bad one;
 * - `GET /v2/user` (`{ success, user: { user_id, name, email } }`);
 * - `GET /v2/sales?after=YYYY-MM-DD&before=…&page_key=…`: most recent first, 10 a page,
 *   `next_page_key` and `next_page_url` while more follow.
 */
import { auth, defineSimulator, fixtures } from './support/kit.ts';

const TOKEN = 'gumroadSimAccessToken000000000001';

interface Sale extends Record<string, unknown> {
  id: string;
  created_at: string;
}

const PAGE = 10;

export default defineSimulator({
  key: 'gumroad',
  credential: auth.anyOf(auth.query('access_token'), auth.bearer()),
  accepts: [TOKEN],
  sample: { credentials: { accessToken: TOKEN } },
  error: (kind, status) => ({ status, body: { success: false, message: kind === 'unauthorized' ? 'The access token you provided is invalid or expired.' : kind === 'rate_limited' ? 'Too many requests.' : kind === 'not_found' ? 'Not found.' : 'Something went wrong.' } }),
  data: (options) => ({
    sales: fixtures<Sale>(
      options,
      'sales',
      60,
      (i, at) => ({
        id: `sim-sale-${String(i).padStart(6, '0')}==`,
        email: `buyer${i}@example.com`,
        product_id: `prod-${i % 3}`,
        product_name: ['Ebook', 'Course', 'Template pack'][i % 3],
        price: [900, 4900, 1500][i % 3],
        currency: 'usd',
        refunded: i % 29 === 0,
        created_at: String(at),
      }),
      { updated: 'created_at' },
    ),
  }),
  routes: ({ sales }) => [
    { method: 'GET', path: '/v2/user', handle: () => ({ body: { success: true, user: { user_id: 'simcreator001', name: 'Sim Creator', email: 'creator@patchbay-sim.example', profile_url: 'https://simcreator.gumroad.com' } } }) },
    {
      method: 'GET',
      path: '/v2/sales',
      handle: (req) => {
        const after = req.query.get('after');
        const before = req.query.get('before');
        const all = sales
          .all()
          .filter((s) => (!after || s.created_at.slice(0, 10) >= after) && (!before || s.created_at.slice(0, 10) <= before))
          .slice()
          .reverse();
        const start = Number(Buffer.from(req.query.get('page_key') ?? '', 'base64url').toString('utf8')) || 0;
        const next = start + PAGE < all.length ? Buffer.from(String(start + PAGE)).toString('base64url') : undefined;
        const nextUrl = next ? `/v2/sales?page_key=${next}${after ? `&after=${after}` : ''}` : undefined;
        return { body: { success: true, sales: all.slice(start, start + PAGE), ...(next ? { next_page_key: next, next_page_url: nextUrl } : {}) } };
      },
    },
  ],
  profile: { proxyPath: '/v2/user', records: { sales: { dataset: 'sales', count: 35 } } },
});
