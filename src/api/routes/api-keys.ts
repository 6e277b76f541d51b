import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problems } from '../../core/index.ts';
import { ALL_SCOPES, createApiKey, findEnvironment, getApiKey, listApiKeys, missingScopesOver, recordAudit, revokeApiKey, ROLES, scopesForRole, type ApiKeyView, type Scope } from '../../auth/index.ts';
import { RATE_CLASSES } from '../rate-limit.ts';
import { actorOf, principalOf } from '../context.ts';
import { decodeCursor, Page, page, PageQuery } from '../pagination.ts';
import { AUTHENTICATED_PROBLEMS, IdParams, iso, NullableTimestamp, problemResponses, Timestamp } from '../schemas.ts';

const Window = Type.Object({ perMinute: Type.Optional(Type.Integer({ minimum: 1 })), perHour: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false });
const RateLimitsSchema = Type.Object(Object.fromEntries(Object.keys(RATE_CLASSES).map((c) => [c, Type.Optional(Window)])), { additionalProperties: false });
const ScopeSchema = Type.Union(ALL_SCOPES.map((s) => Type.Literal(s)));

const KeyView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  prefix: Type.String(),
  environmentId: Type.String(),
  environment: Type.String(),
  role: Type.Union([Type.String(), Type.Null()]),
  scopes: Type.Array(Type.String()),
  rateLimits: Type.Object({}, { additionalProperties: true }),
  createdBy: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
  lastUsedAt: NullableTimestamp,
  revokedAt: NullableTimestamp,
});
const view = (k: ApiKeyView) => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  environmentId: k.environmentId,
  environment: k.environment,
  role: k.role,
  scopes: k.scopes,
  rateLimits: k.rateLimits,
  createdBy: k.createdBy,
  createdAt: iso(k.createdAt)!,
  lastUsedAt: iso(k.lastUsedAt),
  revokedAt: iso(k.revokedAt),
});

export const apiKeyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['api-keys'];

  app.get(
    '/api-keys',
    {
      config: { organizationLevel: true, scope: 'api-keys:read' },
      schema: {
        operationId: 'listApiKeys',
        tags,
        summary: 'API keys (an API key sees its own environment’s; a user sees all, or those of `patchbay-environment`)',
        querystring: Type.Object({ ...PageQuery, includeRevoked: Type.Optional(Type.Boolean()) }),
        response: { 200: Page(KeyView), ...problemResponses(...AUTHENTICATED_PROBLEMS) },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const limit = request.query.limit ?? 50;
      const rows = await listApiKeys(
        app.deps.database.db,
        { organizationId: p.organizationId, environmentId: p.environmentId },
        { limit: limit + 1, before: decodeCursor(request.query.cursor), includeRevoked: request.query.includeRevoked ?? false },
      );
      const result = page(rows, limit, (k) => k.id);
      return { data: result.data.map(view), nextCursor: result.nextCursor };
    },
  );

  app.post(
    '/api-keys',
    {
      config: { organizationLevel: true, scope: 'api-keys:write', idempotency: { secretFields: ['key'] } },
      schema: {
        operationId: 'createApiKey',
        tags,
        summary: 'Create an API key; the key is in this answer only',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200 }),
            environment: Type.Optional(Type.String({ description: 'Name or id; an API key creates keys in its own environment' })),
            role: Type.Optional(Type.Union(ROLES.map((r) => Type.Literal(r)))),
            scopes: Type.Optional(Type.Array(ScopeSchema, { minItems: 1, uniqueItems: true })),
            rateLimits: Type.Optional(RateLimitsSchema),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Intersect([KeyView, Type.Object({ key: Type.String() })]), ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 422) },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const { db } = app.deps.database;
      if (request.body.role && request.body.scopes) throw problems.unprocessable('Give either a role or scopes, not both.');
      const envName = request.body.environment ?? p.environmentId;
      if (!envName) throw problems.validation([{ field: '/environment', message: 'is required (or send the patchbay-environment header)' }]);
      const env = await findEnvironment(db, p.organizationId, envName);
      if (!env) throw problems.notFound('Environment', envName);
      if (p.kind === 'apiKey' && env.id !== p.environmentId) throw problems.forbidden('An API key can only create keys in its own environment.');
      const wanted: Scope[] = request.body.scopes ?? scopesForRole(request.body.role ?? 'developer');
      const beyond = missingScopesOver(p.scopes, wanted);
      if (beyond.length > 0) throw problems.forbidden(`A key cannot grant scopes its creator lacks: ${beyond.join(', ')}.`);
      const created = await db.transaction(async (tx) => {
        const result = await createApiKey(tx, {
          organizationId: p.organizationId,
          environmentId: env.id,
          name: request.body.name,
          role: request.body.role,
          scopes: request.body.scopes,
          rateLimits: request.body.rateLimits as never,
          createdBy: p.id,
        });
        await recordAudit(tx, { organizationId: p.organizationId, environmentId: env.id, actor: actorOf(request), action: 'api_key.created', targetType: 'api_key', targetId: result.record.id, details: { name: request.body.name, scopes: result.record.scopes } });
        return result;
      });
      return reply.status(201).send({ ...view(created.record), key: created.key });
    },
  );

  app.get(
    '/api-keys/:id',
    { config: { organizationLevel: true, scope: 'api-keys:read' }, schema: { operationId: 'getApiKey', tags, summary: 'One API key (never the key itself)', params: IdParams, response: { 200: KeyView, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) } } },
    async (request) => {
      const p = principalOf(request);
      const key = await getApiKey(app.deps.database.db, p.organizationId, request.params.id);
      if (!key || (p.kind === 'apiKey' && key.environmentId !== p.environmentId)) throw problems.notFound('API key', request.params.id);
      return view(key);
    },
  );

  app.delete(
    '/api-keys/:id',
    { config: { organizationLevel: true, scope: 'api-keys:write' }, schema: { operationId: 'revokeApiKey', tags, summary: 'Revoke an API key (at once, everywhere)', params: IdParams, response: { 200: KeyView, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) } } },
    async (request) => {
      const p = principalOf(request);
      const { db } = app.deps.database;
      const existing = await getApiKey(db, p.organizationId, request.params.id);
      if (!existing || (p.kind === 'apiKey' && existing.environmentId !== p.environmentId)) throw problems.notFound('API key', request.params.id);
      const above = missingScopesOver(p.scopes, existing.scopes);
      if (above.length > 0) throw problems.forbidden(`Revoking a key needs every scope it holds (${existing.role ?? 'its own scopes'}); you lack: ${above.join(', ')}.`);
      const key = await db.transaction(async (tx) => {
        const revoked = await revokeApiKey(tx, app.deps.clock, p.organizationId, request.params.id);
        await recordAudit(tx, { organizationId: p.organizationId, environmentId: existing.environmentId, actor: actorOf(request), action: 'api_key.revoked', targetType: 'api_key', targetId: existing.id });
        return revoked;
      });
      return view(key!);
    },
  );
};
