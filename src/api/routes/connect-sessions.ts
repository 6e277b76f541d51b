/**
 * Connect sessions. The product's backend makes one (`POST /connect/sessions`, with its API key)
 * for one end customer — allowed integrations, a theme, a locale, the origins allowed to open or
 * embed the Connect UI, optionally a connection to reconnect — and hands its token to the
 * browser. The Connect UI then calls the `/connect/session…` routes with the token as a bearer
 * credential: read what it may show, test a credential live, make the session's one connection.
 */
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { problems, type FieldError } from '../../core/index.ts';
import { findEnvironment, recordAudit } from '../../auth/index.ts';
import { getConnector } from '../../connectors/index.ts';
import { CONNECT_SESSION_TTL_SECONDS, createConnectSession, findConnectSession, type ConnectSession } from '../../credentials/oauth/index.ts';
import {
  checkTheme,
  connectableIntegrations,
  connectionModeOf,
  connectWithSession,
  END_CUSTOMER_ID,
  exactOrigin,
  findIntegration,
  getConnection,
  isConnectable,
  LOCALE,
  testWithSession,
  type Theme,
} from '../../connections/index.ts';
import { checkConfiguredUrls, listIntegrations, urlFields, type Integration } from '../../integrations/index.ts';
import { actorOf, loggerOf, principalOf, tenantOf } from '../context.ts';
import { checkReferences } from '../references.ts';
import { AUTHENTICATED_PROBLEMS, problemResponses, Timestamp } from '../schemas.ts';

const Strings = (description: string) => Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Type.String({ maxLength: 10_000 }), { description });
const TokenValues = Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 500 }));

export const ThemeSchema = Type.Object(
  {
    tokens: Type.Optional(Type.Unsafe<Record<string, string>>({ ...TokenValues, description: 'Design-token overrides for both colour schemes, e.g. { "color-primary": "#0a7d5a", "radius-md": "10px" }' })),
    dark: Type.Optional(Type.Unsafe<Record<string, string>>({ ...TokenValues, description: 'Overrides in the dark colour scheme only' })),
    colorScheme: Type.Optional(Type.Union([Type.Literal('light'), Type.Literal('dark'), Type.Literal('system')])),
    productName: Type.Optional(Type.String({ maxLength: 80, description: 'Shown at the top of the Connect UI' })),
    logo: Type.Optional(Type.String({ maxLength: 100_000, description: 'A data:image/(png|svg+xml|webp);base64 URL, shown beside the product name' })),
  },
  { additionalProperties: true, description: 'Invalid tokens or values are refused with a 400 naming the token' },
);

const FieldView = Type.Object({
  name: Type.String(),
  label: Type.String(),
  help: Type.Optional(Type.String()),
  placeholder: Type.Optional(Type.String()),
  format: Type.Optional(Type.String()),
  pattern: Type.Optional(Type.String()),
  patternHint: Type.Optional(Type.String()),
  required: Type.Optional(Type.Boolean()),
  secret: Type.Optional(Type.Boolean()),
  default: Type.Optional(Type.String()),
});

const ConnectableView = Type.Object({
  id: Type.String(),
  key: Type.String(),
  name: Type.String(),
  connectorKey: Type.String(),
  connectionMode: Type.String(),
  description: Type.String(),
  icon: Type.String({ description: 'An SVG document' }),
  fields: Type.Array(FieldView),
  configFields: Type.Array(FieldView),
  theme: Type.Union([ThemeSchema, Type.Null()], { description: 'The integration’s default theme; the session’s theme goes over it' }),
});

const SessionConnectBody = Type.Object(
  {
    integration: Type.String({ minLength: 1, maxLength: 128, description: 'The integration’s id or key' }),
    credentials: Type.Optional(Strings('The manifest’s auth fields')),
    config: Type.Optional(Strings('Connection configuration fields (subdomain, region)')),
  },
  { additionalProperties: false },
);

const TestView = Type.Object({
  ok: Type.Boolean(),
  code: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
  hint: Type.Optional(Type.String()),
  status: Type.Optional(Type.Integer()),
  accountInfo: Type.Optional(Type.Object({}, { additionalProperties: true })),
});

