/**
 * Salesforce simulator. Follows Salesforce's published reference:
 * - REST API query and query locators (`nextRecordsUrl`, `done`, `Sforce-Query-Options: batchSize`):
 *   https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm
 * - Error responses (`[{ "message", "errorCode" }]`, 401 INVALID_SESSION_ID, 403 REQUEST_LIMIT_EXCEEDED
 *   when the org's API allowance is spent): https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
 * - OAuth endpoints (authorize, token with `instance_url` and `id`, revoke):
 *   https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_endpoints.htm and
 *   https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm
 * - User info: https://help.salesforce.com/s/articleView?id=sf.remoteaccess_using_userinfo_endpoint.htm
 * - SOQL date literals and `LastModifiedDate` filters:
 *   https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_dateformats.htm
 * - Deleted records (`/sobjects/{type}/deleted/?start=&end=`):
 *   https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_getdeleted.htm
 * - Update a record (PATCH, 204 No Content):
 *   https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_update_fields.htm
 * Authentication: `Authorization: Bearer <access token>`.
 *
 * Salesforce answers an exhausted API limit with 403 REQUEST_LIMIT_EXCEEDED rather than 429, so
 * `forceStatus(429)` answers that way (with Retry-After added by the shared layer).
 */
import { createDataset, type Dataset } from './support/dataset.ts';
import { oauthEndpoints, recordCount, type SimulatorHandle, type SimulatorOptions } from './support/handle.ts';
import { oauthServer, type OAuthServerOptions } from './support/oauth.ts';
import { bearerToken, createControl, serveSimulator, type ErrorKind, type SimReply } from './support/server.ts';

const API = '/services/data/v62.0';
const PATHS: OAuthServerOptions['paths'] = {
  authorize: '/services/oauth2/authorize',
  token: '/services/oauth2/token',
  revoke: '/services/oauth2/revoke',
};
const ORG_ID = '00D5g00000SimOrgEAA';
const USER_ID = '0055g00000SimUsrAAA';
const BATCH_DEFAULT = 2000;
const BATCH_MIN = 200;

export const SALESFORCE_OBJECTS = ['Account', 'Contact', 'Opportunity'] as const;
export type SalesforceObject = (typeof SALESFORCE_OBJECTS)[number];
export const SALESFORCE_DEFAULT_COUNTS: Record<SalesforceObject, number> = { Account: 2_000, Contact: 3_000, Opportunity: 1_500 };
const PREFIX: Record<SalesforceObject, string> = { Account: '001', Contact: '003', Opportunity: '006' };

type SObject = Record<string, unknown> & { Id: string; LastModifiedDate: string };

/** Salesforce writes datetimes as `2025-01-01T00:00:00.000+0000`. */
const sfTime = (ms: number): string => new Date(ms).toISOString().replace('Z', '+0000');
const sfMs = (value: string): number => Date.parse(value.replace(/\+0000$/, 'Z'));

function fields(type: SalesforceObject, i: number, n: number): Record<string, unknown> {
  const edit = n ? ` (edit ${n})` : '';
  switch (type) {
    case 'Account':
      return { Name: `Sample Account ${i}${edit}`, Industry: ['Technology', 'Retail', 'Energy'][i % 3], Website: `https://account${i}.example.com` };
    case 'Contact':
      return { FirstName: 'Sample', LastName: `Contact ${i}${edit}`, Email: `contact${i}@example.com`, AccountId: `001SIM${String(1 + (i % 500)).padStart(9, '0')}` };
    case 'Opportunity':
      return { Name: `Opportunity ${i}${edit}`, StageName: ['Prospecting', 'Closed Won', 'Closed Lost'][i % 3], Amount: 1_000 + ((i * 131) % 50_000) + n, CloseDate: '2026-06-30' };
  }
}

function sobjects(type: SalesforceObject, count: number): Dataset<SObject> {
  return createDataset<SObject>({
    count,
    make: (i, ms) => {
      const Id = `${PREFIX[type]}SIM${String(i).padStart(9, '0')}`;
      return {
        attributes: { type, url: `${API}/sobjects/${type}/${Id}` },
        Id,
        ...fields(type, i, 0),
        CreatedDate: sfTime(ms),
        LastModifiedDate: sfTime(ms),
        SystemModstamp: sfTime(ms),
        IsDeleted: false,
      } as SObject;
    },
    id: (o) => o.Id,
    modifiedMs: (o) => sfMs(o.LastModifiedDate),
    edit: (o, n, ms) => ({ ...o, ...fields(type, Number(o.Id.slice(6)), n), LastModifiedDate: sfTime(ms), SystemModstamp: sfTime(ms) }),
  });
}

interface Soql {
  fields: string[];
  from: string;
  /** `LastModifiedDate` bounds, in ms. */
  after?: { ms: number; inclusive: boolean };
  before?: { ms: number; inclusive: boolean };
  limit?: number;
}

