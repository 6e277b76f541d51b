/**
 * Slack: post messages and read channels in a workspace, as a bot installed with OAuth v2.
 * API reference: https://docs.slack.dev/reference/methods (auth.test, conversations.*), errors and
 * rate limits: https://docs.slack.dev/apis/web-api/, OAuth: https://docs.slack.dev/authentication/installing-with-oauth
 * Events API and request signing: https://docs.slack.dev/apis/events-api/, https://docs.slack.dev/authentication/verifying-requests-from-slack
 */
import { ProviderFailureError, connected, defineConnector, expectOk, monogramIcon, type FailureCode, hmac, jsonField, matchesAny, parseJsonBody, refused, verified, withinTolerance } from '../sdk.ts';

interface AuthTest {
  ok: boolean;
  error?: string;
  url?: string;
  team?: string;
  team_id?: string;
  user?: string;
  user_id?: string;
  bot_id?: string;
}

// Slack answers most failures with HTTP 200 and `ok: false`; its error names say which.
const SLACK_ERRORS: Record<string, FailureCode> = {
  not_authed: 'invalid_credentials',
  invalid_auth: 'invalid_credentials',
  account_inactive: 'invalid_credentials',
  token_revoked: 'invalid_credentials',
  token_expired: 'invalid_credentials',
  missing_scope: 'insufficient_permissions',
  not_allowed_token_type: 'insufficient_permissions',
  no_permission: 'insufficient_permissions',
  ekm_access_denied: 'insufficient_permissions',
  ratelimited: 'rate_limited',
  unknown_method: 'not_found',
  fatal_error: 'provider_error',
  internal_error: 'provider_error',
  service_unavailable: 'provider_error',
};

/**
 * Events API deliveries are JSON; slash commands are a form, and interactions a form with one
 * `payload` field holding JSON.
 */
function slackPayload(request: { rawBody: Buffer }): unknown {
  const json = parseJsonBody(request);
  if (json !== undefined) return json;
  const form = Object.fromEntries(new URLSearchParams(request.rawBody.toString('utf8')));
  if (typeof form.payload === 'string') return parseJsonBody({ rawBody: Buffer.from(form.payload) }) ?? form;
  return form;
}

export default defineConnector({
  key: 'slack',
  name: 'Slack',
  description: 'Post messages and read channels in a Slack workspace as a bot user, installed with OAuth.',
  category: 'communication',
  icon: monogramIcon('Sl', '#4a154b'),
  capabilities: ['proxy', 'webhooks'],
  connectionMode: 'oauth',
  auth: {
    authorizationUrl: 'https://slack.com/oauth/v2/authorize',
    tokenUrl: 'https://slack.com/api/oauth.v2.access',
    // auth.revoke takes the token to revoke as a `token` form parameter, as RFC 7009 sends it.
    revocationUrl: 'https://slack.com/api/auth.revoke',
    scopes: ['channels:read', 'chat:write', 'team:read'],
    scopeSeparator: ',',
    // Slack documents PKCE (code_verifier) for its user-token exchange; the bot install flow
    // used here is a confidential-client exchange without it.
    pkce: false,
    tokenResponseFields: ['team', 'bot_user_id', 'app_id'],
  },
  baseUrls: { production: 'https://slack.com/api' },
  // Tier 3 methods (conversations.list and most reads): 50+ per minute per workspace.
  rateLimit: '50/minute',
  uiEmbeds: [{ surface: 'connection', placement: 'tab', title: 'Slack channels' }],
  docsUrl: 'https://docs.slack.dev/reference/methods',

  async testConnection(ctx) {
    const response = expectOk(await ctx.http.request<AuthTest>({ method: 'POST', path: '/auth.test' }));
    const { body } = response;
    if (!body.ok) {
      const name = body.error ?? 'unknown_error';
      throw new ProviderFailureError(SLACK_ERRORS[name] ?? 'unexpected_response', name, { response });
    }
    return connected({ id: body.team_id, name: body.team, url: body.url, botUserId: body.user_id });
  },


  // https://docs.slack.dev/authentication/verifying-requests-from-slack: `X-Slack-Signature:
  // v0=<hex HMAC-SHA256 of "v0:<X-Slack-Request-Timestamp>:<body>">` keyed by the signing secret.
  webhooks: {
    verify(request, secrets, { toleranceSeconds }) {
      const timestamp = request.headers['x-slack-request-timestamp'];
      const signature = request.headers['x-slack-signature'];
      if (!signature) return refused('the X-Slack-Signature header is missing');
      const stale = withinTolerance(timestamp, request.receivedAt, toleranceSeconds);
      if (stale) return refused(stale);
      const expected = secrets.map((secret) => `v0=${hmac('sha256', secret, `v0:${timestamp}:`, request.rawBody).toString('hex')}`);
      return matchesAny(expected, [signature]) ? verified : refused('the signature does not match');
    },
    eventId: (request) => jsonField(slackPayload(request), 'event_id'),
    // https://docs.slack.dev/reference/events/url_verification: answer with the challenge.
    handshake(request) {
      const payload = slackPayload(request);
      if (jsonField(payload, 'type') !== 'url_verification') return undefined;
      return { status: 200, headers: { 'content-type': 'text/plain' }, body: jsonField(payload, 'challenge') ?? '' };
    },
    route(request) {
      const payload = slackPayload(request);
      return {
        eventType: jsonField(payload, 'event.type') ?? jsonField(payload, 'type') ?? (jsonField(payload, 'command') ? 'slash_command' : 'unknown'),
        externalAccountId: jsonField(payload, 'team_id') ?? jsonField(payload, 'team.id'),
        payload,
      };
    },
  },
});
