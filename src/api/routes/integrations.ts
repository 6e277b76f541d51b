import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problems } from '../../core/index.ts';
import { getConnector, loadRegistry } from '../../connectors/index.ts';
import {
  createIntegration,
  deleteIntegration,
  effectiveSettings,
  findIntegrationByKey,
  getIntegration,
  hasClientSecret,
  listIntegrations,
  updateIntegration,
  type Integration,
} from '../../integrations/index.ts';
import { actorOf, tenantOf, type ApiDeps, type TenantScope } from '../context.ts';
import { decodeCursor, Page, page, PageQuery } from '../pagination.ts';
import { AUTHENTICATED_PROBLEMS, iso, problemResponses, Timestamp } from '../schemas.ts';

const Url = Type.String({ minLength: 1, maxLength: 2000 });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const OAuthUrls = Type.Object(
  { authorizationUrl: Type.Optional(Url), tokenUrl: Type.Optional(Url), revocationUrl: Type.Optional(Url), issuer: Type.Optional(Url) },
  { additionalProperties: false, description: "Replaces the connector's OAuth endpoints as a set (a simulator, a regional host)" },
);
const ConfigValues = Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Type.String({ maxLength: 2000 }));
const Scopes = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 100 });
const ClientId = Type.String({ minLength: 1, maxLength: 500 });
const ClientSecret = Type.String({ minLength: 1, maxLength: 2000, description: 'Stored in the vault; never shown again' });
const Timeout = Type.Integer({ minimum: 1_000, maximum: 300_000, description: 'Per provider request, in milliseconds (default 30000)' });
const Retries = Type.Integer({ minimum: 0, maximum: 10, description: 'Retries of a failed provider request (default 3)' });
const RateLimit = Type.String({ maxLength: 50, description: "`100/minute`; the connector's documented limit by default" });

const IntegrationView = Type.Object({
  id: Type.String(),
  key: Type.String(),
  connectorKey: Type.String(),
  name: Type.String(),
  enabled: Type.Boolean(),
  providerEnvironment: Type.String(),
  baseUrl: Nullable(Type.String()),
  config: Type.Record(Type.String(), Type.String()),
  settings: Type.Object({ timeoutMs: Type.Integer(), retryAttempts: Type.Integer(), rateLimit: Nullable(Type.String()) }),
  oauth: Nullable(
    Type.Object({
      clientId: Nullable(Type.String()),
      hasClientSecret: Type.Boolean(),
      scopes: Type.Array(Type.String()),
      scopesAreDefault: Type.Boolean(),
      pkce: Type.Boolean(),
      urls: OAuthUrls,
      callbackUrl: Type.String({ description: 'Register exactly this redirect URI in the provider’s OAuth app' }),
      connectUrl: Type.String({ description: 'Where a connect session sends the browser (add ?connectSession=…)' }),
    }),
  ),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

/** The bodies of create and update, also what `patchbay integrations create|update` checks. */
export const CreateIntegrationBody = Type.Object(
  {
    connectorKey: Type.String({ minLength: 1, maxLength: 64 }),
    key: Type.Optional(Type.String({ minLength: 1, maxLength: 63, description: 'Names it in the environment; the connector key by default' })),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    enabled: Type.Optional(Type.Boolean()),
    clientId: Type.Optional(ClientId),
    clientSecret: Type.Optional(ClientSecret),
    scopes: Type.Optional(Scopes),
    oauthUrls: Type.Optional(OAuthUrls),
    baseUrl: Type.Optional(Url),
    providerEnvironment: Type.Optional(Type.String({ maxLength: 32 })),
    config: Type.Optional(ConfigValues),
    settings: Type.Optional(Type.Object({ timeoutMs: Type.Optional(Timeout), retryAttempts: Type.Optional(Retries), rateLimit: Type.Optional(Nullable(RateLimit)) }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);
export const UpdateIntegrationBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    enabled: Type.Optional(Type.Boolean()),
    clientId: Type.Optional(Nullable(ClientId)),
    clientSecret: Type.Optional(Nullable(ClientSecret)),
    scopes: Type.Optional(Nullable(Scopes)),
    oauthUrls: Type.Optional(OAuthUrls),
    baseUrl: Type.Optional(Nullable(Url)),
    providerEnvironment: Type.Optional(Type.String({ maxLength: 32 })),
    config: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Nullable(Type.String({ maxLength: 2000 })))),
    settings: Type.Optional(
      Type.Object({ timeoutMs: Type.Optional(Nullable(Timeout)), retryAttempts: Type.Optional(Nullable(Retries)), rateLimit: Type.Optional(Nullable(RateLimit)) }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
);

export const IdOrKeyParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128, description: 'The integration’s id (int_…) or key' }) });

