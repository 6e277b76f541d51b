/**
 * Slack simulator. Follows Slack's published Web API reference:
 * - auth.test: https://docs.slack.dev/reference/methods/auth.test
 * - Errors come back as HTTP 200 with `{ "ok": false, "error": "invalid_auth" }` (`not_authed`
 *   without a token, `missing_scope` with `needed`/`provided`): https://docs.slack.dev/apis/web-api/
 * - Rate limits (HTTP 429 with `Retry-After`): https://docs.slack.dev/apis/web-api/rate-limits
 * - Cursor pagination (`cursor`, `limit`, `response_metadata.next_cursor`):
 *   https://docs.slack.dev/apis/web-api/pagination and https://docs.slack.dev/reference/methods/conversations.list
 * - OAuth v2 (authorize with comma-separated scopes, oauth.v2.access, auth.revoke):
 *   https://docs.slack.dev/authentication/installing-with-oauth,
 *   https://docs.slack.dev/reference/methods/oauth.v2.access, https://docs.slack.dev/reference/methods/auth.revoke
 * Authentication: `Authorization: Bearer xoxb-…`, or a `token` form parameter.
 */
import { oauthEndpoints, seed, type SimulatorHandle, type SimulatorOptions } from './support/handle.ts';
import { oauthServer, type OAuthServerOptions } from './support/oauth.ts';
import { bearerToken, bodyParams, createControl, intParam, serveSimulator, type ErrorKind, type Route, type SimReply, type SimRequest } from './support/server.ts';

const PATHS: OAuthServerOptions['paths'] = { authorize: '/oauth/v2/authorize', token: '/api/oauth.v2.access', revoke: '/api/auth.revoke' };
const TEAM = { id: 'T0SIM00001', name: 'Patchbay Simulated Workspace' };

const CHANNELS = seed(12, (i) => ({
  id: `C0SIM${String(i).padStart(5, '0')}`,
  name: i === 1 ? 'general' : `channel-${i}`,
  is_channel: true,
  is_private: false,
  is_archived: false,
  num_members: 3 + i,
  created: 1735689600 + i,
}));

function error(kind: ErrorKind, status: number, req: SimRequest): SimReply {
  switch (kind) {
    case 'unauthorized':
      return { body: { ok: false, error: req.credential ? 'invalid_auth' : 'not_authed' } };
    case 'forbidden':
      return { body: { ok: false, error: 'missing_scope', needed: 'channels:read', provided: 'chat:write' } };
    case 'not_found':
      return { body: { ok: false, error: 'unknown_method', req_method: req.path.replace(/^\/api\//, '') } };
    case 'rate_limited':
      return { status: 429, body: { ok: false, error: 'ratelimited' } };
    case 'server_error':
      return { status, body: { ok: false, error: 'internal_error' } };
    case 'bad_request':
      return { body: { ok: false, error: 'invalid_arguments' } };
  }
}

/** Slack methods accept GET or POST alike. */
function method(name: string, handle: Route['handle']): Route[] {
  return ['GET', 'POST'].map((m) => ({ method: m, path: `/api/${name}`, handle }));
}

function args(req: SimRequest): URLSearchParams {
  const merged = new URLSearchParams(req.query);
  for (const [k, v] of bodyParams(req)) merged.set(k, v);
  return merged;
}

export async function startSlackSimulator(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const control = createControl(options.credentials ?? []);
  const oauth = oauthServer(
    {
      paths: PATHS,
      style: 'slack',
      accessTokenPrefix: 'xoxb-0sim-',
      refreshTokens: false,
      tokenFields: () => ({
        bot_user_id: 'U0SIMBOT01',
        app_id: 'A0SIMAPP01',
        team: TEAM,
        enterprise: null,
        is_enterprise_install: false,
        authed_user: { id: 'U0SIM00001' },
      }),
    },
    control,
  );
  const server = await serveSimulator(
    {
      key: 'slack',
      credential: (req) => bearerToken(req.headers) ?? new URLSearchParams(req.rawBody).get('token') ?? req.query.get('token') ?? undefined,
      error,
      routes: [
        ...oauth.routes,
        ...method('auth.test', () => ({
          body: {
            ok: true,
            url: 'https://patchbay-sim.slack.com/',
            team: TEAM.name,
            user: 'patchbay',
            team_id: TEAM.id,
            user_id: 'U0SIMBOT01',
            bot_id: 'B0SIMBOT01',
            is_enterprise_install: false,
          },
        })),
        ...method('conversations.list', (req) => {
          const params = args(req);
          const limit = intParam(params.get('limit'), 100, 1000);
          const cursor = params.get('cursor');
          const start = cursor ? Number(Buffer.from(cursor, 'base64').toString('utf8').replace('next:', '')) || 0 : 0;
          const page = CHANNELS.slice(start, start + limit);
          const next = start + limit < CHANNELS.length ? Buffer.from(`next:${start + limit}`).toString('base64') : '';
          return { body: { ok: true, channels: page, response_metadata: { next_cursor: next } } };
        }),
      ],
    },
    { ...options, control },
  );
  const tokens = oauth.control.issueTokens('channels:read,chat:write,team:read');
  control.baseline();
  return {
    key: 'slack',
    url: server.url,
    baseUrl: `${server.url}/api`,
    oauth: oauthEndpoints(server.url, PATHS, oauth.control),
    sample: { credentials: { accessToken: tokens.accessToken }, connectionConfig: {}, integrationConfig: {}, metadata: { team: TEAM, bot_user_id: 'U0SIMBOT01' } },
    control: server.control,
    close: server.close,
  };
}
