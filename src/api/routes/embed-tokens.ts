/**
 * Embed tokens and what embedded widgets read with them. The product's backend makes a token for
 * one end customer (`POST /embed-tokens`, its API key); the widget page (`/connect/embed/…`) then
 * calls the `/embed/…` routes with it as a bearer credential: the end customer's connections,
 * and — when the token carries `connect` — a connect session to connect or reconnect an account.
 */
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problems, type FieldError } from '../../core/index.ts';
import { recordAudit } from '../../auth/index.ts';
import { createConnectSession } from '../../credentials/oauth/index.ts';
import { getIntegration } from '../../integrations/index.ts';
import {
  checkTheme,
  createEmbedToken,
  deleteConnection,
  embeddedConnections,
  EMBED_TOKEN_TTL_SECONDS,
  END_CUSTOMER_ID,
  exactOrigin,
  getConnection,
  isConnectable,
  type Theme,
} from '../../connections/index.ts';
import { actorOf, loggerOf, principalOf, tenantOf } from '../context.ts';
import { AUTHENTICATED_PROBLEMS, iso, NullableTimestamp, problemResponses, Timestamp } from '../schemas.ts';
import { connectUiUrl, ThemeSchema } from './connect-sessions.ts';
import { EMBED_SECURITY, embedOf } from './embed-auth.ts';
import { embedSyncProgressRoutes } from './embed-sync-progress.ts';

const EmbeddedConnection = Type.Object({
  id: Type.String(),
  integrationId: Type.String(),
  integrationName: Type.String(),
  connectorKey: Type.String(),
  status: Type.String(),
  statusMessage: Type.Union([Type.String(), Type.Null()]),
  lastSyncAt: NullableTimestamp,
  lastTestedAt: NullableTimestamp,
  lastError: Type.Union([Type.String(), Type.Null()], { description: 'The last test’s failure in words' }),
  reconnectable: Type.Boolean(),
  createdAt: Timestamp,
});

