/**
 * Pipedrive simulator. Follows Pipedrive's published API reference:
 * - Authentication with an API token in the `x-api-token` header (or `api_token` query parameter):
 *   https://pipedrive.readme.io/docs/core-api-concepts-authentication
 * - Current user (GET /api/v1/users/me): https://developers.pipedrive.com/docs/api/v1/Users#getCurrentUser
 * - Persons and deals, API v2 (GET /api/v2/persons, /api/v2/deals with `limit` ≤ 500, `cursor`,
 *   `updated_since`, `updated_until`, `sort_by` id|update_time|add_time, `sort_direction`; PATCH to
 *   update): https://developers.pipedrive.com/docs/api/v1/Persons and https://developers.pipedrive.com/docs/api/v1/Deals
 * - Cursor pagination (`additional_data.next_cursor`): https://pipedrive.readme.io/docs/core-api-concepts-pagination
 * - Errors (`{ success: false, error, error_info }`) and rate limits (429 with `x-ratelimit-*` headers):
 *   https://pipedrive.readme.io/docs/core-api-concepts-http-status-codes and
 *   https://pipedrive.readme.io/docs/core-api-concepts-rate-limiting
 */
import { createDataset, type Dataset } from './support/dataset.ts';
import { recordCount, type SimulatorHandle, type SimulatorOptions } from './support/handle.ts';
import { createControl, intParam, serveSimulator, type ErrorKind, type SimReply, type SimRequest } from './support/server.ts';

export const PIPEDRIVE_SAMPLE_TOKEN = 'pd0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2';
export const PIPEDRIVE_DEFAULT_COUNTS = { persons: 2_000, deals: 1_500 } as const;