const DATETIME = '(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,3})?(?:Z|[+-]\\d{2}:?\\d{2}))';

/**
 * The SOQL a sync sends: `SELECT f, … FROM Obj [WHERE LastModifiedDate >|>= t [AND LastModifiedDate <|<= t]]
 * [ORDER BY LastModifiedDate[, Id]] [LIMIT n]`.
 */
function parseSoql(text: string): Soql | string {
  const m = /^\s*SELECT\s+(.+?)\s+FROM\s+(\w+)(?:\s+WHERE\s+(.+?))?(?:\s+ORDER\s+BY\s+([\w\s,]+?))?(?:\s+LIMIT\s+(\d+))?\s*$/i.exec(text);
  if (!m) return 'unexpected token';
  const soql: Soql = { fields: m[1]!.split(',').map((f) => f.trim()), from: m[2]! };
  if (m[5]) soql.limit = Number(m[5]);
  if (m[3]) {
    for (const condition of m[3].split(/\s+AND\s+/i)) {
      const c = new RegExp(`^LastModifiedDate\\s*(>=|>|<=|<)\\s*${DATETIME}$`, 'i').exec(condition.trim());
      if (!c) return `unexpected token: '${condition.trim().split(/\s+/)[0]}'`;
      const bound = { ms: Date.parse(c[2]!.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')), inclusive: c[1]!.includes('=') };
      if (c[1]!.startsWith('>')) soql.after = bound;
      else soql.before = bound;
    }
  }
  return soql;
}

interface Locator {
  ids: string[];
  fields: string[];
  type: SalesforceObject;
  batch: number;
}

const ERRORS: Record<ErrorKind, [number, string, string]> = {
  unauthorized: [401, 'INVALID_SESSION_ID', 'Session expired or invalid'],
  forbidden: [403, 'INSUFFICIENT_ACCESS', 'insufficient access rights on object id'],
  not_found: [404, 'NOT_FOUND', 'The requested resource does not exist'],
  rate_limited: [403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'],
  server_error: [500, 'UNKNOWN_EXCEPTION', 'An unexpected error occurred. Please include this ErrorId if you contact support: 1234567890-12345 (-123456789)'],
  bad_request: [400, 'MALFORMED_QUERY', 'unexpected token'],
};

function error(kind: ErrorKind, status: number): SimReply {
  const [defaultStatus, errorCode, message] = ERRORS[kind];
  return { status: kind === 'server_error' ? status : defaultStatus, body: [{ message, errorCode }] };
}

const ORGANIZATION = {
  totalSize: 1,
  done: true,
  records: [
    {
      attributes: { type: 'Organization', url: `${API}/sobjects/Organization/${ORG_ID}` },
      Id: ORG_ID,
      Name: 'Patchbay Simulated Org',
      OrganizationType: 'Developer Edition',
      IsSandbox: false,
    },
  ],
};

const isObject = (name: string): name is SalesforceObject => (SALESFORCE_OBJECTS as readonly string[]).includes(name);

export async function startSalesforceSimulator(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const control = createControl(options.credentials ?? []);
  const data = Object.fromEntries(SALESFORCE_OBJECTS.map((t) => [t, sobjects(t, recordCount(options, t, SALESFORCE_DEFAULT_COUNTS[t]))])) as Record<SalesforceObject, Dataset<SObject>>;
  // Query locators: the ids a query matched, read a batch at a time (`01gSIM<query>-<offset>`).
  const locators = new Map<number, Locator>();
  let queryCount = 0;
  const locatorPage = (id: number, offset: number): SimReply => {
    const locator = locators.get(id)!;
    const next = offset + locator.batch;
    const done = next >= locator.ids.length;
    const records = locator.ids.slice(offset, next).flatMap((recordId) => {
      const o = data[locator.type].get(recordId);
      return o ? [{ attributes: o.attributes, ...Object.fromEntries(locator.fields.map((f) => [f, o[f] ?? null])) }] : [];
    });
    return { body: { totalSize: locator.ids.length, done, ...(done ? {} : { nextRecordsUrl: `${API}/query/01gSIM${id}-${next}` }), records } };
  };
  const oauth = oauthServer(
    {
      paths: PATHS,
      accessTokenPrefix: '00D5g00000SimOrg!',
      refreshTokenPrefix: '5Aep861Sim',
      tokenFields: (origin) => ({
        instance_url: origin,
        id: `${origin}/id/${ORG_ID}/${USER_ID}`,
        issued_at: String(Date.now()),
        signature: 'c2ltdWxhdGVkLXNpZ25hdHVyZQ==',
      }),
    },
    control,
  );
  const server = await serveSimulator(
    {
      key: 'salesforce',
      credential: (req) => bearerToken(req.headers),
      error,
      routes: [
        ...oauth.routes,
        {
          method: 'GET',
          path: `${API}/query`,
          handle: (req) => {
            const soql = parseSoql(req.query.get('q') ?? '');
            if (typeof soql === 'string') return { status: 400, body: [{ message: soql, errorCode: 'MALFORMED_QUERY' }] };
            if (soql.from.toLowerCase() === 'organization') return { body: ORGANIZATION };
            const type = SALESFORCE_OBJECTS.find((t) => t.toLowerCase() === soql.from.toLowerCase());
            if (!type) return { status: 400, body: [{ message: `sObject type '${soql.from}' is not supported.`, errorCode: 'INVALID_TYPE' }] };
            const known = new Set(Object.keys(data[type].all()[0] ?? { Id: '' }));
            const unknown = soql.fields.find((f) => !known.has(f));
            if (unknown) return { status: 400, body: [{ message: `No such column '${unknown}' on entity '${type}'.`, errorCode: 'INVALID_FIELD' }] };
            const ids = data[type]
              .all()
              .filter((o) => {
                const ms = sfMs(o.LastModifiedDate);
                if (soql.after && (soql.after.inclusive ? ms < soql.after.ms : ms <= soql.after.ms)) return false;
                return !soql.before || (soql.before.inclusive ? ms <= soql.before.ms : ms < soql.before.ms);
              })
              .slice(0, soql.limit ?? Infinity)
              .map((o) => o.Id);
            const batchOption = /batchSize=(\d+)/.exec(String(req.headers['sforce-query-options'] ?? ''))?.[1];
            const batch = batchOption ? Math.max(BATCH_MIN, Math.min(BATCH_DEFAULT, Number(batchOption))) : BATCH_DEFAULT;
            const id = ++queryCount;
            locators.set(id, { ids, fields: soql.fields, type, batch });
            return locatorPage(id, 0);
          },
        },
        {
          method: 'GET',
          path: `${API}/query/:locator`,
          handle: (req) => {
            const m = /^01gSIM(\d+)-(\d+)$/.exec(req.params.locator ?? '');
            if (!m || !locators.has(Number(m[1]))) return { status: 400, body: [{ message: 'invalid query locator', errorCode: 'INVALID_QUERY_LOCATOR' }] };
            return locatorPage(Number(m[1]), Number(m[2]));
          },
        },
        {
          method: 'GET',
          path: `${API}/sobjects/:type/deleted`,
          handle: (req) => {
            const type = req.params.type!;
            if (!isObject(type)) return { status: 404, body: [{ message: `The requested resource does not exist`, errorCode: 'NOT_FOUND' }] };
            const start = Date.parse(req.query.get('start') ?? '');
            const end = Date.parse(req.query.get('end') ?? '');
            if (Number.isNaN(start) || Number.isNaN(end)) return { status: 400, body: [{ message: 'start and end are required', errorCode: 'INVALID_QUERY_FILTER_OPERATOR' }] };
            const deleted = data[type].removed().filter((d) => d.atMs >= start && d.atMs <= end);
            return {
              body: {
                deletedRecords: deleted.map((d) => ({ id: d.id, deletedDate: sfTime(d.atMs) })),
                earliestDateAvailable: sfTime(Date.now() - 15 * 86_400_000),
                latestDateCovered: sfTime(Math.min(end, Date.now())),
              },
            };
          },
        },
        {
          method: 'PATCH',
          path: `${API}/sobjects/:type/:id`,
          handle: (req) => {
            const type = req.params.type!;
            let changes: Record<string, unknown>;
            try {
              changes = JSON.parse(req.rawBody || '{}') as Record<string, unknown>;
            } catch {
              return { status: 400, body: [{ message: 'The request body is not valid JSON', errorCode: 'JSON_PARSER_ERROR' }] };
            }
            const updated = isObject(type) ? data[type].update(req.params.id!, (o, ms) => ({ ...o, ...changes, LastModifiedDate: sfTime(ms), SystemModstamp: sfTime(ms) })) : undefined;
            return updated ? { status: 204 } : { status: 404, body: [{ message: 'Provided external ID field does not exist or is not accessible', errorCode: 'NOT_FOUND' }] };
          },
        },
        {
          method: 'GET',
          path: '/services/oauth2/userinfo',
          handle: (req) => ({
            body: {
              sub: `${req.origin}/id/${ORG_ID}/${USER_ID}`,
              user_id: USER_ID,
              organization_id: ORG_ID,
              preferred_username: 'admin@patchbay-sim.example',
              name: 'Sim Admin',
              email: 'admin@patchbay-sim.example',
            },
          }),
        },
      ],
    },
    { ...options, control },
  );
  const tokens = oauth.control.issueTokens('api refresh_token');
  control.baseline();
  return {
    key: 'salesforce',
    url: server.url,
    baseUrl: server.url,
    oauth: oauthEndpoints(server.url, PATHS, oauth.control),
    sample: {
      credentials: { accessToken: tokens.accessToken },
      connectionConfig: { hostname: 'login.salesforce.com' },
      integrationConfig: {},
      metadata: { instance_url: server.url },
    },
    control: server.control,
    data,
    close: server.close,
  };
}
