import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problems } from '../../core/index.ts';
import { CAPABILITIES, CATEGORIES, CONNECTION_MODES, ConnectorManifestSchema, getConnector, listConnectors, loadRegistry } from '../../connectors/index.ts';
import { AUTHENTICATED_PROBLEMS, problemResponses } from '../schemas.ts';

const literals = (values: readonly string[]) => Type.Union(values.map((v) => Type.Literal(v)));

export const connectorRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // The catalog is loaded once per process; a broken connector stops start-up naming its file.
  await loadRegistry();
  const tags = ['connectors'];

  app.get(
    '/connectors',
    {
      config: { scope: 'connectors:read' },
      schema: {
        operationId: 'listConnectors',
        tags,
        summary: 'The connector catalog (whole, by name), filtered by category, capability, connection mode and words',
        querystring: Type.Object({
          category: Type.Optional(literals(CATEGORIES)),
          capability: Type.Optional(literals(CAPABILITIES)),
          connectionMode: Type.Optional(literals(CONNECTION_MODES)),
          q: Type.Optional(Type.String({ maxLength: 200, description: 'Words searched in key, name and description; every one must match' })),
        }),
        response: { 200: Type.Object({ data: Type.Array(ConnectorManifestSchema), nextCursor: Type.Null() }), ...problemResponses(...AUTHENTICATED_PROBLEMS) },
      },
    },
    async (request) => ({ data: listConnectors(request.query).map((c) => c.manifest), nextCursor: null }),
  );

  app.get(
    '/connectors/:key',
    {
      config: { scope: 'connectors:read' },
      schema: {
        operationId: 'getConnector',
        tags,
        summary: "One connector's manifest",
        params: Type.Object({ key: Type.String({ maxLength: 64 }) }),
        response: { 200: ConnectorManifestSchema, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) },
      },
    },
    async (request) => {
      const connector = getConnector(request.params.key);
      if (!connector) throw problems.notFound('Connector', request.params.key);
      return connector.manifest;
    },
  );
};