const SESSION_SECURITY = [{ connectSession: [] }];
const bearerOf = (request: FastifyRequest): string | undefined => /^Bearer\s+(\S+)$/i.exec(String(request.headers.authorization ?? ''))?.[1];

export const connectUiUrl = (publicUrl: string, session: Pick<ConnectSession, 'id'>, token: string, integrationId?: string): string =>
  `${publicUrl}/connect?session=${encodeURIComponent(session.id)}${integrationId ? `&integration=${encodeURIComponent(integrationId)}` : ''}#token=${encodeURIComponent(token)}`;

export const connectSessionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['connect'];
  const { clock } = app.deps;

  /** The session a Connect UI request carries (`Authorization: Bearer pb_cs_…`). */
  async function sessionOf(request: FastifyRequest): Promise<ConnectSession> {
    const token = bearerOf(request);
    if (!token) throw problems.unauthenticated('Send the connect session token: Authorization: Bearer pb_cs_….');
    const session = await findConnectSession(app.deps.database.db, clock, token);
    if (!session) throw problems.unauthenticated('The connect session is unknown or has expired; the app must create a new one.');
    return session;
  }

  app.post(
    '/connect/sessions',
    {
      config: { scope: 'connect-sessions:write', idempotency: { secretFields: ['token', 'connectUiUrl', 'integrations'] } },
      schema: {
        operationId: 'createConnectSession',
        tags,
        summary: 'A short-lived session for one end customer to connect accounts in the Connect UI; its token is in this answer only',
        description:
          'Hand `token` to the browser: `openConnect({ sessionToken })` from /sdk/connect.js, or send the browser to `connectUiUrl`. The token makes one connection (a second is refused with 409 `connect-session-used`). ' +
          'With `connectionId` the session reconnects that connection instead: a new OAuth grant, or a new API key tested before it replaces the old one. ' +
          '`theme` overrides design tokens (a bad token or value is a 400 naming it); `origins` are the exact origins of pages allowed to open or embed the Connect UI and to receive its messages.',
        body: Type.Object(
          {
            endCustomerId: Type.String({ minLength: 1, maxLength: 255 }),
            integrations: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { minItems: 1, maxItems: 100, uniqueItems: true, description: 'Ids or keys; every enabled OAuth, API-key or basic integration when left out' })),
            connectionId: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'An existing connection of this end customer to reconnect (replace its credentials)' })),
            connectionConfig: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Type.String({ maxLength: 2000 }), { description: 'Known in advance, e.g. the Okta domain' })),
            tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 50, uniqueItems: true })),
            theme: Type.Optional(ThemeSchema),
            locale: Type.Optional(Type.String({ maxLength: 35, description: 'BCP 47 tag, e.g. en or fr-CA' })),
            origins: Type.Optional(Type.Array(Type.String({ maxLength: 300 }), { maxItems: 20, uniqueItems: true, description: 'Exact origins (https://app.example.com) allowed to open or embed the Connect UI' })),
            expiresInSeconds: Type.Optional(Type.Integer({ minimum: CONNECT_SESSION_TTL_SECONDS.min, maximum: CONNECT_SESSION_TTL_SECONDS.max, default: CONNECT_SESSION_TTL_SECONDS.default })),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            id: Type.String(),
            token: Type.String({ description: 'pb_cs_…, shown once' }),
            endCustomerId: Type.String(),
            connectionId: Type.Union([Type.String(), Type.Null()]),
            expiresAt: Timestamp,
            connectUiUrl: Type.String({ description: 'The Connect UI for this session (the token rides in the fragment, never sent to a server)' }),
            theme: Type.Union([ThemeSchema, Type.Null()]),
            locale: Type.Union([Type.String(), Type.Null()]),
            origins: Type.Array(Type.String()),
            integrations: Type.Array(
              Type.Object({ id: Type.String(), key: Type.String(), connectorKey: Type.String(), name: Type.String(), connectionMode: Type.String(), connectUrl: Type.String({ description: 'OAuth: starts the authorization; others: the Connect UI on this integration' }) }),
            ),
          }),
          ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 422),
        },
      },
    },
    async (request, reply) => {
      const scope = tenantOf(request);
      const { db } = app.deps.database;
      const body = request.body;
      const errors: FieldError[] = [];
      if (!END_CUSTOMER_ID.test(body.endCustomerId)) errors.push({ field: '/endCustomerId', message: 'must be 1 to 255 characters without /, ? or #' });
      const connection = body.connectionId ? await getConnection(db, scope, body.connectionId) : undefined;
      await checkReferences([{ field: '/connectionId', what: 'connection', id: body.connectionId, find: async () => connection }]);
      const { theme, errors: themeErrors } = checkTheme(body.theme);
      errors.push(...themeErrors);
      if (body.locale !== undefined && !LOCALE.test(body.locale)) errors.push({ field: '/locale', message: 'is not a BCP 47 language tag (en, fr-CA)' });
      for (const [i, origin] of (body.origins ?? []).entries()) {
        if (!exactOrigin(origin)) errors.push({ field: `/origins/${i}`, message: 'is not an exact origin: scheme, host and port only, e.g. https://app.example.com' });
      }
      let chosen: Integration[];
      if (body.integrations) {
        chosen = [];
        for (const [i, ref] of body.integrations.entries()) {
          const integration = await findIntegration(db, scope, ref);
          if (!integration) errors.push({ field: `/integrations/${i}`, message: `no integration "${ref}" in this environment` });
          else if (!isConnectable(integration)) errors.push({ field: `/integrations/${i}`, message: `${integration.key} connects with ${connectionModeOf(integration)}: create its connections with POST /connections` });
          else if (!integration.enabled) errors.push({ field: `/integrations/${i}`, message: `${integration.key} is disabled` });
          else chosen.push(integration);
        }
      } else {
        chosen = (await listIntegrations(db, scope, { limit: 250, enabled: true })).filter(isConnectable);
        if (chosen.length === 0) throw problems.unprocessable('This environment has no enabled integration an end customer can connect (OAuth, API key or basic).');
      }
      if (errors.length > 0) throw problems.validation(errors);
      if (body.connectionConfig) {
        // Values that become hosts (an Okta domain) pass the address policy now, not only when the browser arrives.
        const environment = await findEnvironment(db, scope.organizationId, scope.environmentId);
        const hosts = new Map(chosen.flatMap((i) => urlFields(getConnector(i.connectorKey)?.manifest.connectionConfig ?? {}, body.connectionConfig!, '/connectionConfig')).map((u) => [u.field, u]));
        const refused = await checkConfiguredUrls([...hosts.values()], { allowPrivateNetworks: environment?.allowPrivateNetworks ?? false });
        if (refused.length > 0) throw problems.unprocessable('A connection setting is refused.', refused);
      }
      if (connection) {
        if (connection.endCustomerId !== body.endCustomerId) throw problems.unprocessable(`Connection ${body.connectionId} belongs to another end customer.`);
        if (!chosen.some((i) => i.id === connection.integrationId)) throw problems.unprocessable(`Connection ${body.connectionId} belongs to an integration this session does not allow.`);
        if (!['oauth2', 'apiKey', 'basic'].includes(connection.credentialType)) {
          throw problems.unprocessable(`Connection ${body.connectionId} uses ${connection.credentialType} credentials, which an end customer cannot replace: use PUT /connections/${body.connectionId}/credentials.`);
        }
        chosen = chosen.filter((i) => i.id === connection.integrationId);
      }
      const { token, session } = await db.transaction(async (tx) => {
        const created = await createConnectSession(tx, clock, {
          ...scope,
          endCustomerId: body.endCustomerId,
          integrationIds: body.integrations || body.connectionId ? chosen.map((i) => i.id) : null,
          connectionId: body.connectionId ?? null,
          connectionConfig: body.connectionConfig,
          tags: body.tags,
          createdBy: principalOf(request).id,
          ttlSeconds: body.expiresInSeconds,
          theme: theme as Record<string, unknown> | null,
          locale: body.locale ?? null,
          origins: body.origins ?? [],
        });
        await recordAudit(tx, {
          ...scope,
          actor: actorOf(request),
          action: 'connect_session.created',
          targetType: 'connect_session',
          targetId: created.session.id,
          details: { integrations: chosen.map((i) => i.key), ...(body.connectionId ? { connectionId: body.connectionId } : {}), origins: body.origins ?? [] },
        });
        return created;
      });
      const base = app.deps.config.publicUrl;
      const suffix = body.connectionId ? `&connectionId=${encodeURIComponent(body.connectionId)}` : '';
      return reply.status(201).send({
        id: session.id,
        token,
        endCustomerId: session.endCustomerId,
        connectionId: session.connectionId,
        expiresAt: session.expiresAt.toISOString(),
        connectUiUrl: connectUiUrl(base, session, token),
        theme: theme as Theme | null,
        locale: session.locale,
        origins: session.origins,
        integrations: chosen.map((i) => ({
          id: i.id,
          key: i.key,
          connectorKey: i.connectorKey,
          name: i.name,
          connectionMode: connectionModeOf(i)!,
          connectUrl:
            connectionModeOf(i) === 'oauth'
              ? `${base}/oauth/connect/${i.id}?connectSession=${encodeURIComponent(token)}${suffix}`
              : connectUiUrl(base, session, token, i.id),
        })),
      });
    },
  );

  app.get(
    '/connect/session',
    {
      config: { public: true, rateClass: 'management' },
      schema: {
        operationId: 'getConnectSession',
        tags,
        summary: 'For the Connect UI: what this session may connect, with the forms, theme and locale (authenticated by the session token)',
        security: SESSION_SECURITY,
        response: {
          200: Type.Object({
            id: Type.String(),
            endCustomerId: Type.String(),
            expiresAt: Timestamp,
            used: Type.Boolean({ description: 'The session has made its connection' }),
            connectionId: Type.Union([Type.String(), Type.Null()], { description: 'Reconnect sessions: the connection whose credentials are replaced' }),
            theme: Type.Union([ThemeSchema, Type.Null()]),
            locale: Type.Union([Type.String(), Type.Null()]),
            origins: Type.Array(Type.String()),
            integrations: Type.Array(ConnectableView),
          }),
          ...problemResponses(401, 429),
        },
      },
    },
    async (request, reply) => {
      const session = await sessionOf(request);
      reply.header('cache-control', 'no-store');
      return {
        id: session.id,
        endCustomerId: session.endCustomerId,
        expiresAt: session.expiresAt.toISOString(),
        used: session.usedAt !== null,
        connectionId: session.connectionId,
        theme: session.theme as Theme | null,
        locale: session.locale,
        origins: session.origins,
        integrations: await connectableIntegrations(app.deps.database.db, session),
      };
    },
  );

  app.post(
    '/connect/session/test',
    {
      config: { public: true, rateClass: 'management' },
      schema: {
        operationId: 'testConnectSessionCredentials',
        tags,
        summary: 'For the Connect UI: test a credential against the provider without storing anything',
        security: SESSION_SECURITY,
        body: SessionConnectBody,
        response: { 200: TestView, ...problemResponses(400, 401, 422, 429) },
      },
    },
    async (request) => {
      const session = await sessionOf(request);
      const result = await testWithSession(app.deps.database.db, app.deps.vault, session, request.body, { clock, logger: loggerOf(request) });
      return { ...result.outcome, ...(result.accountInfo ? { accountInfo: { ...result.accountInfo } } : {}) };
    },
  );

  app.post(
    '/connect/session/connections',
    {
      config: { public: true, rateClass: 'management' },
      schema: {
        operationId: 'connectWithSession',
        tags,
        summary: 'For the Connect UI: make the session’s connection (tested first), or replace the credentials of its connection',
        description: 'A refused credential answers 422 `connection-test-failed` with the provider’s reason and leaves the session usable; once a connection is made, the session answers 409 `connect-session-used`.',
        security: SESSION_SECURITY,
        body: SessionConnectBody,
        response: {
          201: Type.Object({ connectionId: Type.String(), integrationId: Type.String(), endCustomerId: Type.String(), status: Type.String(), replaced: Type.Boolean() }),
          ...problemResponses(400, 401, 409, 422, 429),
        },
      },
    },
    async (request, reply) => {
      const session = await sessionOf(request);
      const { connection, replaced } = await connectWithSession(app.deps.database.db, app.deps.vault, session, request.body, { clock, logger: loggerOf(request) });
      return reply.status(201).send({ connectionId: connection.id, integrationId: connection.integrationId, endCustomerId: connection.endCustomerId, status: connection.status, replaced });
    },
  );
};
