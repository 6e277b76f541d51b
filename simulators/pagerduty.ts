/**
 * PagerDuty REST API v2 simulator. Follows PagerDuty's published developer documentation
 * (https://github.com/PagerDuty/developer-docs, docs/REST-API):
 * - Authentication (`Authorization: Token token=<key>`, exactly): 02-Authentication.md
 * - Errors (`{ "error": { "message", "code", "errors" } }`, 2006 authentication failed,
 *   2010 access denied, 2100 not found): 14-Errors.md
 * - Rate limits (960 requests/minute per key; 429 with code 2020 and `ratelimit-limit`,
 *   `ratelimit-remaining`, `ratelimit-reset` headers): 04-Rate-Limits.md
 * - Classic pagination (`limit` ≤ 100, `offset`, `more`, `total` only with `total=true`): 09-Pagination.md
 * - List account abilities (GET /abilities) and list services: https://developer.pagerduty.com/api-reference/
 * - List incidents (`since`/`until` on creation time, default one month, at most six months;
 *   `date_range=all`; `statuses[]`; `sort_by`) and update an incident (PUT with a `From` header):
 *   https://developer.pagerduty.com/api-reference/9d0b4b12e36f9-list-incidents
 * PagerDuty documents `ratelimit-reset` rather than `Retry-After`; the shared simulator layer adds
 * `Retry-After` to every 429 as well.
 */
import { createDataset, type Dataset } from './support/dataset.ts';
import { recordCount, seed, type SimulatorHandle, type SimulatorOptions } from './support/handle.ts';
import { createControl, intParam, serveSimulator, type ErrorKind, type SimReply, type SimRequest } from './support/server.ts';

export const PAGERDUTY_SAMPLE_KEY = 'y_PatchbaySimKey0001';

const SERVICES = seed(37, (i) => ({
  id: `PSIM${String(i).padStart(3, '0')}`,
  type: 'service',
  summary: `Service ${i}`,
  name: `Service ${i}`,
  status: i % 6 === 0 ? 'warning' : 'active',
  self: `https://api.pagerduty.com/services/PSIM${String(i).padStart(3, '0')}`,
  html_url: `https://patchbay-sim.pagerduty.com/service-directory/PSIM${String(i).padStart(3, '0')}`,
}));

export const PAGERDUTY_DEFAULT_COUNTS = { incidents: 2_000 } as const;

interface Incident {
  id: string;
  type: 'incident';
  incident_number: number;
  title: string;
  summary: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  urgency: 'high' | 'low';
  service: { id: string; type: 'service_reference'; summary: string };
  created_at: string;
  updated_at: string;
  last_status_change_at: string;
  html_url: string;
}

/** PagerDuty timestamps have whole seconds. */
const pdTime = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19)}Z`;
const STATUSES = ['triggered', 'acknowledged', 'resolved'] as const;

function incidentsDataset(count: number): Dataset<Incident> {
  return createDataset<Incident>({
    count,
    make: (i, ms) => {
      const service = SERVICES[i % SERVICES.length]!;
      return {
        id: `Q${String(i).padStart(6, '0')}SIM`,
        type: 'incident',
        incident_number: i,
        title: `Incident ${i} on ${service.name}`,
        summary: `[#${i}] Incident ${i} on ${service.name}`,
        status: i % 10 === 0 ? 'triggered' : i % 10 === 1 ? 'acknowledged' : 'resolved',
        urgency: i % 4 === 0 ? 'high' : 'low',
        service: { id: service.id, type: 'service_reference', summary: service.name },
        created_at: pdTime(ms),
        updated_at: pdTime(ms),
        last_status_change_at: pdTime(ms),
        html_url: `https://patchbay-sim.pagerduty.com/incidents/Q${String(i).padStart(6, '0')}SIM`,
      };
    },
    id: (incident) => incident.id,
    modifiedMs: (incident) => Date.parse(incident.updated_at),
    edit: (incident, n, ms) => ({ ...incident, status: STATUSES[(STATUSES.indexOf(incident.status) + n) % 3]!, updated_at: pdTime(ms), last_status_change_at: pdTime(ms) }),
  });
}

const MAX_RANGE_MS = 180 * 86_400_000;

/**
 * GET /incidents: `since`/`until` bound `created_at` (a month back by default, six months at most;
 * `date_range=all` lifts both), `statuses[]`, `sort_by=created_at:asc|desc`, classic pagination.
 */
