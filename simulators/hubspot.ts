/**
 * HubSpot simulator. Follows HubSpot's published reference:
 * - Account details: https://developers.hubspot.com/docs/api-reference/legacy/account/account-information/get-account-details
 * - Error handling and shapes: https://developers.hubspot.com/docs/api-reference/error-handling
 *   and https://developers.hubspot.com/docs/faq/api-error-responses (`{ status, message, correlationId, category }`;
 *   429 bodies carry `errorType: RATE_LIMIT` and `policyName`)
 * - CRM objects with `limit`/`after` paging, `archived=true`, and PATCH updates of `properties`:
 *   https://developers.hubspot.com/docs/guides/api/crm/objects/contacts (companies and deals alike)
 * - CRM search (`filterGroups` on `lastmodifieddate` / `hs_lastmodifieddate`, `sorts`, `after`,
 *   at most 200 per page and 10,000 results per query): https://developers.hubspot.com/docs/guides/api/crm/search
 * - Rate-limit headers (`X-HubSpot-RateLimit-Max`, `-Remaining`, `-Interval-Milliseconds`):
 *   https://developers.hubspot.com/docs/guides/apps/api-usage/usage-details
 * - OAuth (authorize on app.hubspot.com, token at /oauth/v1/token, 30-minute access tokens):
 *   https://developers.hubspot.com/docs/api/oauth-quickstart-guide
 * Authentication: `Authorization: Bearer <access token>`.
 */
import { randomUUID } from 'node:crypto';
import { createDataset, iso, pageById, type Dataset } from './support/dataset.ts';
import { oauthEndpoints, recordCount, type SimulatorHandle, type SimulatorOptions } from './support/handle.ts';
import { oauthServer, type OAuthServerOptions } from './support/oauth.ts';
import { bearerToken, createControl, intParam, paginate, serveSimulator, type ErrorKind, type SimReply } from './support/server.ts';

const PATHS: OAuthServerOptions['paths'] = { authorize: '/oauth/authorize', token: '/oauth/v1/token' };
export const HUBSPOT_SCOPES = 'oauth crm.objects.contacts.read';

/** A CRM object as the v3 objects API returns it. */
export interface HubspotObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  archivedAt?: string;
}

export const HUBSPOT_OBJECTS = ['contacts', 'companies', 'deals'] as const;
export type HubspotObjectType = (typeof HUBSPOT_OBJECTS)[number];
export const HUBSPOT_DEFAULT_COUNTS: Record<HubspotObjectType, number> = { contacts: 2_500, companies: 1_200, deals: 1_800 };
const ID_BASE: Record<HubspotObjectType, number> = { contacts: 1_000, companies: 5_000_000, deals: 9_000_000 };
// Contacts keep their modification time in `lastmodifieddate`; other objects in `hs_lastmodifieddate`.
export const modifiedProperty = (type: HubspotObjectType): string => (type === 'contacts' ? 'lastmodifieddate' : 'hs_lastmodifieddate');

function properties(type: HubspotObjectType, i: number, n: number): Record<string, string> {
  switch (type) {
    case 'contacts':
      return { email: `contact${i}@example.com`, firstname: 'Contact', lastname: `Number ${i}${n ? ` (edit ${n})` : ''}`, lifecyclestage: ['lead', 'customer', 'opportunity'][i % 3]! };
    case 'companies':
      return { name: `Company ${i}${n ? ` (edit ${n})` : ''}`, domain: `company${i}.example.com`, industry: ['SOFTWARE', 'RETAIL', 'ENERGY'][i % 3]! };
    case 'deals':
      return { dealname: `Deal ${i}${n ? ` (edit ${n})` : ''}`, amount: String(1000 + ((i * 37) % 9000) + n), dealstage: ['appointmentscheduled', 'closedwon', 'closedlost'][i % 3]!, pipeline: 'default' };
  }
}

