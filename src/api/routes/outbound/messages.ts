import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { recordAudit } from '../../../auth/index.ts';
import {
  deliveriesOf,
  getAttempt,
  getEndpoint,
  getMessage,
  listAttempts,
  listDeadLetters,
  listMessages,
  maskHeaders,
  openSigningKeys,
  resend,
  retryDeadLetters,
  webhookHeaders,
  type Outbound,
} from '../../../webhooks/outbound/index.ts';
import { actorOf, tenantOf } from '../../context.ts';
import { checkReferences } from '../../references.ts';
import { decodeCursor, Page, page, PageQuery } from '../../pagination.ts';
import { AUTHENTICATED_PROBLEMS, IdParams, problemResponses } from '../../schemas.ts';
import { AttemptSchema, attemptView, date, DeliverySchema, deliveryView, Instant, MessageSchema, messageView } from './views.ts';

const tags = ['messages'];
const DeadLetterFilter = {
  endpointId: Type.Optional(Type.String({ maxLength: 128 })),
  eventType: Type.Optional(Type.String({ maxLength: 200 })),
  since: Type.Optional(Instant('Messages created at or after')),
  until: Type.Optional(Instant('Messages created at or before')),
};
export const DeadLetterFilterBody = Type.Object(DeadLetterFilter, { additionalProperties: false });
export const AttemptRequestSchema = Type.Object({
  method: Type.Literal('POST'),
  url: Type.String(),
  headers: Type.Record(Type.String(), Type.String(), { description: "Custom headers (credential-like values masked), then content-type, user-agent and the Standard Webhooks headers" }),
  body: Type.Union([Type.String(), Type.Null()], { description: 'The signed body; null once retention pruned the payload (then no signature either)' }),
});
export const DeadLetterSchema = Type.Intersect([DeliverySchema, Type.Object({ eventType: Type.String() })]);