/** The API's view of an integration; `patchbay integrations` shows the same. */
export async function view(app: { deps: Pick<ApiDeps, 'config' | 'database' | 'vault'> }, scope: TenantScope, integration: Integration) {
  const connector = getConnector(integration.connectorKey);
  const manifest = connector?.manifest;
  const publicUrl = app.deps.config.publicUrl;
  const oauth =
    manifest?.connectionMode === 'oauth'
      ? {
          clientId: integration.oauthClientId,
          hasClientSecret: await hasClientSecret(app.deps.database.db, app.deps.vault, scope, integration.id),
          scopes: integration.scopes ?? [...manifest.auth.scopes],
          scopesAreDefault: integration.scopes === null,
          pkce: manifest.auth.pkce,
          urls: integration.oauthUrls,
          callbackUrl: `${publicUrl}/oauth/callback`,
          connectUrl: `${publicUrl}/oauth/connect/${integration.id}`,
        }
      : null;
  return {
    id: integration.id,
    key: integration.key,
    connectorKey: integration.connectorKey,
    name: integration.name,
    enabled: integration.enabled,
    providerEnvironment: integration.providerEnvironment,
    baseUrl: integration.baseUrl,
    config: integration.config,
    settings: manifest ? effectiveSettings(integration, manifest) : { timeoutMs: 30_000, retryAttempts: 3, rateLimit: null },
    oauth,
    createdAt: iso(integration.createdAt)!,
    updatedAt: iso(integration.updatedAt)!,
  };
}

/** By id (`int_…`) or by key. */
export async function integrationOr404(app: { deps: Pick<ApiDeps, 'database'> }, scope: TenantScope, idOrKey: string): Promise<Integration> {
  const db = app.deps.database.db;
  const found = (await getIntegration(db, scope, idOrKey)) ?? (await findIntegrationByKey(db, scope, idOrKey));
  if (!found) throw problems.notFound('Integration', idOrKey);
  return found;
}

export const integrationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await loadRegistry();
  const tags = ['integrations'];

  app.get(
    '/integrations',
    {
      config: { scope: 'integrations:read' },
      schema: {
        operationId: 'listIntegrations',
        tags,
        summary: 'This environment’s integrations, newest first',
        querystring: Type.Object({ ...PageQuery, connectorKey: Type.Optional(Type.String({ maxLength: 64 })), enabled: Type.Optional(Type.Boolean()) }),
        response: { 200: Page(IntegrationView), ...problemResponses(...AUTHENTICATED_PROBLEMS) },
      },
    },
    async (request) => {
      const scope = tenantOf(request);
      const limit = request.query.limit ?? 50;
      const rows = await listIntegrations(app.deps.database.db, scope, {
        limit: limit + 1,
        before: decodeCursor(request.query.cursor),
        connectorKey: request.query.connectorKey,
        enabled: request.query.enabled,
      });
      const result = page(rows, limit, (i) => i.id);
      return { data: await Promise.all(result.data.map((i) => view(app, scope, i))), nextCursor: result.nextCursor };
    },
  );

  app.post(
    '/integrations',
    {
      config: { scope: 'integrations:write' },
      schema: {
        operationId: 'createIntegration',
        tags,
        summary: 'Configure a connector in this environment',
        body: CreateIntegrationBody,
        response: { 201: IntegrationView, ...problemResponses(...AUTHENTICATED_PROBLEMS, 409, 422) },
      },
    },
    async (request, reply) => {
      const scope = tenantOf(request);
      const { db } = app.deps.database;
      const integration = await createIntegration(db, app.deps.vault, scope, request.body, { clock: app.deps.clock, actor: actorOf(request) });
      return reply.status(201).send(await view(app, scope, integration));
    },
  );

  app.get(
    '/integrations/:id',
    {
      config: { scope: 'integrations:read' },
      schema: { operationId: 'getIntegration', tags, summary: 'One integration (never its client secret)', params: IdOrKeyParams, response: { 200: IntegrationView, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) } },
    },
    async (request) => {
      const scope = tenantOf(request);
      return view(app, scope, await integrationOr404(app, scope, request.params.id));
    },
  );

  app.patch(
    '/integrations/:id',
    {
      config: { scope: 'integrations:write' },
      schema: {
        operationId: 'updateIntegration',
        tags,
        summary: 'Change an integration; `null` clears a value (back to the connector’s default)',
        params: IdOrKeyParams,
        body: UpdateIntegrationBody,
        response: { 200: IntegrationView, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 422) },
      },
    },
    async (request) => {
      const scope = tenantOf(request);
      const { db } = app.deps.database;
      const existing = await integrationOr404(app, scope, request.params.id);
      const integration = await updateIntegration(db, app.deps.vault, scope, existing.id, request.body, { clock: app.deps.clock, actor: actorOf(request) });
      return view(app, scope, integration);
    },
  );

  app.delete(
    '/integrations/:id',
    {
      config: { scope: 'integrations:write' },
      schema: {
        operationId: 'deleteIntegration',
        tags,
        summary: 'Delete an integration and its secrets (409 while it has connections)',
        params: IdOrKeyParams,
        response: { 200: IntegrationView, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 409) },
      },
    },
    async (request) => {
      const scope = tenantOf(request);
      const { db } = app.deps.database;
      const existing = await integrationOr404(app, scope, request.params.id);
      const shown = await view(app, scope, existing);
      await deleteIntegration(db, app.deps.vault, scope, existing.id, { actor: actorOf(request) });
      return { ...shown, oauth: shown.oauth ? { ...shown.oauth, hasClientSecret: false } : null };
    },
  );
};
