/**
 * Supabase Data API (PostgREST) simulator, from https://supabase.com/docs/guides/api/api-keys and
 * https://docs.postgrest.org/en/stable/references/api/tables_views.html:
 * - the key in the `apikey` header; a missing or unknown key is refused by the gateway with 401
 *   `{ message: "Invalid API key", hint: "Double check your Supabase `anon` or `service_role` API key." }`;
 * - `GET /rest/v1/{table}` with `select` (`*` or a list of columns), filters `col=op.value`
 *   (eq, gt, gte, lt, lte), `order=col.asc|desc,…`, `limit`, `offset`; a JSON array with
 *   `Content-Range: <from>-<to>/*`;
 * - errors `{ code, details, hint, message }`: PGRST205 (no such table, 404), 42703 (no such
 *   column, 400), PGRST100 (a filter or order it cannot parse, 400).
 * One table, `orders`, in the public schema.
 */
import { auth, defineSimulator, fixtures } from './support/kit.ts';
import type { ErrorKind, SimReply, SimRequest } from './support/server.ts';
import type { Dataset } from './support/dataset.ts';

const KEY = 'sb_secret_PatchbaySimulatorSecretKey0001';
const COLUMNS = ['id', 'customer_email', 'status', 'total_cents', 'created_at', 'updated_at'];
const pgrst = (status: number, code: string, message: string, hint: string | null = null): SimReply => ({ status, body: { code, details: null, hint, message } });

interface Order extends Record<string, unknown> {
  id: number;
  updated_at: string;
}

const OPS: Record<string, (a: string, b: string) => boolean> = { eq: (a, b) => a === b, gt: (a, b) => a > b, gte: (a, b) => a >= b, lt: (a, b) => a < b, lte: (a, b) => a <= b };
/** Compares as PostgreSQL would for the column's type (numbers as numbers, timestamps as instants). */
const comparable = (column: string, value: unknown): string => (column === 'id' || column === 'total_cents' ? String(Number(value)).padStart(20, '0') : column.endsWith('_at') ? new Date(String(value)).toISOString() : String(value));

function read(dataset: Dataset<Order>, req: SimRequest): SimReply {
  if (req.params.table !== 'orders') return pgrst(404, 'PGRST205', `Could not find the table 'public.${req.params.table}' in the schema cache`, "Perhaps you meant the table 'public.orders'");
  let rows = dataset.all().slice();
  for (const [name, raw] of req.query) {
    if (['select', 'order', 'limit', 'offset'].includes(name)) continue;
    if (!COLUMNS.includes(name)) return pgrst(400, '42703', `column orders.${name} does not exist`);
    const match = /^(eq|gt|gte|lt|lte)\.(.*)$/.exec(raw);
    if (!match) return pgrst(400, 'PGRST100', `"failed to parse filter (${raw})" (line 1, column 1)`);
    const value = comparable(name, match[2]);
    rows = rows.filter((row) => OPS[match[1]!]!(comparable(name, row[name]), value));
  }
  const order = (req.query.get('order') ?? '').split(',').filter(Boolean).map((term) => term.split('.'));
  for (const [column, direction] of order) {
    if (!COLUMNS.includes(column!)) return pgrst(400, '42703', `column orders.${column} does not exist`);
    if (direction && direction !== 'asc' && direction !== 'desc') return pgrst(400, 'PGRST100', `"failed to parse order (${req.query.get('order')})" (line 1, column 1)`);
  }
  rows.sort((a, b) => {
    for (const [column, direction] of order) {
      const x = comparable(column!, a[column!]);
      const y = comparable(column!, b[column!]);
      if (x !== y) return (x < y ? -1 : 1) * (direction === 'desc' ? -1 : 1);
    }
    return 0;
  });
  const select = req.query.get('select') ?? '*';
  const columns = select === '*' ? COLUMNS : select.split(',');
  const unknown = columns.find((c) => !COLUMNS.includes(c));
  if (unknown) return pgrst(400, '42703', `column orders.${unknown} does not exist`);
  const offset = Math.max(0, Number(req.query.get('offset') ?? 0) || 0);
  const limit = req.query.get('limit') ? Math.max(0, Number(req.query.get('limit')) || 0) : 1000;
  const page = rows.slice(offset, offset + limit).map((row) => Object.fromEntries(columns.map((c) => [c, row[c]])));
  return { headers: { 'content-range': page.length ? `${offset}-${offset + page.length - 1}/*` : '*/*' }, body: page };
}

const GATEWAY: Partial<Record<ErrorKind, SimReply>> = {
  unauthorized: { status: 401, body: { message: 'Invalid API key', hint: 'Double check your Supabase `anon` or `service_role` API key.' } },
};

export default defineSimulator({
  key: 'supabase',
  credential: auth.header('apikey'),
  accepts: [KEY],
  sample: { credentials: { secretKey: KEY }, connectionConfig: { projectRef: 'patchbaysimproject01', table: 'orders', cursorColumn: 'updated_at', primaryKey: 'id' } },
  error: (kind, status) => GATEWAY[kind] ?? (kind === 'rate_limited' ? { status, body: { message: 'Too many requests' } } : pgrst(status, kind === 'server_error' ? 'PGRST000' : 'PGRST100', kind === 'server_error' ? 'Could not connect with the database' : `Error ${status}`)),
  data: (options) => ({
    orders: fixtures<Order>(options, 'orders', 120, (i, at) => ({
      id: i,
      customer_email: `customer${i % 40}@patchbay-sim.example`,
      status: ['pending', 'paid', 'shipped', 'refunded'][i % 4],
      total_cents: 1_000 + (i % 50) * 250,
      created_at: String(at).replace('Z', '+00:00'),
      updated_at: String(at).replace('Z', '+00:00'),
    }), { updated: 'updated_at' }),
  }),
  routes: ({ orders }) => [{ method: 'GET', path: '/rest/v1/:table', handle: (req) => read(orders, req) }],
  profile: {
    proxyPath: '/rest/v1/orders?select=id,status&limit=1',
    records: { rows: { dataset: 'orders', count: 1201 } },
  },
});
