/**
 * Opsgenie Alert API simulator. Follows Opsgenie's published REST API reference:
 * - Alert API (https://docs.opsgenie.com/docs/alert-api): Create Alert `POST /v2/alerts`
 *   (`message` required, at most 130 characters; `alias` up to 512 for de-duplication: while an
 *   alert with that alias is open, creating it again raises its `count`), Acknowledge
 *   `POST /v2/alerts/{identifier}/acknowledge`, Close `POST /v2/alerts/{identifier}/close`,
 *   Get Alert `GET /v2/alerts/{identifier}` with `identifierType=id|tiny|alias`, Get Request Status
 *   `GET /v2/alerts/requests/{requestId}`. Changes are asynchronous: 202 with
 *   `{ result: "Request will be processed", took, requestId }`.
 * - Account API (https://docs.opsgenie.com/docs/account-api): Get Account Info `GET /v2/account`
 *   (`{ data: { name, userCount, plan }, took, requestId }`), what the connector tests with.
 * - Authentication: `Authorization: GenieKey <API integration key>`
 *   (https://docs.opsgenie.com/docs/authentication); errors `{ message, took, requestId }`, 422
 *   with `errors` per field, 429 when requests come too fast (https://docs.opsgenie.com/docs/api-rate-limiting).
 */
import { randomUUID } from 'node:crypto';
import type { SimulatorHandle, SimulatorOptions } from './support/handle.ts';
import { createControl, serveSimulator, type ErrorKind, type SimReply, type SimRequest } from './support/server.ts';

export const OPSGENIE_SAMPLE_KEY = 'eb243592-faa2-4ba2-a551q-1afdf565c889';