function listIncidents(dataset: Dataset<Incident>, req: SimRequest): SimReply {
  const limit = intParam(req.query.get('limit'), 25, 100);
  const offset = Math.max(0, Number.parseInt(req.query.get('offset') ?? '0', 10) || 0);
  if (offset + limit > 10_000) return invalid('Offset must be less than 10000.');
  let since = -Infinity;
  let until = Infinity;
  if (req.query.get('date_range') !== 'all') {
    until = req.query.get('until') ? Date.parse(req.query.get('until')!) : Date.now();
    since = req.query.get('since') ? Date.parse(req.query.get('since')!) : until - 30 * 86_400_000;
    if (Number.isNaN(since) || Number.isNaN(until)) return invalid('since and until must be ISO 8601 dates.');
    if (until - since > MAX_RANGE_MS) return invalid('The date range cannot exceed 6 months.');
  }
  const statuses = req.query.getAll('statuses[]');
  const descending = req.query.get('sort_by') === 'created_at:desc';
  const matching = dataset
    .ids()
    .map((id) => dataset.get(id)!)
    .filter((incident) => {
      const created = Date.parse(incident.created_at);
      return created >= since && created < until && (statuses.length === 0 || statuses.includes(incident.status));
    });
  if (descending) matching.reverse();
  return {
    body: {
      incidents: matching.slice(offset, offset + limit),
      limit,
      offset,
      more: offset + limit < matching.length,
      total: req.query.get('total') === 'true' ? matching.length : null,
    },
  };
}

function invalid(message: string): SimReply {
  return { status: 400, body: { error: { message: 'Invalid Input Provided', code: 2001, errors: [message] } } };
}

function credential(req: Pick<SimRequest, 'headers'>): string | undefined {
  const match = /^Token token=(\S+)$/.exec(req.headers.authorization ?? '');
  return match?.[1];
}

function error(kind: ErrorKind, status: number): SimReply {
  const errors: Record<ErrorKind, [number, string, number]> = {
    unauthorized: [401, 'Authentication failed', 2006],
    forbidden: [403, 'Access Denied', 2010],
    not_found: [404, 'Not Found', 2100],
    rate_limited: [429, 'Rate Limit Exceeded', 2020],
    server_error: [status, 'An internal error has occurred. PagerDuty team has been notified.', 2000],
    bad_request: [400, 'Invalid Input Provided', 2001],
  };
  const [code, message, pdCode] = errors[kind];
  return {
    status: code,
    ...(kind === 'rate_limited' ? { headers: { 'ratelimit-limit': '960', 'ratelimit-remaining': '0', 'ratelimit-reset': '20' } } : {}),
    body: { error: { message, code: pdCode } },
  };
}

export async function startPagerdutySimulator(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const control = createControl(options.credentials ?? [PAGERDUTY_SAMPLE_KEY]);
  const incidents = incidentsDataset(recordCount(options, 'incidents', PAGERDUTY_DEFAULT_COUNTS.incidents));
  const server = await serveSimulator(
    {
      key: 'pagerduty',
      credential,
      error,
      routes: [
        {
          method: 'GET',
          path: '/abilities',
          handle: () => ({ body: { abilities: ['teams', 'read_only_users', 'service_support_hours', 'urgencies', 'manage_schedules'] } }),
        },
        {
          method: 'GET',
          path: '/services',
          handle: (req) => {
            const limit = intParam(req.query.get('limit'), 25, 100);
            const offset = Math.max(0, Number.parseInt(req.query.get('offset') ?? '0', 10) || 0);
            if (offset + limit > 10_000) return { status: 400, body: { error: { message: 'Invalid Input Provided', code: 2001, errors: ['Offset must be less than 10000.'] } } };
            return {
              body: {
                services: SERVICES.slice(offset, offset + limit),
                limit,
                offset,
                more: offset + limit < SERVICES.length,
                total: req.query.get('total') === 'true' ? SERVICES.length : null,
              },
            };
          },
        },
        { method: 'GET', path: '/incidents', handle: (req) => listIncidents(incidents, req) },
        {
          method: 'PUT',
          path: '/incidents/:id',
          // Changes need the `From` header: the email of a valid user.
          handle: (req) => {
            if (!req.headers.from) return { status: 400, body: { error: { message: 'Invalid Input Provided', code: 2001, errors: ['A valid From header is required.'] } } };
            let body: { incident?: { status?: string; title?: string; urgency?: string } };
            try {
              body = JSON.parse(req.rawBody || '{}') as typeof body;
            } catch {
              return invalid('The body is not valid JSON.');
            }
            const change = body.incident ?? {};
            if (change.status !== undefined && !(STATUSES as readonly string[]).includes(change.status)) return invalid(`Status must be one of ${STATUSES.join(', ')}.`);
            const updated = incidents.update(req.params.id!, (incident, ms) => ({
              ...incident,
              ...(change.title ? { title: change.title } : {}),
              ...(change.urgency === 'high' || change.urgency === 'low' ? { urgency: change.urgency } : {}),
              ...(change.status ? { status: change.status as Incident['status'], last_status_change_at: pdTime(ms) } : {}),
              updated_at: pdTime(ms),
            }));
            return updated ? { body: { incident: updated } } : { status: 404, body: { error: { message: 'Not Found', code: 2100 } } };
          },
        },
      ],
    },
    { ...options, control },
  );
  return {
    key: 'pagerduty',
    url: server.url,
    baseUrl: server.url,
    sample: { credentials: { apiKey: PAGERDUTY_SAMPLE_KEY }, connectionConfig: {}, integrationConfig: {}, metadata: {} },
    control: server.control,
    data: { incidents },
    close: server.close,
  };
}