function hubspotDataset(type: HubspotObjectType, count: number) {
  const modified = modifiedProperty(type);
  return createDataset<HubspotObject>({
    count,
    make: (i, ms) => {
      const id = String(ID_BASE[type] + i);
      return {
        id,
        properties: { ...properties(type, i, 0), createdate: iso(ms), [modified]: iso(ms), hs_object_id: id },
        createdAt: iso(ms),
        updatedAt: iso(ms),
        archived: false,
      };
    },
    id: (o) => o.id,
    modifiedMs: (o) => Date.parse(o.updatedAt),
    edit: (o, n, ms) => ({
      ...o,
      properties: { ...o.properties, ...properties(type, Number(o.id) - ID_BASE[type], n), [modified]: iso(ms) },
      updatedAt: iso(ms),
    }),
  });
}

interface SearchBody {
  filterGroups?: { filters?: { propertyName?: string; operator?: string; value?: string | number }[] }[];
  sorts?: ({ propertyName?: string; direction?: string } | string)[];
  limit?: number;
  after?: string;
  properties?: string[];
}

const COMPARE: Record<string, (a: number, b: number) => boolean> = {
  GT: (a, b) => a > b,
  GTE: (a, b) => a >= b,
  LT: (a, b) => a < b,
  LTE: (a, b) => a <= b,
  EQ: (a, b) => a === b,
};

/** The search endpoint, for filters on a date property (what incremental syncs use), sorted by it. */
function search(dataset: Dataset<HubspotObject>, body: SearchBody): SimReply {
  const limit = Math.min(Math.max(1, body.limit ?? 10), 200);
  const offset = Number.parseInt(body.after ?? '0', 10) || 0;
  // HubSpot's search never pages past 10,000 results.
  if (offset + limit > 10_000) return error('bad_request', 400);
  const filters = (body.filterGroups ?? []).flatMap((g) => g.filters ?? []);
  const matches = dataset.all().filter((o) =>
    filters.every((f) => {
      const compare = COMPARE[f.operator ?? ''];
      const raw = o.properties[f.propertyName ?? ''];
      if (!compare || raw === undefined || raw === null) return false;
      const value = typeof f.value === 'number' ? f.value : /^\d+$/.test(String(f.value)) ? Number(f.value) : Date.parse(String(f.value));
      return compare(Date.parse(raw), value);
    }),
  );
  const sort = body.sorts?.[0];
  const descending = typeof sort === 'object' && sort.direction === 'DESCENDING';
  const ordered = descending ? [...matches].reverse() : matches;
  const page = ordered.slice(offset, offset + limit);
  const next = offset + limit < ordered.length ? String(offset + limit) : undefined;
  return { body: { total: ordered.length, results: page, ...(next ? { paging: { next: { after: next } } } : {}) } };
}

const ERRORS: Record<ErrorKind, { message: string; category: string }> = {
  unauthorized: {
    message: 'Authentication credentials not found. This API supports OAuth 2.0 authentication.',
    category: 'INVALID_AUTHENTICATION',
  },
  forbidden: { message: 'This app hasn\'t been granted all required scopes to make this call.', category: 'MISSING_SCOPES' },
  not_found: { message: 'Resource not found', category: 'OBJECT_NOT_FOUND' },
  rate_limited: { message: 'You have reached your secondly limit.', category: 'RATE_LIMITS' },
  server_error: { message: 'Internal error', category: 'INTERNAL_ERROR' },
  bad_request: { message: 'Invalid input', category: 'VALIDATION_ERROR' },
};

function error(kind: ErrorKind, status: number): SimReply {
  const { message, category } = ERRORS[kind];
  const base = { status: 'error', message, correlationId: randomUUID() };
  return {
    status,
    body: kind === 'rate_limited' ? { ...base, errorType: 'RATE_LIMIT', policyName: 'SECONDLY' } : { ...base, category },
  };
}

function objectType(name: string | undefined): HubspotObjectType | undefined {
  return (HUBSPOT_OBJECTS as readonly string[]).includes(name ?? '') ? (name as HubspotObjectType) : undefined;
}

function archived(dataset: Dataset<HubspotObject>): HubspotObject[] {
  return dataset.removed().map(({ record, atMs }) => ({ ...record, archived: true, archivedAt: iso(atMs) }));
}

