/**
 * Vercel: deployments of a Vercel account or team, read with an access token, and its webhooks.
 * API reference: https://vercel.com/docs/rest-api (bearer access tokens; `teamId` for a team's
 * resources; errors `{ error: { code, message } }`, an invalid token answered 403 with
 * `invalidToken: true`; `X-RateLimit-*` and 429); Get the User (`GET /v2/user`); List deployments
 * (`GET /v6/deployments` with `limit`, `since`, `until`; `pagination.next` is the `until` of the
 * next page): https://vercel.com/docs/rest-api/reference/endpoints/deployments/list-deployments.
 * Webhooks (`x-vercel-signature`: hex HMAC-SHA1 of the body with the webhook's secret; `{ id, type,
 * createdAt, payload }`): https://vercel.com/docs/webhooks/webhooks-api
 */
import { Type } from 'typebox';
import type { SyncDefinition } from '../extensions.ts';
import { connected, defineConnector, expectOk, hmac, bodyField, jsonField, matchesAny, monogramIcon, parseJsonBody, ProviderFailureError, refused, verified } from '../sdk.ts';

interface Deployment {
  uid: string;
  name: string;
  url: string;
  state?: string;
  readyState?: string;
  target?: string | null;
  created: number;
}

const teamQuery = (config: Readonly<Record<string, string | undefined>>): Record<string, string> => (config.teamId ? { teamId: config.teamId } : {});

/** Deployments newest first, `until` paging back; an incremental run asks for those created `since` the newest seen. */
const deployments: SyncDefinition = {
  model: 'deployments',
  description: 'Vercel deployments',
  schema: Type.Object({ id: Type.String(), project: Type.String(), url: Type.String(), state: Type.String(), target: Type.Union([Type.String(), Type.Null()]), createdAt: Type.String() }),
  frequency: 'every 30m',
  dataStrategy: 'events',
  async exec(ctx) {
    const checkpoint = (await ctx.checkpoint.get<{ since?: number; until?: number; newest?: number }>()) ?? {};
    const since = ctx.full ? ctx.since?.getTime() : (checkpoint.since ?? ctx.since?.getTime());
    let newest = checkpoint.newest ?? since ?? 0;
    const pages = ctx.paginate<Deployment>(
      { path: '/v6/deployments', query: { limit: 100, ...teamQuery(ctx.config), ...(since ? { since: since + 1 } : {}) } },
      { type: 'cursor', results: 'deployments', cursorPath: 'pagination.next', cursorParam: 'until', start: checkpoint.until },
    );
    for await (const page of pages) {
      for (const d of page.items) newest = Math.max(newest, d.created);
      await ctx.batchSave(
        page.items.map((d) => ({
          externalId: d.uid,
          data: { id: d.uid, project: d.name, url: d.url, state: d.readyState ?? d.state ?? 'UNKNOWN', target: d.target ?? null, createdAt: new Date(d.created).toISOString() },
          updatedAt: new Date(d.created).toISOString(),
        })),
      );
      await ctx.checkpoint.save({ since: checkpoint.since, until: page.next === undefined ? undefined : Number(page.next), newest });
    }
    await ctx.checkpoint.save({ since: newest || since });
  },
};

export default defineConnector({
  key: 'vercel',
  name: 'Vercel',
  description: 'Deployments of a Vercel account or team, read with an access token, and its webhooks (deployments created, ready, failed…).',
  category: 'dev',
  icon: monogramIcon('Vc', '#000000'),
  capabilities: ['proxy', 'records', 'webhooks'],
  connectionMode: 'apiKey',
  connectionConfig: {
    teamId: { label: 'Team ID', help: 'For a team’s deployments: Team settings → General → Team ID. Empty for a personal account.', required: false, pattern: 'team_[A-Za-z0-9]{10,40}', patternHint: 'starts with team_' },
  },
  auth: {
    fields: { accessToken: { label: 'Access token', help: 'Account settings → Tokens → Create (scoped to the team if you give a Team ID).', pattern: '[A-Za-z0-9]{20,}', patternHint: 'is the token Vercel showed once', secret: true } },
    inject: { in: 'header', name: 'Authorization', format: 'Bearer {accessToken}' },
  },
  baseUrls: { production: 'https://api.vercel.com' },
  // No rateLimit: limits differ per endpoint and plan; answers carry X-RateLimit-* headers.
  uiEmbeds: [{ surface: 'connection', placement: 'tab', title: 'Deployments' }],
  docsUrl: 'https://vercel.com/docs/rest-api',
  syncs: [deployments],

  async testConnection(ctx) {
    const response = await ctx.http.request<{ user?: { id: string; username: string; email?: string }; error?: { invalidToken?: boolean; message?: string } }>({ path: '/v2/user' });
    if (response.status === 403 && response.body.error?.invalidToken) throw new ProviderFailureError('invalid_credentials', response.body.error.message ?? 'Vercel says the token is not valid', { response });
    const { body } = expectOk(response);
    return connected({ id: body.user?.id, name: body.user?.username, email: body.user?.email, team: ctx.config.teamId });
  },

  webhooks: {
    verify(request, secrets) {
      const signature = request.headers['x-vercel-signature'];
      if (!signature) return refused('the x-vercel-signature header is missing');
      const expected = secrets.map((secret) => hmac('sha1', secret, request.rawBody).toString('hex'));
      return matchesAny(expected, [signature]) ? verified : refused('the signature does not match');
    },
    eventId: (request) => bodyField(request, 'id'),
    route(request) {
      const payload = parseJsonBody(request);
      return { eventType: jsonField(payload, 'type') ?? 'unknown', externalAccountId: jsonField(payload, 'payload.team.id') ?? jsonField(payload, 'payload.user.id'), payload };
    },
  },
});
