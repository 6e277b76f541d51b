/**
 * An integration's default Connect UI theme: design-token overrides the Connect UI shows that
 * integration in, under whatever theme a connect session sets.
 */
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problems } from '../../core/index.ts';
import { recordAudit } from '../../auth/index.ts';
import { checkTheme, findIntegration, getIntegrationTheme, removeIntegrationTheme, setIntegrationTheme, type Theme } from '../../connections/index.ts';
import { actorOf, tenantOf } from '../context.ts';
import { AUTHENTICATED_PROBLEMS, problemResponses } from '../schemas.ts';
import { ThemeSchema } from './connect-sessions.ts';

const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128, description: 'The integration’s id or key' }) });
const View = Type.Object({ integrationId: Type.String(), theme: Type.Union([ThemeSchema, Type.Null()]) });

export const connectThemeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['connect'];
  const { db } = app.deps.database;
  const integrationOf = async (scope: { organizationId: string; environmentId: string }, ref: string) => {
    const integration = await findIntegration(db, scope, ref);
    if (!integration) throw problems.notFound('Integration', ref);
    return integration;
  };

  app.get(
    '/integrations/:id/connect-theme',
    { config: { scope: 'integrations:read' }, schema: { operationId: 'getIntegrationConnectTheme', tags, summary: 'The integration’s default Connect UI theme (null when it has none)', params: Params, response: { 200: View, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) } } },
    async (request) => {
      const scope = tenantOf(request);
      const integration = await integrationOf(scope, request.params.id);
      return { integrationId: integration.id, theme: await getIntegrationTheme(db, scope, integration.id) };
    },
  );

  app.put(
    '/integrations/:id/connect-theme',
    {
      config: { scope: 'integrations:write' },
      schema: {
        operationId: 'setIntegrationConnectTheme',
        tags,
        summary: 'Set the integration’s default Connect UI theme; a session’s own theme goes over it. A bad token or value is a 400 naming it',
        params: Params,
        body: ThemeSchema,
        response: { 200: View, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) },
      },
    },
    async (request) => {
      const scope = tenantOf(request);
      const integration = await integrationOf(scope, request.params.id);
      const { theme, errors } = checkTheme(request.body, '');
      if (errors.length > 0 || !theme) throw problems.validation(errors);
      await db.transaction(async (tx) => {
        await setIntegrationTheme(tx, scope, integration.id, theme, app.deps.clock.now());
        await recordAudit(tx, { ...scope, actor: actorOf(request), action: 'integration.connect_theme_set', targetType: 'integration', targetId: integration.id, details: { tokens: Object.keys({ ...theme.tokens, ...theme.dark }) } });
      });
      return { integrationId: integration.id, theme: theme as Theme };
    },
  );

  app.delete(
    '/integrations/:id/connect-theme',
    { config: { scope: 'integrations:write' }, schema: { operationId: 'removeIntegrationConnectTheme', tags, summary: 'Remove the integration’s default Connect UI theme', params: Params, response: { 200: View, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) } } },
    async (request) => {
      const scope = tenantOf(request);
      const integration = await integrationOf(scope, request.params.id);
      await db.transaction(async (tx) => {
        if (await removeIntegrationTheme(tx, scope, integration.id)) {
          await recordAudit(tx, { ...scope, actor: actorOf(request), action: 'integration.connect_theme_removed', targetType: 'integration', targetId: integration.id });
        }
      });
      return { integrationId: integration.id, theme: null };
    },
  );
};
