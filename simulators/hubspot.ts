/**
 * HubSpot simulator. Follows HubSpot's published reference:
 * - Account details: https://developers.hubspot.com/docs/api-reference/legacy/account/account-information/get-account-details
 * - Error handling and shapes: https://developers.hubspot.com/docs/api-reference/error-handling
 *   and https://developers.hubspot.com/docs/faq/api-error-responses (`{ status, message, correlationId, category }`;
 *   429 bodies carry `errorType: RATE_LIMIT` and `policyName`)
 * - CRM objects with `limit`/`after` paging: https://developers.hubspot.com/docs/guides/api/crm/objects/contacts
 * - OAuth (authorize on app.hubspot.com, token at /oauth/v1/token, 30-minute access tokens):
 *   https://developers.hubspot.com/docs/api/oauth-quickstart-guide
 * Authentication: `Authorization: Bearer <access token>`.
 */
import { randomUUID } from 'node:crypto';
import { oauthEndpoints, sampleTime, seed, type SimulatorHandle, type SimulatorOptions } from './support/handle.ts';
import { oauthServer, type OAuthServerOptions } from './support/oauth.ts';
import { bearerToken, createControl, intParam, paginate, serveSimulator, type ErrorKind, type SimReply } from './support/server.ts';

const PATHS: OAuthServerOptions['paths'] = { authorize: '/oauth/authorize', token: '/oauth/v1/token' };
export const HUBSPOT_SCOPES = 'oauth crm.objects.contacts.read';

const CONTACTS = seed(23, (i) => ({
  id: String(1000 + i),
  properties: {
    email: `contact${i}@example.com`,
    firstname: `Contact`,
    lastname: `Number ${i}`,
    createdate: sampleTime(i),
    lastmodifieddate: sampleTime(i + 24),
    hs_object_id: String(1000 + i),
  },
  createdAt: sampleTime(i),
  updatedAt: sampleTime(i + 24),
  archived: false,
}));

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

export async function startHubspotSimulator(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const control = createControl(options.credentials ?? []);
  const oauth = oauthServer(
    { paths: PATHS, accessTokenPrefix: 'hubspot-at-', refreshTokenPrefix: 'hubspot-rt-', accessTokenTtlSeconds: 1800 },
    control,
  );
  const server = await serveSimulator(
    {
      key: 'hubspot',
      credential: (req) => bearerToken(req.headers),
      error,
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
          path: '/crm/v3/objects/contacts',
          handle: (req) => {
            const limit = intParam(req.query.get('limit'), 10, 100);
            const { page, next } = paginate(CONTACTS, req.query.get('after'), limit);
            return {
              body: {
                results: page,
                ...(next
                  ? { paging: { next: { after: next, link: `${req.origin}/crm/v3/objects/contacts?limit=${limit}&after=${next}` } } }
                  : {}),
              },
            };
          },
        },
        {
          method: 'GET',
          path: '/crm/v3/objects/contacts/:id',
          handle: (req) => {
            const contact = CONTACTS.find((c) => c.id === req.params.id);
            return contact ? { body: contact } : error('not_found', 404);
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
    close: server.close,
  };
}
