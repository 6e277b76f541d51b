import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { isUniqueViolation, problems } from '../../core/index.ts';
import { checkSecretStoreSettings } from '../../credentials/index.ts';
import {
  createEnvironment,
  findEnvironment,
  getOrganization,
  listEnvironments,
  recordAudit,
  renameOrganization,
  SLUG,
  updateEnvironment,
  type Environment,
} from '../../auth/index.ts';
import { actorOf, principalOf } from '../context.ts';
import { AUTHENTICATED_PROBLEMS, IdParams, iso, problemResponses, Timestamp } from '../schemas.ts';

const OrganizationView = Type.Object({ id: Type.String(), slug: Type.String(), name: Type.String(), createdAt: Timestamp });
const EnvironmentView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  allowPrivateNetworks: Type.Boolean(),
  settings: Type.Object({}, { additionalProperties: true }),
  createdAt: Timestamp,
});
const envView = (e: Environment) => ({ id: e.id, name: e.name, allowPrivateNetworks: e.allowPrivateNetworks, settings: e.settings, createdAt: iso(e.createdAt)! });

export const organizationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['organization'];
  const level = { organizationLevel: true } as const;

  app.get(
    '/organizations/current',
    { config: { ...level, scope: 'organization:read' }, schema: { operationId: 'getOrganization', tags, summary: 'The caller’s organization', response: { 200: OrganizationView, ...problemResponses(...AUTHENTICATED_PROBLEMS) } } },
    async (request) => {
      const org = await getOrganization(app.deps.database.db, principalOf(request).organizationId);
      if (!org) throw problems.notFound('Organization');
      return { ...org, createdAt: iso(org.createdAt)! };
    },
  );

  app.patch(
    '/organizations/current',
    {
      config: { ...level, scope: 'organization:write' },
      schema: {
        operationId: 'updateOrganization',
        tags,
        summary: 'Rename the organization',
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
        response: { 200: OrganizationView, ...problemResponses(...AUTHENTICATED_PROBLEMS) },
      },
    },
    async (request) => {
      const { organizationId } = principalOf(request);
      const org = await app.deps.database.db.transaction(async (tx) => {
        const updated = await renameOrganization(tx, organizationId, request.body.name);
        await recordAudit(tx, { organizationId, actor: actorOf(request), action: 'organization.updated', targetType: 'organization', targetId: organizationId, details: { name: request.body.name } });
        return updated;
      });
      if (!org) throw problems.notFound('Organization');
      return { ...org, createdAt: iso(org.createdAt)! };
    },
  );

  app.get(
    '/environments',
    { config: { ...level, scope: 'organization:read' }, schema: { operationId: 'listEnvironments', tags, summary: 'Environments of the organization', response: { 200: Type.Object({ data: Type.Array(EnvironmentView), nextCursor: Type.Null() }), ...problemResponses(...AUTHENTICATED_PROBLEMS) } } },
    async (request) => ({ data: (await listEnvironments(app.deps.database.db, principalOf(request).organizationId)).map(envView), nextCursor: null }),
  );

  app.post(
    '/environments',
    {
      config: { ...level, scope: 'organization:write' },
      schema: {
        operationId: 'createEnvironment',
        tags,
        summary: 'Add an environment (fully isolated: its own integrations, credentials, endpoints and keys)',
        body: Type.Object({ name: Type.String({ pattern: SLUG.source }), allowPrivateNetworks: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        response: { 201: EnvironmentView, ...problemResponses(...AUTHENTICATED_PROBLEMS, 409) },
      },
    },
    async (request, reply) => {
      const { organizationId } = principalOf(request);
      try {
        const env = await app.deps.database.db.transaction(async (tx) => {
          const created = await createEnvironment(tx, organizationId, request.body);
          await recordAudit(tx, { organizationId, environmentId: created.id, actor: actorOf(request), action: 'environment.created', targetType: 'environment', targetId: created.id, details: { name: created.name } });
          return created;
        });
        return reply.status(201).send(envView(env));
      } catch (err) {
        if (isUniqueViolation(err)) throw problems.conflict(`An environment named "${request.body.name}" already exists.`);
        throw err;
      }
    },
  );

  app.patch(
    '/environments/:id',
    {
      config: { ...level, scope: 'organization:write' },
      schema: {
        operationId: 'updateEnvironment',
        tags,
        summary: 'Change an environment’s settings',
        params: IdParams,
        body: Type.Object(
          { allowPrivateNetworks: Type.Optional(Type.Boolean()), settings: Type.Optional(Type.Object({}, { additionalProperties: true })) },
          { additionalProperties: false },
        ),
        response: { 200: EnvironmentView, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 422) },
      },
    },
    async (request) => {
      const { organizationId } = principalOf(request);
      const existing = await findEnvironment(app.deps.database.db, organizationId, request.params.id);
      if (!existing) throw problems.notFound('Environment', request.params.id);
      // The secret-store addresses pass the address policy under the settings as they will be after this change.
      const settings = (request.body.settings ?? existing.settings) as Record<string, unknown>;
      const refused = await checkSecretStoreSettings(settings.secretStores, { allowPrivateNetworks: request.body.allowPrivateNetworks ?? existing.allowPrivateNetworks });
      if (refused.length > 0) throw problems.unprocessable('The secret-store settings are refused.', refused);
      const env = await app.deps.database.db.transaction(async (tx) => {
        const updated = await updateEnvironment(tx, organizationId, existing.id, request.body as { allowPrivateNetworks?: boolean; settings?: Record<string, unknown> });
        await recordAudit(tx, { organizationId, environmentId: existing.id, actor: actorOf(request), action: 'environment.updated', targetType: 'environment', targetId: existing.id, details: { ...request.body } });
        return updated;
      });
      return envView(env!);
    },
  );
};
