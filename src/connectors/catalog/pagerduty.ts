/**
 * PagerDuty: services, incidents and on-call schedules of a PagerDuty account, with a REST API key.
 * API reference: https://developer.pagerduty.com/api-reference/ and the REST API guides
 * (authentication, errors, rate limits, pagination): https://github.com/PagerDuty/developer-docs
 */
import { Type } from 'typebox';
import type { MetricPoint, MetricQuery, SyncContext, SyncDefinition } from '../extensions.ts';
import { connected, defineConnector, expectOk, monogramIcon, hmac, bodyField, jsonField, matchesAny, parseJsonBody, refused, verified, ProviderFailureError, type ConnectorContext } from '../sdk.ts';

interface Incident {
  id: string;
  incident_number: number;
  title: string;
  status: string;
  urgency: string;
  service: { id: string; summary: string };
  created_at: string;
  updated_at?: string;
  last_status_change_at?: string;
  html_url: string;
}

interface IncidentPage {
  incidents: Incident[];
  more: boolean;
}

const DAY = 86_400_000;
// PagerDuty refuses ranges longer than six months.
const WINDOW = 179 * DAY;

const toRecord = (i: Incident) => ({
  externalId: i.id,
  data: {
    id: i.id,
    number: i.incident_number,
    title: i.title,
    status: i.status,
    urgency: i.urgency,
    serviceId: i.service.id,
    service: i.service.summary,
    createdAt: i.created_at,
    lastStatusChangeAt: i.last_status_change_at ?? null,
    url: i.html_url,
  },
  updatedAt: i.updated_at ?? i.last_status_change_at ?? i.created_at,
});

interface Checkpoint {
  /** Incidents created at or after this instant (ms) are still to be read. */
  since?: number;
  /** Within a run: how far into the current window. */
  offset?: number;
}

/**
 * Incidents by creation time, oldest first, in windows of under six months (offset paging
 * within each). With no lower bound, one `date_range=all` listing.
 */
async function readIncidents(ctx: SyncContext): Promise<void> {
  const checkpoint = (await ctx.checkpoint.get<Checkpoint>()) ?? {};
  let since = checkpoint.since ?? ctx.since?.getTime();
  let offset = checkpoint.offset ?? 0;
  let newest = since ?? 0;
  const now = Date.now();
  for (;;) {
    const until = since === undefined ? undefined : Math.min(since + WINDOW, now + 1000);
    const range = since === undefined ? { date_range: 'all' } : { since: new Date(since).toISOString(), until: new Date(until!).toISOString() };
    const pages = ctx.paginate<Incident>(
      { path: '/incidents', query: { ...range, sort_by: 'created_at:asc' } },
      { type: 'offset', results: 'incidents', offsetParam: 'offset', limitParam: 'limit', limit: 100, morePath: 'more', start: offset },
    );
    for await (const page of pages) {
      for (const i of page.items) newest = Math.max(newest, Date.parse(i.created_at));
      await ctx.batchSave(page.items.map(toRecord));
      await ctx.checkpoint.save({ since, offset: Number(page.next ?? 0) } satisfies Checkpoint);
    }
    if (until === undefined || until > now) break;
    since = until;
    offset = 0;
    await ctx.checkpoint.save({ since, offset } satisfies Checkpoint);
  }
  await ctx.checkpoint.save({ since: newest || since } satisfies Checkpoint);
}

const incidents: SyncDefinition = {
  model: 'incidents',
  description: 'Incidents of every service',
  schema: Type.Object({
    id: Type.String(),
    number: Type.Integer(),
    title: Type.String(),
    status: Type.String(),
    urgency: Type.String(),
    serviceId: Type.String(),
    service: Type.String(),
    createdAt: Type.String(),
    lastStatusChangeAt: Type.Union([Type.String(), Type.Null()]),
    url: Type.String(),
  }),
  frequency: 'daily',
  // New incidents arrive by webhook-triggered runs; status changes are repaired by the daily reconcile.
  dataStrategy: 'hybrid',
  exec: readIncidents,
  async update(ctx, change) {
    const from = ctx.config.fromEmail;
    if (!from) throw new ProviderFailureError('invalid_configuration', 'updating incidents needs the email of a PagerDuty user (From)');
    expectOk(
      await ctx.http.request({
        method: 'PUT',
        path: `/incidents/${encodeURIComponent(change.externalId)}`,
        headers: { From: from },
        body: { incident: { type: 'incident_reference', ...change.changes } },
      }),
    );
  },
};

