/**
 * Svix: the applications (one per customer of yours) of a Svix environment, read with its API
 * token, and webhooks from any sender that delivers through Svix.
 * - API: `Authorization: Bearer <token>`; `GET /api/v1/app?limit(≤250)&iterator&order` →
 *   `{ data, iterator, prevIterator, done }`; errors `{ code, detail }`; regional hosts
 *   (api.us., api.eu., api.in., api.ca., api.au.svix.com): https://api.svix.com/docs
 * - Verifying: https://docs.svix.com/receiving/verifying-payloads/how-manual
 */
import { Type } from 'typebox';
import type { SyncDefinition } from '../extensions.ts';
import { connected, defineConnector, expectOk, jsonField, monogramIcon, parseJsonBody, verifyStandardWebhook } from '../sdk.ts';

interface Application {
  id: string;
  uid?: string | null;
  name: string;
  rateLimit?: number | null;
  metadata?: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

interface ListResponse<T> {
  data: T[];
  iterator: string | null;
  done: boolean;
}

const Text = Type.Union([Type.String(), Type.Null()]);

/**
 * Every application, oldest first. Paged by hand: Svix says the end with `done` while still
 * returning an iterator, which the shared cursor paging would follow once more.
 */
const applications: SyncDefinition = {
  model: 'applications',
  description: 'Svix applications (the consumers you send webhooks to)',
  schema: Type.Object({ id: Type.String(), uid: Text, name: Type.String(), rateLimit: Type.Union([Type.Integer(), Type.Null()]), metadata: Type.Record(Type.String(), Type.String()), createdAt: Type.String(), updatedAt: Type.String() }),
  frequency: 'daily',
  dataStrategy: 'snapshot',
  async exec(ctx) {
    let iterator = (await ctx.checkpoint.get<{ iterator?: string }>())?.iterator;
    for (;;) {
      const { body } = expectOk(await ctx.http.request<ListResponse<Application>>({ path: '/api/v1/app', query: { limit: 250, order: 'ascending', ...(iterator ? { iterator } : {}) }, signal: ctx.signal }));
      await ctx.batchSave(
        body.data.map((a) => ({
          externalId: a.id,
          data: { id: a.id, uid: a.uid ?? null, name: a.name, rateLimit: a.rateLimit ?? null, metadata: a.metadata ?? {}, createdAt: a.createdAt, updatedAt: a.updatedAt },
          updatedAt: a.updatedAt,
        })),
      );
      iterator = body.done || !body.iterator ? undefined : body.iterator;
      await ctx.checkpoint.save({ iterator });
      if (!iterator) break;
    }
  },
};

export default defineConnector({
  key: 'svix',
  name: 'Svix',
  description: 'Applications of your Svix environment (read with an API token), and webhooks from any sender that delivers through Svix (svix-id, svix-timestamp, svix-signature headers), verified with its whsec_ secret.',
  category: 'dev',
  icon: monogramIcon('Sx', '#3b4bdb'),
  capabilities: ['proxy', 'records', 'webhooks'],
  connectionMode: 'apiKey',
  auth: {
    fields: {
      authToken: {
        label: 'API token',
        help: 'Svix dashboard → API Access → an API token (sk_… or testsk_…; its suffix names the region).',
        secret: true,
        pattern: '(?:test)?sk_[A-Za-z0-9._-]{10,}',
        patternHint: 'starts with sk_ or testsk_',
      },
    },
    inject: { in: 'header', name: 'Authorization', format: 'Bearer {authToken}' },
  },
  baseUrls: { production: 'https://api.svix.com', us: 'https://api.us.svix.com', eu: 'https://api.eu.svix.com', in: 'https://api.in.svix.com', ca: 'https://api.ca.svix.com', au: 'https://api.au.svix.com' },
  uiEmbeds: [{ surface: 'connection', placement: 'tab', title: 'Received events' }],
  docsUrl: 'https://api.svix.com/docs',
  syncs: [applications],

  async testConnection(ctx) {
    const { body } = expectOk(await ctx.http.request<ListResponse<Application>>({ path: '/api/v1/app', query: { limit: 1 } }));
    return connected({ name: 'Svix environment', hasApplications: body.data.length > 0 });
  },

  // https://docs.svix.com/receiving/verifying-payloads/how-manual: the Standard Webhooks scheme
  // under `svix-*` header names (the `webhook-*` names are accepted too).
  webhooks: {
    verify: (request, secrets, { toleranceSeconds }) => verifyStandardWebhook(request, secrets, toleranceSeconds),
    eventId: (request) => request.headers['svix-id'] ?? request.headers['webhook-id'],
    route(request) {
      const payload = parseJsonBody(request);
      return { eventType: jsonField(payload, 'type') ?? 'webhook', payload };
    },
  },
});
