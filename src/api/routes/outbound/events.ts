import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { deliveriesOf, getMessage, MAX_BATCH, type EventInput, type Outbound } from '../../../webhooks/outbound/index.ts';
import { tenantOf } from '../../context.ts';
import { AUTHENTICATED_PROBLEMS, IdParams, problemResponses, Timestamp } from '../../schemas.ts';
import { BODY_LIMITS } from '../../body.ts';
import { problems } from '../../../core/index.ts';
import { DeliverySchema, deliveryView, MessageSchema, messageView, publishedView } from './views.ts';

const tags = ['events'];

export const EventBody = Type.Object(
  {
    type: Type.String({ minLength: 1, maxLength: 200 }),
    data: Type.Record(Type.String(), Type.Unknown(), { description: 'Checked against the event type’s schema' }),
    eventId: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Your id for the event: a repeat returns the first message' })),
    occurredAt: Type.Optional(Timestamp),
    channels: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { maxItems: 10, uniqueItems: true })),
  },
  { additionalProperties: false },
);
type EventBodyValue = { type: string; data: Record<string, unknown>; eventId?: string; occurredAt?: string; channels?: string[] };
export const toEventInput = (e: EventBodyValue): EventInput => ({ ...e, occurredAt: e.occurredAt === undefined ? undefined : new Date(e.occurredAt) });

const Duplicate = Type.Boolean({ description: 'True when eventId was seen before: this is the first message' });
const PublishedMessage = Type.Intersect([MessageSchema, Type.Object({ duplicate: Duplicate })]);
// A batch answers without the data it was sent, so a thousand events make a small answer.
const PublishedBrief = Type.Object({ id: Type.String(), eventId: Type.Union([Type.String(), Type.Null()]), type: Type.String(), schemaVersion: Type.Integer(), duplicate: Duplicate });

export const eventRoutes: FastifyPluginAsyncTypebox<{ outbound: Outbound }> = async (app, { outbound }) => {
  app.post(
    '/events',
    {
      config: { scope: 'events:write', rateClass: 'publish' },
      schema: {
        operationId: 'publishEvent',
        tags,
        summary: 'Publish an event: stored and fanned out to matching endpoints in one transaction',
        body: EventBody,
        response: { 201: PublishedMessage, 200: PublishedMessage, ...problemResponses(...AUTHENTICATED_PROBLEMS, 422) },
      },
    },
    async (request, reply) => {
      const [result] = await outbound.publish(tenantOf(request), [toEventInput(request.body)]);
      return reply.status(result!.created ? 201 : 200).send({ ...publishedView(result!.message), duplicate: !result!.created });
    },
  );

  app.post(
    '/events/batch',
    {
      bodyLimit: BODY_LIMITS.eventBatch,
      config: { scope: 'events:write', rateClass: 'publish' },
      schema: {
        operationId: 'publishEvents',
        tags,
        summary: `Publish up to ${MAX_BATCH} events at once (all or none)`,
        body: Type.Object({ events: Type.Array(EventBody, { minItems: 1, maxItems: MAX_BATCH }) }, { additionalProperties: false }),
        response: { 201: Type.Object({ data: Type.Array(PublishedBrief) }), ...problemResponses(...AUTHENTICATED_PROBLEMS, 413, 422) },
      },
    },
    async (request, reply) => {
      // One event in a batch may be as large as one sent alone, no larger.
      const tooLarge = request.body.events.findIndex((e) => Buffer.byteLength(JSON.stringify(e)) > BODY_LIMITS.batchEvent);
      if (tooLarge >= 0) throw problems.payloadTooLarge(BODY_LIMITS.batchEvent, `Event /events/${tooLarge} of the batch`);
      const results = await outbound.publish(tenantOf(request), request.body.events.map(toEventInput), { fieldPrefix: (i) => `/events/${i}` });
      return reply.status(201).send({
        data: results.map(({ message, created }) => ({ id: message.id, eventId: message.externalId, type: message.eventType, schemaVersion: message.schemaVersion, duplicate: !created })),
      });
    },
  );

  app.get(
    '/events/:id',
    {
      config: { scope: 'events:read' },
      schema: {
        operationId: 'getEvent',
        tags,
        summary: 'A published event (by message id or event id) with its delivery to each endpoint',
        params: IdParams,
        response: { 200: Type.Intersect([MessageSchema, Type.Object({ deliveries: Type.Array(DeliverySchema) })]), ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) },
      },
    },
    async (request) => {
      const scope = tenantOf(request);
      const message = await getMessage(app.deps.database.db, scope, request.params.id);
      return { ...messageView(message), deliveries: (await deliveriesOf(app.deps.database.db, scope, message.id)).map(deliveryView) };
    },
  );
};
