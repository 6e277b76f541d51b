import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { recordAudit } from '../../../auth/index.ts';
import {
  createEndpoint,
  deleteEndpoint,
  endpointStats,
  getEndpoint,
  listEndpoints,
  recover,
  revealSecret,
  rotateSecret,
  sendTestEvent,
  updateEndpoint,
  DEFAULT_GRACE_HOURS,
  type Outbound,
  type PayloadFilter,
  type RetryConfig,
} from '../../../webhooks/outbound/index.ts';
import { actorOf, tenantOf } from '../../context.ts';
import { decodeCursor, Page, page, PageQuery } from '../../pagination.ts';
import { AUTHENTICATED_PROBLEMS, IdParams, iso, NullableTimestamp, problemResponses, Timestamp } from '../../schemas.ts';
import { date, EndpointSchema, endpointView, Instant, MessageSchema, messageView, RetryConfigSchema, SignatureTypeSchema } from './views.ts';

const tags = ['endpoints'];
const Names = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 200, uniqueItems: true });
const Settable = {
  description: Type.Optional(Type.String({ maxLength: 2_000 })),
  eventTypes: Type.Optional(Type.Union([Names, Type.Null()], { description: 'Event types to receive (`sync.*` matches a prefix); null or absent: all' })),
  channels: Type.Optional(Type.Union([Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { maxItems: 100, uniqueItems: true }), Type.Null()], { description: 'Receive only messages on these channels; null: all' })),
  filter: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()], { description: 'Payload filter over `data`: $eq $ne $gt $gte $lt $lte $in $nin $exists $regex (anchored prefix) $not $and $or $nor' })),
  headers: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'Sent with every attempt' })),
  timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 60_000, description: 'Per attempt; 10 000 by default' })),
  rateLimit: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 100_000 }), Type.Null()], { description: 'Messages per second; null: no limit' })),
  maxConcurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000, description: 'Requests in flight at once, across workers; 20 by default' })),
  fifo: Type.Optional(Type.Boolean({ description: 'Strict order: each message waits until the previous one succeeded or failed for good (one failing message holds back the rest)' })),
  retryConfig: Type.Optional(RetryConfigSchema),
  enabled: Type.Optional(Type.Boolean()),
};
const Url = Type.String({ minLength: 1, maxLength: 2_048, description: 'https (http only in dev)' });

// Request bodies, exported for the CLI's local operations (one contract for both ways in).
export const CreateEndpointBody = Type.Object({ url: Url, ...Settable, signatureType: Type.Optional(SignatureTypeSchema), secret: Type.Optional(Type.String({ description: 'whsec_… (v1 only)' })) }, { additionalProperties: false });
export const UpdateEndpointBody = Type.Object({ url: Type.Optional(Url), ...Settable }, { additionalProperties: false });
export const RotateSecretBody = Type.Object(
  {
    secret: Type.Optional(Type.String({ description: 'whsec_… (v1); generated when absent' })),
    signatureType: Type.Optional(SignatureTypeSchema),
    gracePeriodHours: Type.Optional(Type.Number({ minimum: 0, maximum: 720 })),
  },
  { additionalProperties: false },
);
export const RecoverBody = Type.Object({ since: Instant('Messages created at or after'), until: Type.Optional(Instant('…and at or before')) }, { additionalProperties: false });
export const TestEventBody = Type.Object({ eventType: Type.Optional(Type.String({ maxLength: 200 })), data: Type.Optional(Type.Record(Type.String(), Type.Unknown())) }, { additionalProperties: false });

export const toEndpointInput = <T extends { filter?: Record<string, unknown> | null | undefined; retryConfig?: RetryConfig | undefined }>(body: T) => ({ ...body, filter: body.filter as PayloadFilter | null | undefined });

