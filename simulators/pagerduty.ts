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
 * - Events API v2 (`POST /v2/enqueue` with `routing_key`, `event_action` trigger|acknowledge|resolve,
 *   `dedup_key`, a trigger's `payload` with `summary`, `source`, `severity`; 202
 *   `{ status: "success", message: "Event processed", dedup_key }`; 400 `invalid event` with
 *   `errors`; 429 `throttle event`): https://developer.pagerduty.com/docs/events-api-v2/trigger-events/,
 *   https://developer.pagerduty.com/docs/events-api-v2/acknowledge-events/,
 *   https://developer.pagerduty.com/docs/events-api-v2/resolve-events/ (served here on the same origin
 *   as the REST API; PagerDuty serves it from events.pagerduty.com)
 * PagerDuty documents `ratelimit-reset` rather than `Retry-After`; the shared simulator layer adds
 * `Retry-After` to every 429 as well.
 */
import { createDataset, type Dataset } from './support/dataset.ts';
import { recordCount, seed, type SimulatorHandle, type SimulatorOptions } from './support/handle.ts';
import { createControl, intParam, serveSimulator, type ErrorKind, type SimReply, type SimRequest } from './support/server.ts';

export const PAGERDUTY_SAMPLE_KEY = 'y_PatchbaySimKey0001';
/** An Events API v2 integration key (32 characters) the simulator accepts. */
export const PAGERDUTY_SAMPLE_ROUTING_KEY = 'R0SIMPATCHBAY0ROUTING0KEY0000001';

/** An Events API v2 event as received, and the alert it keeps per dedup key. */
export interface PagerdutyEvent {
  at: number;
  routingKey: string;
  action: 'trigger' | 'acknowledge' | 'resolve';
  dedupKey: string;
  payload: Record<string, unknown> | undefined;
}

export interface PagerdutySimulatorHandle extends SimulatorHandle {
  events: PagerdutyEvent[];
  /** The state of each dedup key's alert: triggered, acknowledged or resolved. */
  eventAlerts: Map<string, { status: 'triggered' | 'acknowledged' | 'resolved'; summary: string; triggers: number }>;
}

const EVENT_ACTIONS = ['trigger', 'acknowledge', 'resolve'] as const;
const EVENT_SEVERITIES = ['critical', 'error', 'warning', 'info'];

const invalidEvent = (errors: string[]): SimReply => ({ status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors } });

function enqueueEvent(events: PagerdutyEvent[], alerts: PagerdutySimulatorHandle['eventAlerts'], req: SimRequest): SimReply {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(req.rawBody) as Record<string, unknown>;
  } catch {
    return { status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors: ['Could not parse the request body as JSON.'] } };
  }
  const action = body.event_action as PagerdutyEvent['action'];
  if (!EVENT_ACTIONS.includes(action)) return invalidEvent(["'event_action' must be one of trigger, acknowledge, resolve"]);
  let dedupKey = typeof body.dedup_key === 'string' ? body.dedup_key : '';
  const payload = body.payload as Record<string, unknown> | undefined;
  if (action === 'trigger') {
    const errors: string[] = [];
    if (!payload || typeof payload.summary !== 'string' || !payload.summary) errors.push("'payload.summary' is missing or blank");
    if (!payload || typeof payload.source !== 'string' || !payload.source) errors.push("'payload.source' is missing or blank");
    if (!payload || !EVENT_SEVERITIES.includes(String(payload.severity))) errors.push("'payload.severity' must be one of critical, error, warning, info");
    if (dedupKey.length > 255) errors.push("'dedup_key' must be at most 255 characters");
    if (errors.length) return invalidEvent(errors);
    dedupKey ||= Math.random().toString(16).slice(2);
  } else if (!dedupKey) return invalidEvent(["'dedup_key' is required to acknowledge or resolve"]);
  events.push({ at: Date.now(), routingKey: String(body.routing_key), action, dedupKey, payload });
  const current = alerts.get(dedupKey);
  if (action === 'trigger') {
    if (!current || current.status === 'resolved') alerts.set(dedupKey, { status: 'triggered', summary: String(payload!.summary), triggers: 1 });
    else current.triggers += 1;
  } else if (current && current.status !== 'resolved') current.status = action === 'acknowledge' ? 'acknowledged' : 'resolved';
  return { status: 202, body: { status: 'success', message: 'Event processed', dedup_key: dedupKey } };
}

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

/** REST API calls carry `Token token=…`; Events API v2 events carry their `routing_key` in the body. */
function credential(req: Pick<SimRequest, 'headers' | 'rawBody'>): string | undefined {
  const match = /^Token token=(\S+)$/.exec(req.headers.authorization ?? '');
  if (match) return match[1];
  try {
    const key = (JSON.parse(req.rawBody || 'null') as { routing_key?: unknown } | null)?.routing_key;
    return typeof key === 'string' ? key : undefined;
  } catch {
    return undefined;
  }
}

function error(kind: ErrorKind, status: number, req: SimRequest): SimReply {
  if (req.path === '/v2/enqueue') {
    if (kind === 'rate_limited') return { status: 429, body: { status: 'throttle event', message: 'Requests for this service are arriving too quickly. Please retry later.' } };
    if (kind === 'server_error') return { status, body: { status: 'error', message: 'Internal server error' } };
    return invalidEvent([kind === 'unauthorized' ? "'routing_key' is invalid" : 'The event was refused']);
  }
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

export async function startPagerdutySimulator(options: SimulatorOptions = {}): Promise<PagerdutySimulatorHandle> {
  const control = createControl(options.credentials ?? [PAGERDUTY_SAMPLE_KEY, PAGERDUTY_SAMPLE_ROUTING_KEY]);
  const events: PagerdutyEvent[] = [];
  const eventAlerts: PagerdutySimulatorHandle['eventAlerts'] = new Map();
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
        { method: 'POST', path: '/v2/enqueue', handle: (req) => enqueueEvent(events, eventAlerts, req) },
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
    events,
    eventAlerts,
    close: server.close,
  };
}