/** Incidents opened per UTC day, by urgency. */
async function fetchMetrics(ctx: ConnectorContext, query: MetricQuery): Promise<MetricPoint[]> {
  if (!query.metricIds.includes('incident_count')) return [];
  const counts = new Map<string, number>();
  const start = Math.floor(query.startDate.getTime() / DAY) * DAY;
  for (let from = start; from < query.endDate.getTime(); from += WINDOW) {
    const until = Math.min(from + WINDOW, query.endDate.getTime());
    for (let offset = 0; ; offset += 100) {
      const { body } = expectOk(
        await ctx.http.request<IncidentPage>({
          path: '/incidents',
          query: { since: new Date(from).toISOString(), until: new Date(until).toISOString(), limit: 100, offset, sort_by: 'created_at:asc' },
        }),
      );
      for (const incident of body.incidents) {
        const key = `${Math.floor(Date.parse(incident.created_at) / DAY) * DAY}|${incident.urgency}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      if (!body.more) break;
    }
  }
  return [...counts].map(([key, value]) => {
    const [day, urgency] = key.split('|');
    return { metricId: 'incident_count', time: new Date(Number(day)).toISOString(), value, dimensions: { urgency: urgency! } };
  });
}

export default defineConnector({
  key: 'pagerduty',
  name: 'PagerDuty',
  description: 'Services, incidents and on-call schedules of a PagerDuty account, read and managed with a REST API key.',
  category: 'ops',
  icon: monogramIcon('Pd', '#06ac38'),
  capabilities: ['proxy', 'records', 'metrics', 'webhooks'],
  connectionMode: 'apiKey',
  connectionConfig: {
    fromEmail: {
      label: 'Email of a PagerDuty user',
      help: 'Needed only to change incidents with an account API key: PagerDuty records changes as made by this user.',
      format: 'email',
      required: false,
    },
  },
  auth: {
    fields: {
      apiKey: {
        label: 'API key',
        help: 'An account API key (Integrations → API Access Keys, admins only) or a user API token (My Profile → User Settings). A read-only key is enough to test.',
        pattern: '[A-Za-z0-9_+-]{20,}',
        patternHint: 'is the 20-character key PagerDuty shows once when you create it',
        secret: true,
      },
    },
    // PagerDuty's own scheme; a Bearer header is refused with 401.
    inject: { in: 'header', name: 'Authorization', format: 'Token token={apiKey}' },
  },
  baseUrls: { production: 'https://api.pagerduty.com', eu: 'https://api.eu.pagerduty.com' },
  requestHeaders: { Accept: 'application/vnd.pagerduty+json;version=2' },
  // Per account API key (or per user for user tokens).
  rateLimit: '960/minute',
  uiEmbeds: [{ surface: 'dashboard', placement: 'sidebar', title: 'On call now' }],
  docsUrl: 'https://developer.pagerduty.com/api-reference/',
  syncs: [incidents],
  metrics: [{ id: 'incident_count', name: 'Incidents opened', unit: 'incidents', description: 'Incidents created per day, by urgency', aggregation: 'sum' }],
  fetchMetrics,

  async testConnection(ctx) {
    // Abilities work with account keys and user tokens alike (GET /users/me needs a user token).
    const { body } = expectOk(await ctx.http.request<{ abilities: string[] }>({ path: '/abilities' }));
    return connected({ name: 'PagerDuty account', abilities: body.abilities.length });
  },


  // V3 webhooks (https://developer.pagerduty.com/docs/webhooks-overview#verifying-signatures):
  // `X-PagerDuty-Signature: v1=<hex>[,v1=<hex>…]`, one HMAC-SHA256 of the body per secret of
  // the subscription (several while one is rotated).
  webhooks: {
    verify(request, secrets) {
      const header = request.headers['x-pagerduty-signature'];
      if (!header) return refused('the X-PagerDuty-Signature header is missing');
      const received = header.split(',').map((s) => s.trim());
      const expected = secrets.map((secret) => `v1=${hmac('sha256', secret, request.rawBody).toString('hex')}`);
      return matchesAny(expected, received) ? verified : refused('no v1 signature matches');
    },
    eventId: (request) => bodyField(request, 'event.id') ?? request.headers['x-webhook-id'],
    route(request) {
      const payload = parseJsonBody(request);
      return { eventType: jsonField(payload, 'event.event_type') ?? 'unknown', externalAccountId: request.headers['x-webhook-subscription'], payload };
    },
  },
});