export const Stats = Type.Object({
  since: Timestamp,
  attempts: Type.Integer(),
  succeeded: Type.Integer(),
  failed: Type.Integer(),
  successRate: Type.Union([Type.Number(), Type.Null()]),
  latencyMs: Type.Object({ p50: Type.Union([Type.Number(), Type.Null()]), p95: Type.Union([Type.Number(), Type.Null()]) }),
  deliveries: Type.Object({ pending: Type.Integer(), delivering: Type.Integer(), succeeded: Type.Integer(), failed: Type.Integer() }),
  recentErrors: Type.Array(
    Type.Object({
      at: Timestamp,
      messageId: Type.String(),
      attempt: Type.Integer(),
      statusCode: Type.Union([Type.Integer(), Type.Null()]),
      errorClass: Type.Union([Type.String(), Type.Null()]),
      error: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
  series: Type.Object(
    {
      bucketSeconds: Type.Integer({ description: 'Width of each bucket (about 48 over the window, at least a minute)' }),
      points: Type.Array(
        Type.Object({
          at: Timestamp,
          attempts: Type.Integer(),
          succeeded: Type.Integer(),
          p50: Type.Union([Type.Number(), Type.Null()]),
          p95: Type.Union([Type.Number(), Type.Null()]),
        }),
      ),
    },
    { description: 'The same numbers per time bucket, oldest first; buckets without attempts are left out' },
  ),
});

export const endpointRoutes: FastifyPluginAsyncTypebox<{ outbound: Outbound }> = async (app, { outbound }) => {
  const { clock, endpointDeps, vault } = outbound;
  const db = () => app.deps.database.db;

  app.get(
    '/endpoints',
    { config: { scope: 'endpoints:read' }, schema: { operationId: 'listEndpoints', tags, summary: 'Endpoints of this environment', querystring: Type.Object(PageQuery), response: { 200: Page(EndpointSchema), ...problemResponses(...AUTHENTICATED_PROBLEMS) } } },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const rows = await listEndpoints(db(), tenantOf(request), { limit: limit + 1, after: decodeCursor(request.query.cursor) });
      const result = page(rows, limit, (r) => r.id);
      return { data: result.data.map(endpointView), nextCursor: result.nextCursor };
    },
  );

  app.post(
    '/endpoints',
    {
      config: { scope: 'endpoints:write' },
      schema: {
        operationId: 'createEndpoint',
        tags,
        summary: 'Register an endpoint; its signing secret is generated (or given, v1) and kept in the vault',
        body: CreateEndpointBody,
        response: { 201: EndpointSchema, ...problemResponses(...AUTHENTICATED_PROBLEMS, 422) },
      },
    },
    async (request, reply) => {
      const scope = tenantOf(request);
      const endpoint = await db().transaction(async (tx) => {
        const created = await createEndpoint(tx, endpointDeps, scope, toEndpointInput(request.body));
        await recordAudit(tx, { ...scope, actor: actorOf(request), action: 'endpoint.created', targetType: 'endpoint', targetId: created.id, details: { url: created.url } });
        return created;
      });
      return reply.status(201).send(endpointView(endpoint));
    },
  );

  app.get(
    '/endpoints/:id',
    { config: { scope: 'endpoints:read' }, schema: { operationId: 'getEndpoint', tags, summary: 'One endpoint', params: IdParams, response: { 200: EndpointSchema, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) } } },
    async (request) => endpointView(await getEndpoint(db(), tenantOf(request), request.params.id)),
  );

  app.patch(
    '/endpoints/:id',
    {
      config: { scope: 'endpoints:write' },
      schema: {
        operationId: 'updateEndpoint',
        tags,
        summary: 'Change an endpoint (disabling dead-letters what is pending; enabling clears the failure streak)',
        params: IdParams,
        body: UpdateEndpointBody,
        response: { 200: EndpointSchema, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 422) },
      },
    },
    async (request) => {
      const scope = tenantOf(request);
      const endpoint = await db().transaction(async (tx) => {
        const updated = await updateEndpoint(tx, endpointDeps, scope, request.params.id, toEndpointInput(request.body));
        await recordAudit(tx, { ...scope, actor: actorOf(request), action: 'endpoint.updated', targetType: 'endpoint', targetId: updated.id, details: { fields: Object.keys(request.body) } });
        return updated;
      });
      if (request.body.enabled === true) outbound.forget(endpoint.id);
      return endpointView(endpoint);
    },
  );

  app.delete(
    '/endpoints/:id',
    { config: { scope: 'endpoints:write' }, schema: { operationId: 'deleteEndpoint', tags, summary: 'Delete an endpoint with its delivery history and secret', params: IdParams, response: { 200: EndpointSchema, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) } } },
    async (request) => {
      const scope = tenantOf(request);
      const endpoint = await db().transaction(async (tx) => {
        const deleted = await deleteEndpoint(tx, vault, scope, request.params.id);
        await recordAudit(tx, { ...scope, actor: actorOf(request), action: 'endpoint.deleted', targetType: 'endpoint', targetId: deleted.id, details: { url: deleted.url } });
        return deleted;
      });
      outbound.forget(endpoint.id);
      return endpointView(endpoint);
    },
  );

  app.get(
    '/endpoints/:id/secret',
    {
      config: { scope: 'endpoints:write' },
      schema: {
        operationId: 'getEndpointSecret',
        tags,
        summary: 'Reveal the signing secret (v1: whsec_…; v1a: the whpk_ public key). Audited',
        params: IdParams,
        response: { 200: Type.Object({ signatureType: SignatureTypeSchema, secret: Type.Union([Type.String(), Type.Null()]), publicKey: Type.Union([Type.String(), Type.Null()]) }), ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) },
      },
    },
    async (request, reply) => {
      const scope = tenantOf(request);
      const revealed = await revealSecret(db(), vault, scope, request.params.id);
      await recordAudit(db(), { ...scope, actor: actorOf(request), action: 'endpoint.secret_revealed', targetType: 'endpoint', targetId: request.params.id });
      reply.header('cache-control', 'no-store');
      return revealed;
    },
  );

  app.post(
    '/endpoints/:id/secret/rotate',
    {
      config: { scope: 'endpoints:write' },
      schema: {
        operationId: 'rotateEndpointSecret',
        tags,
        summary: `Rotate the signing secret; the old one keeps signing too for a grace period (${DEFAULT_GRACE_HOURS} h by default)`,
        params: IdParams,
        body: RotateSecretBody,
        response: { 200: Type.Intersect([EndpointSchema, Type.Object({ previousSecretExpiresAt: NullableTimestamp })]), ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) },
      },
    },
    async (request) => {
      const scope = tenantOf(request);
      const rotated = await db().transaction(async (tx) => {
        const result = await rotateSecret(tx, endpointDeps, scope, request.params.id, request.body);
        await recordAudit(tx, { ...scope, actor: actorOf(request), action: 'endpoint.secret_rotated', targetType: 'endpoint', targetId: request.params.id, details: { gracePeriodHours: request.body.gracePeriodHours ?? DEFAULT_GRACE_HOURS } });
        return result;
      });
      return { ...endpointView(rotated.endpoint), previousSecretExpiresAt: iso(rotated.previousExpiresAt) };
    },
  );

  app.post(
    '/endpoints/:id/recover',
    {
      config: { scope: 'endpoints:write' },
      schema: {
        operationId: 'recoverEndpoint',
        tags,
        summary: 'Resend every message that failed for this endpoint since a time',
        params: IdParams,
        body: RecoverBody,
        response: { 202: Type.Object({ recovered: Type.Integer() }), ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 409) },
      },
    },
    async (request, reply) => {
      const scope = tenantOf(request);
      const recovered = await db().transaction(async (tx) => {
        const n = await recover(tx, clock, scope, request.params.id, { since: new Date(request.body.since), until: date(request.body.until) });
        await recordAudit(tx, { ...scope, actor: actorOf(request), action: 'endpoint.recovered', targetType: 'endpoint', targetId: request.params.id, details: { since: request.body.since, count: n } });
        return n;
      });
      return reply.status(202).send({ recovered });
    },
  );

  app.post(
    '/endpoints/:id/test',
    {
      config: { scope: 'endpoints:write' },
      schema: {
        operationId: 'sendTestEvent',
        tags,
        summary: 'Send a test message to this endpoint only (`webhook.test` unless a type is given)',
        params: IdParams,
        body: Type.Optional(TestEventBody),
        response: { 202: MessageSchema, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const scope = tenantOf(request);
      const message = await db().transaction(async (tx) => {
        const sent = await sendTestEvent(tx, clock, scope, request.params.id, request.body ?? {});
        await recordAudit(tx, { ...scope, actor: actorOf(request), action: 'endpoint.tested', targetType: 'endpoint', targetId: request.params.id, details: { messageId: sent.id } });
        return sent;
      });
      return reply.status(202).send(messageView(message));
    },
  );

  app.get(
    '/endpoints/:id/stats',
    {
      config: { scope: 'endpoints:read' },
      schema: {
        operationId: 'getEndpointStats',
        tags,
        summary: 'Success rate, latency p50/p95 and recent errors (last 24 h unless `since`)',
        params: IdParams,
        querystring: Type.Object({ since: Type.Optional(Instant('Attempts started at or after')) }),
        response: { 200: Stats, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) },
      },
    },
    async (request) => {
      const since = date(request.query.since) ?? new Date(clock.now().getTime() - 86_400_000);
      const stats = await endpointStats(db(), tenantOf(request), request.params.id, since, clock.now());
      return {
        ...stats,
        since: iso(stats.since)!,
        recentErrors: stats.recentErrors.map((e) => ({ ...e, at: iso(e.at)! })),
        series: { bucketSeconds: stats.series.bucketSeconds, points: stats.series.points.map((p) => ({ ...p, at: iso(p.at)! })) },
      };
    },
  );
};
