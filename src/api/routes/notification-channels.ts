/**
 * Notification channels: create, list, show, change, delete, and send a test notification. Secret
 * settings go in `secrets` and are sealed in the vault; answers only name which are set.
 */
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { recordAudit } from '../../auth/index.ts';
import type { Vault } from '../../credentials/index.ts';
import type { Db } from '../../db/index.ts';
import { createChannel, deleteChannel, getChannel, listChannels, secretFieldsSet, updateChannel, type Channel, type Operations } from '../../alerts/index.ts';
import { actorOf, tenantOf, type TenantScope } from '../context.ts';
import { decodeCursor, Page, PageQuery, page } from '../pagination.ts';
import { AUTHENTICATED_PROBLEMS, IdParams, iso, NullableTimestamp, problemResponses, Timestamp } from '../schemas.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const TypeSchema = Type.Union([Type.Literal('slack'), Type.Literal('teams'), Type.Literal('pagerduty'), Type.Literal('opsgenie'), Type.Literal('email')]);
const Config = Type.Record(Type.String(), Type.Unknown(), { description: 'Settings that are not secret (channel, apiUrl, eventsUrl, host, port, from, to…)' });
const Secrets = Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 4_000 }), { description: 'webhookUrl or botToken (Slack), webhookUrl (Teams), routingKey (PagerDuty), apiKey (Opsgenie), password (email)' });

export const ChannelView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  type: TypeSchema,
  config: Type.Record(Type.String(), Type.Unknown()),
  secretsSet: Type.Array(Type.String()),
  enabled: Type.Boolean(),
  status: Type.Union([Type.Literal('ok'), Type.Literal('failing'), Type.Literal('untested')]),
  lastSuccessAt: NullableTimestamp,
  lastErrorAt: NullableTimestamp,
  lastError: Nullable(Type.String()),
  failingSince: NullableTimestamp,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const CreateChannelBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }), type: TypeSchema, config: Type.Optional(Config), secrets: Type.Optional(Secrets), enabled: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export const UpdateChannelBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    config: Type.Optional(Config),
    secrets: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.Union([Type.String({ maxLength: 4_000 }), Type.Null()]))),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const TestResult = Type.Object({ ok: Type.Boolean(), error: Nullable(Type.String()) });

export async function channelView(db: Db, vault: Vault, scope: TenantScope, c: Channel) {
  return {
    id: c.id,
    name: c.name,
    type: c.type,
    config: c.config,
    secretsSet: await secretFieldsSet(db, vault, scope, c.id),
    enabled: c.enabled,
    status: c.failingSince ? ('failing' as const) : c.lastSuccessAt ? ('ok' as const) : ('untested' as const),
    lastSuccessAt: iso(c.lastSuccessAt),
    lastErrorAt: iso(c.lastErrorAt),
    lastError: c.lastError,
    failingSince: iso(c.failingSince),
    createdAt: iso(c.createdAt)!,
    updatedAt: iso(c.updatedAt)!,
  };
}

export const notificationChannelRoutes: FastifyPluginAsyncTypebox<{ ops: Operations }> = async (app, { ops }) => {
  const tags = ['alerts'];
  const { vault } = app.deps;
  const db = () => app.deps.database.db;
  const view = (scope: TenantScope, c: Channel) => channelView(db(), vault, scope, c);

  app.get(
    '/notification-channels',
    { config: { scope: 'alerts:read' }, schema: { operationId: 'listNotificationChannels', tags, summary: 'Notification channels, newest first, each with its last failure', querystring: Type.Object(PageQuery), response: { 200: Page(ChannelView), ...problemResponses(...AUTHENTICATED_PROBLEMS) } } },
    async (request) => {
      const scope = tenantOf(request);
      const limit = request.query.limit ?? 50;
      const result = page(await listChannels(db(), scope, { limit: limit + 1, before: decodeCursor(request.query.cursor) }), limit, (c) => c.id);
      return { data: await Promise.all(result.data.map((c) => view(scope, c))), nextCursor: result.nextCursor };
    },
  );

  app.post(
    '/notification-channels',
    { config: { scope: 'alerts:configure' }, schema: { operationId: 'createNotificationChannel', tags, summary: 'Add a channel (its URLs pass the SSRF guard; secrets go to the vault)', body: CreateChannelBody, response: { 201: ChannelView, ...problemResponses(...AUTHENTICATED_PROBLEMS, 422) } } },
    async (request, reply) => {
      const scope = tenantOf(request);
      const channel = await db().transaction(async (tx) => {
        const created = await createChannel(tx, vault, scope, request.body, app.deps.clock.now());
        await recordAudit(tx, { ...scope, actor: actorOf(request), action: 'notification_channel.created', targetType: 'notification_channel', targetId: created.id, details: { type: created.type, name: created.name } });
        return created;
      });
      return reply.code(201).send(await view(scope, channel));
    },
  );

  app.get(
    '/notification-channels/:id',
    { config: { scope: 'alerts:read' }, schema: { operationId: 'getNotificationChannel', tags, summary: 'One channel', params: IdParams, response: { 200: ChannelView, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) } } },
    async (request) => view(tenantOf(request), await getChannel(db(), tenantOf(request), request.params.id)),
  );

  app.patch(
    '/notification-channels/:id',
    { config: { scope: 'alerts:configure' }, schema: { operationId: 'updateNotificationChannel', tags, summary: 'Change a channel; given secret fields replace the stored ones (null removes one)', params: IdParams, body: UpdateChannelBody, response: { 200: ChannelView, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 422) } } },
    async (request) => {
      const scope = tenantOf(request);
      const channel = await db().transaction(async (tx) => {
        const updated = await updateChannel(tx, vault, scope, request.params.id, request.body, app.deps.clock.now());
        await recordAudit(tx, { ...scope, actor: actorOf(request), action: 'notification_channel.updated', targetType: 'notification_channel', targetId: updated.id, details: { fields: Object.keys(request.body) } });
        return updated;
      });
      return view(scope, channel);
    },
  );

  app.delete(
    '/notification-channels/:id',
    { config: { scope: 'alerts:configure' }, schema: { operationId: 'deleteNotificationChannel', tags, summary: 'Delete a channel and its secrets', params: IdParams, response: { 204: Type.Null(), ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) } } },
    async (request, reply) => {
      const scope = tenantOf(request);
      await db().transaction(async (tx) => {
        await deleteChannel(tx, vault, scope, request.params.id);
        await recordAudit(tx, { ...scope, actor: actorOf(request), action: 'notification_channel.deleted', targetType: 'notification_channel', targetId: request.params.id });
      });
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/notification-channels/:id/test',
    { config: { scope: 'alerts:configure' }, schema: { operationId: 'testNotificationChannel', tags, summary: 'Send a test notification now; the answer says how it went', params: IdParams, response: { 200: TestResult, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) } } },
    async (request) => {
      const scope = tenantOf(request);
      const result = await ops.sendTest(scope, request.params.id);
      await recordAudit(db(), { ...scope, actor: actorOf(request), action: 'notification_channel.tested', targetType: 'notification_channel', targetId: request.params.id, details: { ok: result.ok } });
      return result;
    },
  );
};