/** API v2 timestamps: RFC 3339, whole seconds. */
const pdTime = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19)}Z`;

interface Person {
  id: number;
  name: string;
  first_name: string;
  last_name: string;
  owner_id: number;
  org_id: number | null;
  emails: { value: string; primary: boolean; label: string }[];
  phones: { value: string; primary: boolean; label: string }[];
  add_time: string;
  update_time: string;
  visible_to: number;
}

interface Deal {
  id: number;
  title: string;
  value: number;
  currency: string;
  status: 'open' | 'won' | 'lost';
  stage_id: number;
  pipeline_id: number;
  person_id: number | null;
  org_id: number | null;
  owner_id: number;
  add_time: string;
  update_time: string;
  close_time: string | null;
}

function personsDataset(count: number): Dataset<Person> {
  return createDataset<Person>({
    count,
    make: (i, ms) => ({
      id: i,
      name: `Person ${i}`,
      first_name: 'Person',
      last_name: String(i),
      owner_id: 1,
      org_id: 1 + (i % 200),
      emails: [{ value: `person${i}@example.com`, primary: true, label: 'work' }],
      phones: [],
      add_time: pdTime(ms),
      update_time: pdTime(ms),
      visible_to: 3,
    }),
    id: (p) => String(p.id),
    modifiedMs: (p) => Date.parse(p.update_time),
    edit: (p, n, ms) => ({ ...p, name: `Person ${p.id} (edit ${n})`, last_name: `${p.id} (edit ${n})`, update_time: pdTime(ms) }),
  });
}

function dealsDataset(count: number, persons: number): Dataset<Deal> {
  return createDataset<Deal>({
    count,
    make: (i, ms) => ({
      id: i,
      title: `Deal ${i}`,
      value: 500 + ((i * 97) % 25_000),
      currency: 'EUR',
      status: i % 7 === 0 ? 'won' : i % 11 === 0 ? 'lost' : 'open',
      stage_id: 1 + (i % 5),
      pipeline_id: 1,
      person_id: 1 + (i % Math.max(1, persons)),
      org_id: 1 + (i % 200),
      owner_id: 1,
      add_time: pdTime(ms),
      update_time: pdTime(ms),
      close_time: null,
    }),
    id: (d) => String(d.id),
    modifiedMs: (d) => Date.parse(d.update_time),
    edit: (d, n, ms) => ({ ...d, value: d.value + n, stage_id: 1 + ((d.stage_id + n) % 5), update_time: pdTime(ms) }),
  });
}

function credential(req: Pick<SimRequest, 'headers' | 'query'>): string | undefined {
  const header = req.headers['x-api-token'];
  return (typeof header === 'string' ? header : undefined) ?? req.query.get('api_token') ?? undefined;
}

function error(kind: ErrorKind, status: number): SimReply {
  const errors: Record<ErrorKind, [number, string]> = {
    unauthorized: [401, 'unauthorized access'],
    forbidden: [403, 'You do not have permission to access this resource'],
    not_found: [404, 'Item not found'],
    rate_limited: [429, 'Request over limit'],
    server_error: [status, 'Internal server error'],
    bad_request: [400, 'Bad request'],
  };
  const [code, message] = errors[kind];
  return {
    status: code,
    ...(kind === 'rate_limited' ? { headers: { 'x-ratelimit-limit': '80', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '2' } } : {}),
    body: { success: false, error: message, error_info: 'Please check developers.pipedrive.com', data: null, additional_data: null },
  };
}

const invalid = (message: string): SimReply => ({ status: 400, body: { success: false, error: message, error_info: 'Please check developers.pipedrive.com', data: null } });

/** Cursors are opaque to clients: base64 of the position in the sorted list. */
const encodeCursor = (offset: number): string => Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64url');
function decodeCursor(cursor: string): number | undefined {
  try {
    const { offset } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { offset?: unknown };
    return typeof offset === 'number' && offset >= 0 ? offset : undefined;
  } catch {
    return undefined;
  }
}

function list<T extends { id: number; update_time: string; add_time: string }>(dataset: Dataset<T>, req: SimRequest): SimReply {
  const limit = intParam(req.query.get('limit'), 100, 500);
  const cursor = req.query.get('cursor');
  const offset = cursor ? decodeCursor(cursor) : 0;
  if (offset === undefined) return invalid('Invalid cursor');
  const sortBy = req.query.get('sort_by') ?? 'id';
  if (!['id', 'update_time', 'add_time'].includes(sortBy)) return invalid(`sort_by must be one of id, update_time, add_time`);
  const descending = req.query.get('sort_direction') === 'desc';
  const since = req.query.get('updated_since');
  const until = req.query.get('updated_until');
  const sinceMs = since ? Date.parse(since) : -Infinity;
  const untilMs = until ? Date.parse(until) : Infinity;
  if (Number.isNaN(sinceMs) || Number.isNaN(untilMs)) return invalid('updated_since and updated_until must be RFC 3339 dates');
  const key = (o: T): number => (sortBy === 'id' ? o.id : Date.parse(sortBy === 'update_time' ? o.update_time : o.add_time));
  const items = (sortBy === 'update_time' ? [...dataset.all()] : dataset.ids().map((id) => dataset.get(id)!))
    .filter((o) => {
      const updated = Date.parse(o.update_time);
      return updated >= sinceMs && updated < untilMs;
    })
    .sort((a, b) => (descending ? key(b) - key(a) || b.id - a.id : key(a) - key(b) || a.id - b.id));
  const page = items.slice(offset, offset + limit);
  const next = offset + limit < items.length ? encodeCursor(offset + limit) : null;
  return { body: { success: true, data: page, additional_data: { next_cursor: next } } };
}

function patch<T extends { update_time: string }>(dataset: Dataset<T>, req: SimRequest, allowed: readonly string[]): SimReply {
  let changes: Record<string, unknown>;
  try {
    changes = JSON.parse(req.rawBody || '{}') as Record<string, unknown>;
  } catch {
    return invalid('The body is not valid JSON');
  }
  const refused = Object.keys(changes).find((k) => !allowed.includes(k));
  if (refused) return invalid(`Field ${refused} cannot be updated`);
  const updated = dataset.update(req.params.id!, (o, ms) => ({ ...o, ...changes, update_time: pdTime(ms) }));
  return updated ? { body: { success: true, data: updated } } : error('not_found', 404);
}

export async function startPipedriveSimulator(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const control = createControl(options.credentials ?? [PIPEDRIVE_SAMPLE_TOKEN]);
  const personCount = recordCount(options, 'persons', PIPEDRIVE_DEFAULT_COUNTS.persons);
  const persons = personsDataset(personCount);
  const deals = dealsDataset(recordCount(options, 'deals', PIPEDRIVE_DEFAULT_COUNTS.deals), personCount);
  const server = await serveSimulator(
    {
      key: 'pipedrive',
      credential,
      error,
      rateLimitHeaders: (w) => ({ 'x-ratelimit-limit': String(w.limit), 'x-ratelimit-remaining': String(w.remaining), 'x-ratelimit-reset': String(Math.max(0, Math.ceil(w.resetMs / 1000))) }),
      routes: [
        {
          method: 'GET',
          path: '/api/v1/users/me',
          handle: () => ({
            body: {
              success: true,
              data: { id: 1, name: 'Sim Owner', email: 'owner@patchbay-sim.example', company_id: 7001, company_name: 'Patchbay Sim Ltd', company_domain: 'patchbay-sim', is_admin: 1 },
            },
          }),
        },
        { method: 'GET', path: '/api/v2/persons', handle: (req) => list(persons, req) },
        { method: 'PATCH', path: '/api/v2/persons/:id', handle: (req) => patch(persons, req, ['name', 'first_name', 'last_name', 'owner_id', 'org_id', 'emails', 'phones', 'visible_to']) },
        { method: 'GET', path: '/api/v2/deals', handle: (req) => list(deals, req) },
        { method: 'PATCH', path: '/api/v2/deals/:id', handle: (req) => patch(deals, req, ['title', 'value', 'currency', 'status', 'stage_id', 'person_id', 'org_id', 'owner_id']) },
      ],
    },
    { ...options, control },
  );
  return {
    key: 'pipedrive',
    url: server.url,
    baseUrl: server.url,
    sample: { credentials: { apiToken: PIPEDRIVE_SAMPLE_TOKEN }, connectionConfig: {}, integrationConfig: {}, metadata: {} },
    control: server.control,
    data: { persons, deals },
    close: server.close,
  };
}
