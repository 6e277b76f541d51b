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
 * - chat.postMessage (`channel`, `text`, `attachments`, `thread_ts`; answers `channel`, `ts`,
 *   `message`; `channel_not_found`): https://docs.slack.dev/reference/methods/chat.postMessage
 * - chat.update (`channel`, `ts`; `message_not_found`): https://docs.slack.dev/reference/methods/chat.update
 * - Incoming webhooks (`POST https://hooks.slack.com/services/T…/B…/secret`, answered `ok` as text,
 *   errors as text with 400 `invalid_payload`, 403 `invalid_token`, 404 `no_service`):
 *   https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks
 * Authentication: `Authorization: Bearer xoxb-…`, or a `token` form parameter.
 */
import { oauthEndpoints, seed, type SimulatorHandle, type SimulatorOptions } from './support/handle.ts';
import { oauthServer, type OAuthServerOptions } from './support/oauth.ts';
import { bearerToken, bodyParams, createControl, intParam, serveSimulator, type ErrorKind, type InternalControl, type Route, type SimReply, type SimRequest } from './support/server.ts';

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

/** A message posted with chat.postMessage (and changed with chat.update) or through an incoming webhook. */
export interface SlackMessage {
  channel: string;
  ts: string;
  text: string;
  attachments: unknown[];
  blocks: unknown[];
  threadTs: string | null;
  /** chat.update calls that changed it, oldest first. */
  updates: { text: string; attachments: unknown[] }[];
  via: 'api' | 'webhook';
}

export interface SlackSimulatorHandle extends SimulatorHandle {
  messages: SlackMessage[];
  /** An incoming webhook URL the simulator accepts (posting to `#general`). */
  incomingWebhookUrl: string;
}

const WEBHOOK_SECRET = 'sIm0incoming0webhook0000';

function jsonArgs(req: SimRequest): Record<string, unknown> {
  if ((req.headers['content-type'] ?? '').includes('json')) {
    try {
      return JSON.parse(req.rawBody || '{}') as Record<string, unknown>;
    } catch {
      return {};
    }
  }
  const params = args(req);
  const out: Record<string, unknown> = Object.fromEntries(params);
  for (const key of ['attachments', 'blocks']) if (typeof out[key] === 'string') out[key] = JSON.parse(out[key] as string) as unknown;
  return out;
}

function messagingRoutes(messages: SlackMessage[], control: InternalControl): Route[] {
  let counter = 0;
  const channelId = (name: unknown) => {
    const wanted = String(name ?? '').replace(/^#/, '');
    return CHANNELS.find((c) => c.id === wanted || c.name === wanted)?.id;
  };
  const list = (value: unknown) => (Array.isArray(value) ? value : []);
  return [
    ...method('chat.postMessage', (req) => {
      const a = jsonArgs(req);
      const channel = channelId(a.channel);
      if (!channel) return { body: { ok: false, error: 'channel_not_found' } };
      if (!a.text && !a.blocks && !a.attachments) return { body: { ok: false, error: 'no_text' } };
      const threadTs = typeof a.thread_ts === 'string' ? a.thread_ts : null;
      if (threadTs && !messages.some((m) => m.channel === channel && m.ts === threadTs)) return { body: { ok: false, error: 'thread_not_found' } };
      const ts = `${1735689600 + ++counter}.${String(counter).padStart(6, '0')}`;
      const message: SlackMessage = { channel, ts, text: String(a.text ?? ''), attachments: list(a.attachments), blocks: list(a.blocks), threadTs, updates: [], via: 'api' };
      messages.push(message);
      return { body: { ok: true, channel, ts, message: { type: 'message', text: message.text, ts, bot_id: 'B0SIMBOT01', ...(threadTs ? { thread_ts: threadTs } : {}) } } };
    }),
    ...method('chat.update', (req) => {
      const a = jsonArgs(req);
      const channel = channelId(a.channel);
      if (!channel) return { body: { ok: false, error: 'channel_not_found' } };
      const message = messages.find((m) => m.channel === channel && m.ts === a.ts);
      if (!message) return { body: { ok: false, error: 'message_not_found' } };
      message.updates.push({ text: String(a.text ?? message.text), attachments: list(a.attachments) });
      message.text = String(a.text ?? message.text);
      if (a.attachments) message.attachments = list(a.attachments);
      return { body: { ok: true, channel, ts: message.ts, text: message.text } };
    }),
    {
      method: 'POST',
      path: '/services/:team/:bot/:secret',
      public: true,
      handle: (req) => {
        if (req.params.secret !== WEBHOOK_SECRET) return { status: 403, body: 'invalid_token' };
        // Public routes skip the shared fault controls; a forced status applies here too.
        const forced = control.forced;
        if (forced && forced.remaining > 0) {
          forced.remaining -= 1;
          return { status: forced.status, body: forced.status === 429 ? 'rate_limited' : 'internal_error', ...(forced.status === 429 ? { headers: { 'retry-after': String(forced.retryAfterSeconds ?? 30) } } : {}) };
        }
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(req.rawBody) as Record<string, unknown>;
        } catch {
          return { status: 400, body: 'invalid_payload' };
        }
        if (!body.text && !body.blocks && !body.attachments) return { status: 400, body: 'no_text' };
        const ts = `${1735689600 + ++counter}.${String(counter).padStart(6, '0')}`;
        messages.push({ channel: CHANNELS[0]!.id, ts, text: String(body.text ?? ''), attachments: list(body.attachments), blocks: list(body.blocks), threadTs: null, updates: [], via: 'webhook' });
        return { body: 'ok' };
      },
    },
  ];
}

export async function startSlackSimulator(options: SimulatorOptions = {}): Promise<SlackSimulatorHandle> {
  const control = createControl(options.credentials ?? []);
  const messages: SlackMessage[] = [];
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
        ...messagingRoutes(messages, control),
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
    messages,
    incomingWebhookUrl: `${server.url}/services/${TEAM.id}/B0SIMHOOK01/${WEBHOOK_SECRET}`,
    close: server.close,
  };
}
