import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

export const openApiRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/v1/openapi.json',
    {
      config: { public: true },
      schema: {
        operationId: 'getOpenApiDocument',
        tags: ['operations'],
        summary: 'This OpenAPI 3.1 document',
        security: [],
        response: { 200: Type.Object({}, { additionalProperties: true }) },
      },
    },
    async (_request, reply) => reply.serializer(JSON.stringify).send(app.swagger()),
  );
};