export async function startHubspotSimulator(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const control = createControl(options.credentials ?? []);
  const datasets = Object.fromEntries(
    HUBSPOT_OBJECTS.map((type) => [type, hubspotDataset(type, recordCount(options, type, HUBSPOT_DEFAULT_COUNTS[type]))]),
  ) as Record<HubspotObjectType, Dataset<HubspotObject>>;
  const oauth = oauthServer(
    { paths: PATHS, accessTokenPrefix: 'hubspot-at-', refreshTokenPrefix: 'hubspot-rt-', accessTokenTtlSeconds: 1800 },
    control,
  );
  const server = await serveSimulator(
    {
      key: 'hubspot',
      credential: (req) => bearerToken(req.headers),
      error,
      rateLimitHeaders: (w) => ({
        'x-hubspot-ratelimit-max': String(w.limit),
        'x-hubspot-ratelimit-remaining': String(w.remaining),
        'x-hubspot-ratelimit-interval-milliseconds': String(w.windowMs),
      }),
      routes: [
        ...oauth.routes,
        {
          method: 'GET',
          path: '/account-info/v3/details',
          handle: () => ({
            body: {
              portalId: 62515,
              accountType: 'STANDARD',
              timeZone: 'US/Eastern',
              companyCurrency: 'USD',
              additionalCurrencies: [],
              utcOffset: '-05:00',
              utcOffsetMilliseconds: -18_000_000,
              uiDomain: 'app.hubspot.com',
              dataHostingLocation: 'na1',
            },
          }),
        },
        {
          method: 'GET',
          path: '/crm/v3/objects/:type',
          handle: (req) => {
            const type = objectType(req.params.type);
            if (!type) return error('not_found', 404);
            const limit = intParam(req.query.get('limit'), 10, 100);
            const { page, next } =
              req.query.get('archived') === 'true'
                ? paginate(archived(datasets[type]), req.query.get('after'), limit)
                : pageById(datasets[type], req.query.get('after'), limit);
            return {
              body: {
                results: page,
                ...(next ? { paging: { next: { after: next, link: `${req.origin}/crm/v3/objects/${type}?limit=${limit}&after=${next}` } } } : {}),
              },
            };
          },
        },
        {
          method: 'POST',
          path: '/crm/v3/objects/:type/search',
          handle: (req) => {
            const type = objectType(req.params.type);
            if (!type) return error('not_found', 404);
            let body: SearchBody;
            try {
              body = JSON.parse(req.rawBody || '{}') as SearchBody;
            } catch {
              return error('bad_request', 400);
            }
            return search(datasets[type], body);
          },
        },
        {
          method: 'GET',
          path: '/crm/v3/objects/:type/:id',
          handle: (req) => {
            const type = objectType(req.params.type);
            const found = type ? datasets[type].get(req.params.id!) : undefined;
            return found ? { body: found } : error('not_found', 404);
          },
        },
        {
          method: 'PATCH',
          path: '/crm/v3/objects/:type/:id',
          handle: (req) => {
            const type = objectType(req.params.type);
            let changes: Record<string, unknown>;
            try {
              changes = (JSON.parse(req.rawBody || '{}') as { properties?: Record<string, unknown> }).properties ?? {};
            } catch {
              return error('bad_request', 400);
            }
            const updated = type
              ? datasets[type].update(req.params.id!, (o, ms) => ({
                  ...o,
                  properties: { ...o.properties, ...Object.fromEntries(Object.entries(changes).map(([k, v]) => [k, v === null ? null : String(v)])), [modifiedProperty(type)]: iso(ms) },
                  updatedAt: iso(ms),
                }))
              : undefined;
            return updated ? { body: updated } : error('not_found', 404);
          },
        },
      ],
    },
    { ...options, control },
  );
  const tokens = oauth.control.issueTokens(HUBSPOT_SCOPES);
  control.baseline();
  return {
    key: 'hubspot',
    url: server.url,
    baseUrl: server.url,
    oauth: oauthEndpoints(server.url, PATHS, oauth.control),
    sample: { credentials: { accessToken: tokens.accessToken }, connectionConfig: {}, integrationConfig: {}, metadata: {} },
    control: server.control,
    data: datasets,
    close: server.close,
  };
}
