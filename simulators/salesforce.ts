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
 * Authentication: `Authorization: Bearer <access token>`.
 *
 * Salesforce answers an exhausted API limit with 403 REQUEST_LIMIT_EXCEEDED rather than 429, so
 * `forceStatus(429)` answers that way (with Retry-After added by the shared layer).
 */
import { oauthEndpoints, seed, type SimulatorHandle, type SimulatorOptions } from './support/handle.ts';
import { oauthServer, type OAuthServerOptions } from './support/oauth.ts';
import { bearerToken, createControl, serveSimulator, type ErrorKind, type SimReply, type SimRequest } from './support/server.ts';

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

const ACCOUNTS = seed(450, (i) => ({
  attributes: { type: 'Account', url: `${API}/sobjects/Account/001SIM${String(i).padStart(9, '0')}` },
  Id: `001SIM${String(i).padStart(9, '0')}`,
  Name: `Sample Account ${i}`,
  Industry: ['Technology', 'Retail', 'Energy'][i % 3],
}));

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

// Query locators: `<cursor>-<batch>` over the account list.
function accountPage(origin: string, start: number, batch: number): SimReply {
  const page = ACCOUNTS.slice(start, start + batch);
  const next = start + batch;
  const done = next >= ACCOUNTS.length;
  return {
    body: {
      totalSize: ACCOUNTS.length,
      done,
      ...(done ? {} : { nextRecordsUrl: `${API}/query/01gSIM${next}-${batch}` }),
      records: page,
    },
  };
}

function query(req: SimRequest): SimReply {
  const soql = req.query.get('q') ?? '';
  const from = /\bFROM\s+(\w+)/i.exec(soql)?.[1]?.toLowerCase();
  if (!from) return { status: 400, body: [{ message: 'unexpected token: <EOF>', errorCode: 'MALFORMED_QUERY' }] };
  if (from === 'organization') {
    return {
      body: {
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
      },
    };
  }
  if (from === 'account') {
    const batchOption = /batchSize=(\d+)/.exec(String(req.headers['sforce-query-options'] ?? ''))?.[1];
    const batch = batchOption ? Math.max(BATCH_MIN, Math.min(BATCH_DEFAULT, Number(batchOption))) : BATCH_DEFAULT;
    return accountPage(req.origin, 0, batch);
  }
  return { status: 400, body: [{ message: `sObject type '${from}' is not supported.`, errorCode: 'INVALID_TYPE' }] };
}

export async function startSalesforceSimulator(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const control = createControl(options.credentials ?? []);
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
        { method: 'GET', path: `${API}/query`, handle: query },
        {
          method: 'GET',
          path: `${API}/query/:locator`,
          handle: (req) => {
            const m = /^01gSIM(\d+)-(\d+)$/.exec(req.params.locator ?? '');
            if (!m) return { status: 400, body: [{ message: 'invalid query locator', errorCode: 'INVALID_QUERY_LOCATOR' }] };
            return accountPage(req.origin, Number(m[1]), Number(m[2]));
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
    close: server.close,
  };
}
