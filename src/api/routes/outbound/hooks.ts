/**
 * `/hooks`: the REST Hooks API automation platforms (Zapier, Make) call to subscribe a target URL
 * to an event type, unsubscribe it, and fetch a sample for their field pickers. The app
 * definitions in `integrations/` call exactly these routes.
 */
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { recordAudit } from '../../../auth/index.ts';
import { listRestHooks, restHookSample, subscribeRestHook, unsubscribeRestHook, type Outbound } from '../../../webhooks/outbound/index.ts';
import { actorOf, principalOf, tenantOf } from '../../context.ts';
import { decodeCursor, Page, page, PageQuery } from '../../pagination.ts';
import { AUTHENTICATED_PROBLEMS, IdParams, problemResponses, Timestamp } from '../../schemas.ts';

const tags = ['hooks'];

const Hook = Type.Object({
  id: Type.String({ description: 'What the platform keeps to unsubscribe' }),
  targetUrl: Type.String(),
  event: Type.String(),
  enabled: Type.Boolean(),
  createdAt: Timestamp,
});
const Subscribed = Type.Object({
  ...Hook.properties,
  secret: Type.Union([Type.String(), Type.Null()], { description: 'The signing secret of the deliveries (Standard Webhooks `whsec_…`), shown this once' }),
});
const SubscribeBody = Type.Object(
  {
    targetUrl: Type.String({ minLength: 1, maxLength: 2_048, description: 'Where matching events are delivered (https; http only in dev)' }),
    event: Type.String({ minLength: 1, maxLength: 200, description: 'An event type, or a prefix such as `sync.*`' }),
  },
  { additionalProperties: false },
);

const hookView = (e: { id: string; url: string; eventTypes: string[] | null; enabled: boolean; createdAt: Date }) => ({
  id: e.id,
  targetUrl: e.url,
  event: e.eventTypes?.[0] ?? '*',
  enabled: e.enabled,
  createdAt: e.createdAt.toISOString(),
});

export const hookRoutes: FastifyPluginAsyncTypebox<{ outbound: Outbound }> = async (app, { outbound }) => {
  const db = () => app.deps.database.db;

  app.post(
    '/hooks',
    {
      config: { scope: 'endpoints:write', idempotency: { secretFields: ['secret'] } },
      schema: {
        operationId: 'subscribeHook',
        tags,
        summary: 'Subscribe a target URL to an event type (REST Hooks, as Zapier and Make call it)',
        body: SubscribeBody,
        response: { 201: Subscribed, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const scope = tenantOf(request);
      const { hook, secret } = await db().transaction(async (tx) => {
        const made = await subscribeRestHook(tx, outbound.endpointDeps, scope, request.body);
        await recordAudit(tx, { ...scope, actor: actorOf(request), action: 'hook.subscribed', targetType: 'endpoint', targetId: made.hook.id, details: { url: made.hook.url, event: request.body.event } });
        return made;
      });
      return reply.status(201).send({ ...hookView(hook), secret });
    },
  );

  app.get(
    '/hooks',
    { config: { scope: 'endpoints:read' }, schema: { operationId: 'listHooks', tags, summary: 'REST hooks of this environment', querystring: Type.Object(PageQuery), response: { 200: Page(Hook), ...problemResponses(...AUTHENTICATED_PROBLEMS) } } },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const rows = await listRestHooks(db(), tenantOf(request), { limit: limit + 1, after: decodeCursor(request.query.cursor) });
      const result = page(rows, limit, (r) => r.id);
      return { data: result.data.map(hookView), nextCursor: result.nextCursor };
    },
  );

  app.delete(
    '/hooks/:id',
    { config: { scope: 'endpoints:write' }, schema: { operationId: 'unsubscribeHook', tags, summary: 'Unsubscribe: nothing more is delivered to its target URL', params: IdParams, response: { 200: Hook, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) } } },
    async (request) => {
      const scope = tenantOf(request);
      const hook = await db().transaction(async (tx) => {
        const removed = await unsubscribeRestHook(tx, outbound.endpointDeps.vault, scope, request.params.id);
        await recordAudit(tx, { ...scope, actor: actorOf(request), action: 'hook.unsubscribed', targetType: 'endpoint', targetId: removed.id, details: { url: removed.url } });
        return removed;
      });
      outbound.forget(hook.id);
      return hookView(hook);
    },
  );

  app.get(
    '/hooks/samples/:event',
    {
      config: { scope: 'endpoints:read' },
      schema: {
        operationId: 'hookSample',
        tags,
        summary: "A sample of what a hook for this event type receives (the type's example), for a platform's field picker",
        params: Type.Object({ event: Type.String({ minLength: 1, maxLength: 200 }) }),
        response: { 200: Type.Array(Type.Record(Type.String(), Type.Unknown())), ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) },
      },
    },
    async (request) => restHookSample(db(), { ...tenantOf(request), environment: principalOf(request).environmentName ?? '' }, request.params.event),
  );
};