export const embedTokenRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['connect'];
  const { clock } = app.deps;
  await app.register(embedSyncProgressRoutes);

  app.post(
    '/embed-tokens',
    {
      config: { scope: 'connect-sessions:write' },
      schema: {
        operationId: 'createEmbedToken',
        tags,
        summary: 'A short-lived token for one end customer’s embedded widgets (connection list and status cards, sync progress card); read-only unless it asks for connect',
        body: Type.Object(
          {
            endCustomerId: Type.String({ minLength: 1, maxLength: 255 }),
            scopes: Type.Optional(Type.Array(Type.Union([Type.Literal('read'), Type.Literal('connect')]), { uniqueItems: true, description: '`connect` lets the widgets connect and reconnect accounts; `read` alone by default' })),
            theme: Type.Optional(ThemeSchema),
            origins: Type.Optional(Type.Array(Type.String({ maxLength: 300 }), { maxItems: 20, uniqueItems: true, description: 'Exact origins of the pages allowed to embed the widgets' })),
            expiresInSeconds: Type.Optional(Type.Integer({ minimum: EMBED_TOKEN_TTL_SECONDS.min, maximum: EMBED_TOKEN_TTL_SECONDS.max, default: EMBED_TOKEN_TTL_SECONDS.default })),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            id: Type.String(),
            token: Type.String({ description: 'pb_et_…, shown once' }),
            endCustomerId: Type.String(),
            scopes: Type.Array(Type.String()),
            expiresAt: Timestamp,
            embedUrls: Type.Object({
              connections: Type.String({ description: 'The connection list widget (the token in the fragment)' }),
              syncProgress: Type.String({ description: 'The sync progress card: the latest or ongoing sync run of the end customer’s connections; add `&connection=<id>` for one connection' }),
            }),
          }),
          ...problemResponses(...AUTHENTICATED_PROBLEMS),
        },
      },
    },
    async (request, reply) => {
      const scope = tenantOf(request);
      const body = request.body;
      const errors: FieldError[] = [];
      if (!END_CUSTOMER_ID.test(body.endCustomerId)) errors.push({ field: '/endCustomerId', message: 'must be 1 to 255 characters without /, ? or #' });
      const { theme, errors: themeErrors } = checkTheme(body.theme);
      errors.push(...themeErrors);
      for (const [i, origin] of (body.origins ?? []).entries()) if (!exactOrigin(origin)) errors.push({ field: `/origins/${i}`, message: 'is not an exact origin, e.g. https://app.example.com' });
      if (errors.length > 0) throw problems.validation(errors);
      const connect = body.scopes?.includes('connect') ?? false;
      const { token, embed } = await app.deps.database.db.transaction(async (tx) => {
        const made = await createEmbedToken(tx, clock, { ...scope, endCustomerId: body.endCustomerId, connect, theme: theme as Record<string, unknown> | null, origins: body.origins, createdBy: principalOf(request).id, ttlSeconds: body.expiresInSeconds });
        await recordAudit(tx, { ...scope, actor: actorOf(request), action: 'embed_token.created', targetType: 'embed_token', targetId: made.embed.id, details: { endCustomerId: body.endCustomerId, scopes: made.embed.scopes } });
        return made;
      });
      return reply.status(201).send({
        id: embed.id,
        token,
        endCustomerId: embed.endCustomerId,
        scopes: embed.scopes,
        expiresAt: embed.expiresAt.toISOString(),
        embedUrls: {
          connections: `${app.deps.config.publicUrl}/connect/embed?embed=${encodeURIComponent(embed.id)}#token=${encodeURIComponent(token)}`,
          syncProgress: `${app.deps.config.publicUrl}/connect/embed/sync?embed=${encodeURIComponent(embed.id)}#token=${encodeURIComponent(token)}`,
        },
      });
    },
  );

  app.get(
    '/embed/connections',
    {
      config: { public: true, rateClass: 'management' },
      schema: {
        operationId: 'listEmbeddedConnections',
        tags,
        summary: 'For embedded widgets: the embed token’s end customer’s connections, with their status (never credentials); one of them with connectionId (the status card)',
        security: EMBED_SECURITY,
        querystring: Type.Object({ connectionId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })) }, { additionalProperties: false }),
        response: {
          200: Type.Object({ endCustomerId: Type.String(), canConnect: Type.Boolean(), theme: Type.Union([ThemeSchema, Type.Null()]), data: Type.Array(EmbeddedConnection) }),
          ...problemResponses(400, 401, 404, 429),
        },
      },
    },
    async (request, reply) => {
      const embed = await embedOf(app, request);
      const { db } = app.deps.database;
      const scope = { organizationId: embed.organizationId, environmentId: embed.environmentId };
      const { connectionId } = request.query;
      const rows = (await embeddedConnections(db, embed)).filter((c) => !connectionId || c.id === connectionId);
      // Another end customer's connection is as unknown as a missing one.
      if (connectionId && rows.length === 0) throw problems.notFound('Connection', connectionId);
      const names = new Map<string, { name: string; connectable: boolean }>();
      for (const id of new Set(rows.map((r) => r.integrationId))) {
        const integration = await getIntegration(db, scope, id);
        if (integration) names.set(id, { name: integration.name, connectable: integration.enabled && isConnectable(integration) });
      }
      reply.header('cache-control', 'no-store');
      return {
        endCustomerId: embed.endCustomerId,
        canConnect: embed.scopes.includes('connect'),
        theme: embed.theme as Theme | null,
        data: rows.map((c) => ({
          id: c.id,
          integrationId: c.integrationId,
          integrationName: names.get(c.integrationId)?.name ?? c.connectorKey,
          connectorKey: c.connectorKey,
          status: c.status,
          statusMessage: c.statusMessage,
          lastSyncAt: iso(c.lastSyncAt),
          lastTestedAt: iso(c.lastTestAt),
          lastError: c.lastTest && !c.lastTest.ok ? (c.lastTest.message ?? c.lastTest.code ?? 'failed') : null,
          reconnectable: (names.get(c.integrationId)?.connectable ?? false) && ['oauth2', 'apiKey', 'basic'].includes(c.credentialType),
          createdAt: iso(c.createdAt)!,
        })),
      };
    },
  );

  app.delete(
    '/embed/connections/:id',
    {
      config: { public: true, rateClass: 'management' },
      schema: {
        operationId: 'deleteEmbeddedConnection',
        tags,
        summary: 'For embedded widgets with the connect scope: disconnect one of the token’s end customer’s connections (deleted, OAuth tokens revoked where the provider allows)',
        security: EMBED_SECURITY,
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) }),
        response: { 200: Type.Object({ id: Type.String(), deleted: Type.Literal(true), revoked: Type.Boolean() }), ...problemResponses(401, 403, 404, 429) },
      },
    },
    async (request) => {
      const embed = await embedOf(app, request);
      if (!embed.scopes.includes('connect')) throw problems.forbidden('This embed token is read-only: make one with scopes ["read", "connect"] to disconnect accounts.');
      const scope = { organizationId: embed.organizationId, environmentId: embed.environmentId };
      const connection = await getConnection(app.deps.database.db, scope, request.params.id);
      // Another end customer's connection is as unknown as a missing one.
      if (!connection || connection.endCustomerId !== embed.endCustomerId) throw problems.notFound('Connection', request.params.id);
      const { revocation } = await deleteConnection(app.deps.database.db, app.deps.vault, scope, connection.id, {
        clock,
        logger: loggerOf(request),
        actor: { type: 'system', id: `embed_token:${embed.id}` },
      });
      return { id: connection.id, deleted: true as const, revoked: revocation.ok };
    },
  );

  app.post(
    '/embed/connect-sessions',
    {
      config: { public: true, rateClass: 'management' },
      schema: {
        operationId: 'createEmbeddedConnectSession',
        tags,
        summary: 'For embedded widgets with the connect scope: a connect session for the token’s end customer (to connect an account, or reconnect one of theirs)',
        security: EMBED_SECURITY,
        body: Type.Object({ connectionId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })) }, { additionalProperties: false }),
        response: { 201: Type.Object({ token: Type.String(), connectUiUrl: Type.String(), expiresAt: Timestamp }), ...problemResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      const embed = await embedOf(app, request);
      if (!embed.scopes.includes('connect')) throw problems.forbidden('This embed token is read-only: make one with scopes ["read", "connect"] to connect accounts.');
      const { db } = app.deps.database;
      const scope = { organizationId: embed.organizationId, environmentId: embed.environmentId };
      let integrationIds: string[] | null = null;
      if (request.body.connectionId) {
        const connection = await getConnection(db, scope, request.body.connectionId);
        if (!connection || connection.endCustomerId !== embed.endCustomerId) throw problems.notFound('Connection', request.body.connectionId);
        integrationIds = [connection.integrationId];
      }
      const { token, session } = await db.transaction(async (tx) => {
        const created = await createConnectSession(tx, clock, {
          ...scope,
          endCustomerId: embed.endCustomerId,
          integrationIds,
          connectionId: request.body.connectionId ?? null,
          createdBy: embed.id,
          ttlSeconds: Math.max(60, Math.min(30 * 60, Math.floor((embed.expiresAt.getTime() - clock.now().getTime()) / 1000))),
          theme: embed.theme,
          origins: embed.origins,
        });
        await recordAudit(tx, { ...scope, actor: { type: 'system', id: `embed_token:${embed.id}` }, action: 'connect_session.created', targetType: 'connect_session', targetId: created.session.id, details: { endCustomerId: embed.endCustomerId, connectionId: request.body.connectionId ?? null } });
        return created;
      });
      return reply.status(201).send({ token, connectUiUrl: connectUiUrl(app.deps.config.publicUrl, session, token), expiresAt: session.expiresAt.toISOString() });
    },
  );
};