export interface OpsgenieAlert {
  id: string;
  tinyId: string;
  alias: string;
  message: string;
  description: string;
  priority: string;
  source: string;
  status: 'open' | 'closed';
  acknowledged: boolean;
  count: number;
  tags: string[];
  details: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

export interface OpsgenieSimulatorHandle extends SimulatorHandle {
  alerts: OpsgenieAlert[];
  /** Every accepted request: what it asked and how processing went. */
  requests: { requestId: string; action: string; alias: string | undefined; success: boolean; status: string }[];
}

const answer = (status: number, message: string, extra: Record<string, unknown> = {}): SimReply => ({ status, body: { message, took: 0.002, requestId: randomUUID(), ...extra } });

function error(kind: ErrorKind, status: number): SimReply {
  switch (kind) {
    case 'unauthorized':
      return answer(401, 'Could not authenticate');
    case 'forbidden':
      return answer(403, 'You are not authorized for this request.');
    case 'not_found':
      return answer(404, 'Not found');
    case 'rate_limited':
      return answer(429, 'You are making too many requests! To avoid errors, we recommend you limit requests.');
    case 'server_error':
      return answer(status, 'Internal Server Error');
    case 'bad_request':
      return answer(400, 'Bad request');
  }
}

function json(req: SimRequest): Record<string, unknown> | undefined {
  if (!req.rawBody) return {};
  try {
    const parsed = JSON.parse(req.rawBody) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export async function startOpsgenieSimulator(options: SimulatorOptions = {}): Promise<OpsgenieSimulatorHandle> {
  const control = createControl(options.credentials ?? [OPSGENIE_SAMPLE_KEY]);
  const alerts: OpsgenieAlert[] = [];
  const requests: OpsgenieSimulatorHandle['requests'] = [];
  let tiny = 0;

  const find = (req: SimRequest): OpsgenieAlert | undefined => {
    const id = req.params.identifier!;
    const type = req.query.get('identifierType') ?? 'id';
    if (type === 'alias') return alerts.find((a) => a.alias === id && a.status === 'open') ?? alerts.filter((a) => a.alias === id).at(-1);
    if (type === 'tiny') return alerts.find((a) => a.tinyId === id);
    return alerts.find((a) => a.id === id);
  };
  const accepted = (action: string, alias: string | undefined, success: boolean, status: string): SimReply => {
    const requestId = randomUUID();
    requests.push({ requestId, action, alias, success, status });
    return { status: 202, body: { result: 'Request will be processed', took: 0.011, requestId } };
  };
  const change = (action: 'acknowledge' | 'close') => (req: SimRequest): SimReply => {
    const type = req.query.get('identifierType');
    if (type && !['id', 'tiny', 'alias'].includes(type)) return answer(422, 'Request body is not processable. Please check the errors.', { errors: { identifierType: 'must be id, tiny or alias' } });
    if (json(req) === undefined) return answer(400, 'Request body is not valid JSON.');
    const alert = find(req);
    if (!alert) return accepted(action, req.params.identifier, false, 'Alert does not exist');
    const now = new Date().toISOString();
    if (action === 'acknowledge') alert.acknowledged = true;
    else alert.status = 'closed';
    alert.updatedAt = now;
    return accepted(action, alert.alias, true, action === 'acknowledge' ? 'Acknowledged' : 'Closed');
  };

  const server = await serveSimulator(
    {
      key: 'opsgenie',
      credential: (req) => /^GenieKey (\S+)$/.exec(req.headers.authorization ?? '')?.[1],
      error,
      routes: [
        {
          method: 'POST',
          path: '/v2/alerts',
          handle: (req) => {
            const body = json(req);
            if (!body) return answer(400, 'Request body is not valid JSON.');
            const message = typeof body.message === 'string' ? body.message : '';
            if (!message.trim()) return answer(422, 'Request body is not processable. Please check the errors.', { errors: { message: 'Message can not be empty.' } });
            if (message.length > 130) return answer(422, 'Request body is not processable. Please check the errors.', { errors: { message: 'Message can not be longer than 130 characters.' } });
            const alias = typeof body.alias === 'string' && body.alias ? body.alias.slice(0, 512) : randomUUID();
            const now = new Date().toISOString();
            const open = alerts.find((a) => a.alias === alias && a.status === 'open');
            if (open) {
              open.count += 1;
              open.updatedAt = now;
              return accepted('create', alias, true, 'Alert already exists; count increased');
            }
            alerts.push({
              id: randomUUID(),
              tinyId: String(++tiny),
              alias,
              message,
              description: typeof body.description === 'string' ? body.description : '',
              priority: typeof body.priority === 'string' && /^P[1-5]$/.test(body.priority) ? body.priority : 'P3',
              source: typeof body.source === 'string' ? body.source : '',
              status: 'open',
              acknowledged: false,
              count: 1,
              tags: Array.isArray(body.tags) ? body.tags.map(String) : [],
              details: body.details && typeof body.details === 'object' ? (body.details as Record<string, string>) : {},
              createdAt: now,
              updatedAt: now,
            });
            return accepted('create', alias, true, 'Created alert');
          },
        },
        {
          method: 'GET',
          path: '/v2/account',
          handle: () => ({ body: { data: { name: 'patchbay-sim', userCount: 12, plan: { maxUserCount: 1500, name: 'Enterprise', isYearly: true } }, took: 0.001, requestId: randomUUID() } }),
        },
        {
          method: 'GET',
          path: '/v2/alerts/requests/:requestId',
          handle: (req) => {
            const found = requests.find((r) => r.requestId === req.params.requestId);
            if (!found) return answer(404, 'Request not found. It might not be processed, yet.');
            return { body: { data: { success: found.success, action: found.action, processedAt: new Date().toISOString(), integrationId: 'sim-integration', isSuccess: found.success, status: found.status, alertId: alerts.find((a) => a.alias === found.alias)?.id ?? '', alias: found.alias ?? '' }, took: 0.001, requestId: randomUUID() } };
          },
        },
        { method: 'POST', path: '/v2/alerts/:identifier/acknowledge', handle: change('acknowledge') },
        { method: 'POST', path: '/v2/alerts/:identifier/close', handle: change('close') },
        {
          method: 'GET',
          path: '/v2/alerts/:identifier',
          handle: (req) => {
            const alert = find(req);
            return alert ? { body: { data: alert, took: 0.003, requestId: randomUUID() } } : answer(404, 'Alert does not exist');
          },
        },
      ],
    },
    { ...options, control },
  );
  control.baseline();
  return {
    key: 'opsgenie',
    url: server.url,
    baseUrl: server.url,
    alerts,
    requests,
    sample: { credentials: { apiKey: OPSGENIE_SAMPLE_KEY }, connectionConfig: {}, integrationConfig: {}, metadata: {} },
    control: server.control,
    close: server.close,
  };
}
