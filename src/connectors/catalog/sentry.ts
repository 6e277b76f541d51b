/**
 * Sentry: issues of a Sentry organization, read with an auth token, and its integration
 * webhooks. API reference: authentication (bearer auth tokens; sentry.io, de.sentry.io for EU
 * data, or a self-hosted URL): https://docs.sentry.io/api/auth/; organization
 * (`GET /api/0/organizations/{org}/`); issues (`GET /api/0/organizations/{org}/issues/` with
 * `query`, `sort`, `limit`, `cursor`): https://docs.sentry.io/api/events/list-an-organizations-issues/;
 * pagination (`Link` with `rel="next"; results="true|false"; cursor="…"`):
 * https://docs.sentry.io/api/pagination/; rate limits (429, `X-Sentry-Rate-Limit-*`):
 * https://docs.sentry.io/api/ratelimits/. Webhooks (`Sentry-Hook-Signature`: hex HMAC-SHA256 of the
 * body keyed by the integration's client secret; `Sentry-Hook-Resource`, `Request-ID`):
 * https://docs.sentry.io/organization/integrations/integration-platform/webhooks/
 */
import { Type } from 'typebox';
import type { SyncDefinition } from '../extensions.ts';
import { connected, defineConnector, expectOk, hmac, jsonField, matchesAny, monogramIcon, parseJsonBody, refused, verified } from '../sdk.ts';

interface Issue {
  id: string;
  shortId: string;
  title: string;
  culprit?: string | null;
  level: string;
  status: string;
  count: string;
  userCount: number;
  firstSeen: string;
  lastSeen: string;
  permalink: string;
  project: { slug: string };
}

/** The `rel="next"` link of a Sentry `Link` header, when it says more results follow. */
function nextCursor(link: string | undefined): string | undefined {
  for (const part of (link ?? '').split(/,(?=\s*<)/)) {
    if (/rel="next"/.test(part) && /results="true"/.test(part)) return /cursor="([^"]+)"/.exec(part)?.[1];
  }
  return undefined;
}

const Text = Type.Union([Type.String(), Type.Null()]);

/** Issues seen since the last run (`lastSeen:>=…`), newest first; every page's cursor is the checkpoint within a run. */
const issues: SyncDefinition = {
  model: 'issues',
  description: 'Sentry issues',
  schema: Type.Object({ id: Type.String(), shortId: Type.String(), title: Type.String(), culprit: Text, level: Type.String(), status: Type.String(), events: Type.Integer(), users: Type.Integer(), project: Type.String(), firstSeen: Type.String(), lastSeen: Type.String(), url: Type.String() }),
  frequency: 'every 30m',
  dataStrategy: 'events',
  async exec(ctx) {
    const checkpoint = (await ctx.checkpoint.get<{ since?: string; cursor?: string; newest?: string }>()) ?? {};
    const since = ctx.full ? ctx.since?.toISOString() : (checkpoint.since ?? ctx.since?.toISOString());
    let newest = checkpoint.newest ?? since ?? '';
    let cursor = checkpoint.cursor;
    for (;;) {
      const response = expectOk(
        await ctx.http.request<Issue[]>({
          path: `/api/0/organizations/${encodeURIComponent(ctx.config.organization!)}/issues/`,
          query: { query: since ? `lastSeen:>=${since}` : '', sort: 'date', limit: 100, ...(cursor ? { cursor } : {}) },
        }),
      );
      const page = response.body;
      for (const issue of page) if (issue.lastSeen > newest) newest = issue.lastSeen;
      await ctx.batchSave(
        page.map((i) => ({
          externalId: i.id,
          data: { id: i.id, shortId: i.shortId, title: i.title, culprit: i.culprit ?? null, level: i.level, status: i.status, events: Number(i.count), users: i.userCount, project: i.project.slug, firstSeen: i.firstSeen, lastSeen: i.lastSeen, url: i.permalink },
          updatedAt: i.lastSeen,
        })),
      );
      cursor = nextCursor(response.headers.link as string | undefined);
      await ctx.checkpoint.save({ since: checkpoint.since, cursor, newest });
      if (!cursor || page.length === 0) break;
    }
    await ctx.checkpoint.save({ since: newest || since });
  },
};

export default defineConnector({
  key: 'sentry',
  name: 'Sentry',
  description: 'Issues of a Sentry organization (errors and performance problems), read with an auth token, and its integration webhooks.',
  category: 'dev',
  icon: monogramIcon('Se', '#362d59'),
  capabilities: ['proxy', 'records', 'webhooks'],
  connectionMode: 'apiKey',
  connectionConfig: {
    organization: { label: 'Organization slug', help: 'As in sentry.io/organizations/<slug>/.', pattern: '[a-z0-9][a-z0-9_-]{0,49}', patternHint: 'is the lower-case slug in your Sentry address' },
  },
  auth: {
    fields: {
      authToken: { label: 'Auth token', help: 'Settings → Developer Settings → Internal Integration (or a personal token) with org:read and event:read.', pattern: '[A-Za-z0-9_=+/.-]{32,}', patternHint: 'is a Sentry auth token (sntrys_… or 64 hexadecimal characters)', secret: true },
    },
    inject: { in: 'header', name: 'Authorization', format: 'Bearer {authToken}' },
  },
  baseUrls: { production: 'https://sentry.io', eu: 'https://de.sentry.io' },
  // No rateLimit: Sentry sets per-endpoint windows and says them in X-Sentry-Rate-Limit-* headers.
  uiEmbeds: [{ surface: 'connection', placement: 'tab', title: 'Issues' }],
  docsUrl: 'https://docs.sentry.io/api/',
  syncs: [issues],

  async testConnection(ctx) {
    const { body } = expectOk(await ctx.http.request<{ id: string; slug: string; name: string }>({ path: `/api/0/organizations/${encodeURIComponent(ctx.config.organization!)}/` }));
    return connected({ id: body.id, name: body.name, slug: body.slug });
  },

  webhooks: {
    verify(request, secrets) {
      const signature = request.headers['sentry-hook-signature'];
      if (!signature) return refused('the Sentry-Hook-Signature header is missing');
      const expected = secrets.map((secret) => hmac('sha256', secret, request.rawBody).toString('hex'));
      return matchesAny(expected, [signature]) ? verified : refused('the signature does not match');
    },
    eventId: (request) => request.headers['request-id'],
    route(request) {
      const payload = parseJsonBody(request);
      const resource = request.headers['sentry-hook-resource'] ?? 'unknown';
      const action = jsonField(payload, 'action');
      return { eventType: action ? `${resource}.${action}` : resource, externalAccountId: jsonField(payload, 'installation.uuid'), payload };
    },
  },
});
