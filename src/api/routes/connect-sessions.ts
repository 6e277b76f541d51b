import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problems, type FieldError } from '../../core/index.ts';
import { findEnvironment, recordAudit } from '../../auth/index.ts';
import { getConnector } from '../../connectors/index.ts';
import { CONNECT_SESSION_TTL_SECONDS, createConnectSession } from '../../credentials/oauth/index.ts';
import { END_CUSTOMER_ID, findIntegration, getConnection } from '../../connections/index.ts';
import { checkConfiguredUrls, listIntegrations, urlFields, type Integration } from '../../integrations/index.ts';
import { actorOf, principalOf, tenantOf } from '../context.ts';
import { checkReferences } from '../references.ts';
import { AUTHENTICATED_PROBLEMS, problemResponses, Timestamp } from '../schemas.ts';

const isOAuth = (integration: Integration): boolean => getConnector(integration.connectorKey)?.manifest.connectionMode === 'oauth';

export const connectSessionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/connect/sessions',
    {
      config: { scope: 'connect-sessions:write', idempotency: { secretFields: ['token', 'integrations'] } },
      schema: {
        operationId: 'createConnectSession',
        tags: ['connect'],
        summary: 'A short-lived session for one end customer to connect OAuth accounts in the browser; its token is in this answer only',
        description:
          'Hand `token` to the browser (or send it to a `connectUrl`). Each connect URL starts the authorization of one integration; add `&connectionId=…` to choose the new connection’s id or to re-authorize an existing one.',
        body: Type.Object(
          {
            endCustomerId: Type.String({ minLength: 1, maxLength: 255 }),
            integrations: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { minItems: 1, maxItems: 100, uniqueItems: true, description: 'Ids or keys; every enabled OAuth integration when left out' })),
            connectionId: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'An existing connection of this end customer to re-authorize' })),
            connectionConfig: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Type.String({ maxLength: 2000 }), { description: 'Known in advance, e.g. the Okta domain' })),
            tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 50, uniqueItems: true })),
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
            integrations: Type.Array(Type.Object({ id: Type.String(), key: Type.String(), connectorKey: Type.String(), name: Type.String(), connectUrl: Type.String() })),
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
      let chosen: Integration[];
      if (body.integrations) {
        chosen = [];
        for (const [i, ref] of body.integrations.entries()) {
          const integration = await findIntegration(db, scope, ref);
          if (!integration) errors.push({ field: `/integrations/${i}`, message: `no integration "${ref}" in this environment` });
          else if (!isOAuth(integration)) errors.push({ field: `/integrations/${i}`, message: `${integration.key} does not connect with OAuth (create its connections with POST /connections)` });
          else if (!integration.enabled) errors.push({ field: `/integrations/${i}`, message: `${integration.key} is disabled` });
          else chosen.push(integration);
        }
      } else {
        chosen = (await listIntegrations(db, scope, { limit: 250, enabled: true })).filter(isOAuth);
        if (chosen.length === 0) throw problems.unprocessable('This environment has no enabled OAuth integration to connect.');
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
      }
      const { token, session } = await db.transaction(async (tx) => {
        const created = await createConnectSession(tx, app.deps.clock, {
          ...scope,
          endCustomerId: body.endCustomerId,
          integrationIds: body.integrations ? chosen.map((i) => i.id) : null,
          connectionId: body.connectionId ?? null,
          connectionConfig: body.connectionConfig,
          tags: body.tags,
          createdBy: principalOf(request).id,
          ttlSeconds: body.expiresInSeconds,
        });
        await recordAudit(tx, { ...scope, actor: actorOf(request), action: 'connect_session.created', targetType: 'connect_session', targetId: created.session.id, details: { integrations: chosen.map((i) => i.key) } });
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
        integrations: chosen.map((i) => ({
          id: i.id,
          key: i.key,
          connectorKey: i.connectorKey,
          name: i.name,
          connectUrl: `${base}/oauth/connect/${i.id}?connectSession=${encodeURIComponent(token)}${suffix}`,
        })),
      });
    },
  );
};