export const messageRoutes: FastifyPluginAsyncTypebox<{ outbound: Outbound }> = async (app, { outbound }) => {
  const { clock } = outbound;
  const db = () => app.deps.database.db;

  app.get(
    '/messages',
    {
      config: { scope: 'events:read' },
      schema: {
        operationId: 'listMessages',
        tags,
        summary: 'Messages, newest first',
        querystring: Type.Object({
          ...PageQuery,
          eventType: Type.Optional(Type.String({ maxLength: 200 })),
          channel: Type.Optional(Type.String({ maxLength: 128 })),
          since: Type.Optional(Instant('Created at or after')),
          until: Type.Optional(Instant('Created at or before')),
        }),
        response: { 200: Page(MessageSchema), ...problemResponses(...AUTHENTICATED_PROBLEMS) },
      },
    },
    async (request) => {
      const { limit = 50, cursor, eventType, channel, since, until } = request.query;
      const rows = await listMessages(db(), tenantOf(request), { eventType, channel, since: date(since), until: date(until) }, { limit: limit + 1, before: decodeCursor(cursor) });
      const result = page(rows, limit, (r) => r.id);
      return { data: result.data.map(messageView), nextCursor: result.nextCursor };
    },
  );

  app.get(
    '/messages/:id',
    {
      config: { scope: 'events:read' },
      schema: {
        operationId: 'getMessage',
        tags,
        summary: 'A message with its state at each endpoint',
        params: IdParams,
        response: { 200: Type.Intersect([MessageSchema, Type.Object({ deliveries: Type.Array(DeliverySchema) })]), ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) },
      },
    },
    async (request) => {
      const scope = tenantOf(request);
      const message = await getMessage(db(), scope, request.params.id);
      return { ...messageView(message), deliveries: (await deliveriesOf(db(), scope, message.id)).map(deliveryView) };
    },
  );

  app.get(
    '/messages/:id/attempts',
    {
      config: { scope: 'endpoints:read' },
      schema: {
        operationId: 'listMessageAttempts',
        tags,
        summary: 'Every attempt of a message, oldest first: status, latency, response headers and body (4 KiB), error class, next attempt',
        params: IdParams,
        querystring: Type.Object({ ...PageQuery, endpointId: Type.Optional(Type.String({ maxLength: 128 })) }),
        response: { 200: Page(AttemptSchema), ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) },
      },
    },
    async (request) => {
      const scope = tenantOf(request);
      const message = await getMessage(db(), scope, request.params.id);
      const limit = request.query.limit ?? 50;
      const rows = await listAttempts(db(), scope, message.id, { endpointId: request.query.endpointId, limit: limit + 1, after: decodeCursor(request.query.cursor) });
      const result = page(rows, limit, (r) => r.id);
      return { data: result.data.map(attemptView), nextCursor: result.nextCursor };
    },
  );

  app.get(
    '/messages/:id/attempts/:attemptId/request',
    {
      config: { scope: 'endpoints:read' },
      schema: {
        operationId: 'getAttemptRequest',
        tags,
        summary:
          "The request an attempt sent: URL, headers and signed body. Rebuilt from the stored payload and the attempt's time; the signature is recomputed with the signing keys valid then (a key whose grace period has ended is gone), custom headers are the endpoint's current ones",
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }), attemptId: Type.String({ minLength: 1, maxLength: 128 }) }),
        response: { 200: AttemptRequestSchema, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) },
      },
    },
    async (request) => {
      const scope = tenantOf(request);
      const message = await getMessage(db(), scope, request.params.id);
      const attempt = await getAttempt(db(), scope, message.id, request.params.attemptId);
      const endpoint = await getEndpoint(db(), scope, attempt.endpointId);
      const body = message.payload;
      const signed = body === null ? {} : webhookHeaders(await openSigningKeys(db(), outbound.vault, endpoint), message.id, attempt.startedAt, body);
      const headers = { ...maskHeaders(endpoint.headers), 'content-type': 'application/json', 'user-agent': outbound.settings.userAgent, ...signed };
      return { method: 'POST' as const, url: endpoint.url, headers, body };
    },
  );

  app.post(
    '/messages/:id/endpoints/:endpointId/resend',
    {
      config: { scope: 'endpoints:write' },
      schema: {
        operationId: 'resendMessage',
        tags,
        summary: 'Send a message to one endpoint again (same webhook-id, fresh retry schedule)',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }), endpointId: Type.String({ minLength: 1, maxLength: 128 }) }),
        response: { 202: DeliverySchema, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 409) },
      },
    },
    async (request, reply) => {
      const scope = tenantOf(request);
      const delivery = await db().transaction(async (tx) => {
        const row = await resend(tx, clock, scope, request.params.id, request.params.endpointId);
        await recordAudit(tx, { ...scope, actor: actorOf(request), action: 'message.resent', targetType: 'message', targetId: row.messageId, details: { endpointId: row.endpointId } });
        return row;
      });
      return reply.status(202).send(deliveryView(delivery));
    },
  );

  app.get(
    '/dead-letters',
    {
      config: { scope: 'endpoints:read' },
      schema: {
        operationId: 'listDeadLetters',
        tags,
        summary: 'Deliveries that failed for good, newest message first',
        querystring: Type.Object({ ...PageQuery, ...DeadLetterFilter }),
        response: { 200: Page(DeadLetterSchema), ...problemResponses(...AUTHENTICATED_PROBLEMS) },
      },
    },
    async (request) => {
      const { limit = 50, cursor, endpointId, eventType, since, until } = request.query;
      const rows = await listDeadLetters(db(), tenantOf(request), { endpointId, eventType, since: date(since), until: date(until) }, { limit: limit + 1, before: decodeCursor(cursor) });
      const result = page(rows, limit, (r) => r.delivery.messageId);
      return { data: result.data.map((r) => ({ ...deliveryView(r.delivery), eventType: r.eventType })), nextCursor: result.nextCursor };
    },
  );

  app.post(
    '/dead-letters/retry',
    {
      config: { scope: 'endpoints:write' },
      schema: {
        operationId: 'retryDeadLetters',
        tags,
        summary: 'Retry dead letters matching a filter (of enabled endpoints), each with a fresh retry schedule',
        body: DeadLetterFilterBody,
        response: { 202: Type.Object({ retried: Type.Integer() }), ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 422) },
      },
    },
    async (request, reply) => {
      const scope = tenantOf(request);
      const { endpointId, eventType, since, until } = request.body;
      await checkReferences([{ field: '/endpointId', what: 'endpoint', id: endpointId, find: (id) => getEndpoint(db(), scope, id) }]);
      const retried = await db().transaction(async (tx) => {
        const n = await retryDeadLetters(tx, clock, scope, { endpointId, eventType, since: date(since), until: date(until) });
        await recordAudit(tx, { ...scope, actor: actorOf(request), action: 'dead_letters.retried', targetType: 'endpoint', targetId: endpointId, details: { ...request.body, count: n } });
        return n;
      });
      return reply.status(202).send({ retried });
    },
  );
};
