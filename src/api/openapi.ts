import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { ROLE_SCOPES, ROLES, SCOPES } from '../auth/index.ts';
import { PROBLEM_BASE } from '../core/index.ts';
import { PROBLEM_CONTENT_TYPE, ProblemSchema } from './problems.ts';

function scopeTable(): string {
  const header = `| scope | meaning | ${ROLES.join(' | ')} |\n|---|---|${ROLES.map(() => '---').join('|')}|`;
  const rows = Object.entries(SCOPES).map(
    ([scope, meaning]) => `| \`${scope}\` | ${meaning} | ${ROLES.map((r) => ((ROLE_SCOPES[r] as readonly string[]).includes(scope) ? '✓' : '')).join(' | ')} |`,
  );
  return [header, ...rows].join('\n');
}

export const API_DESCRIPTION = `Patchbay's REST API. Authenticate with an API key (\`Authorization: Bearer pb_…\`; the key implies its organization and environment) or a dashboard session (cookie \`pb_session\`, header \`x-csrf-token\` on unsafe methods, environment named in \`patchbay-environment\`).

Errors are RFC 9457 \`application/problem+json\`; problem types live under ${PROBLEM_BASE}. Lists take \`?limit=&cursor=\` and answer \`{ data, nextCursor }\`. POSTs accept \`Idempotency-Key\`.

## Scopes and roles
${scopeTable()}`;

interface OpenApiDocument {
  paths?: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, unknown> }> }>>;
}

const PROBLEM_JSON = JSON.stringify(ProblemSchema);

/** The problem schema inlined by the generator: referenced instead, so the document stays small enough for Swagger UI to render quickly. */
function isProblem(json: unknown): boolean {
  const schema = (json as { schema?: unknown }).schema;
  if (!schema || typeof schema !== 'object') return false;
  const { $id: _id, ...rest } = schema as Record<string, unknown>;
  const { $id: _problemId, ...problem } = JSON.parse(PROBLEM_JSON) as Record<string, unknown>;
  return JSON.stringify(rest) === JSON.stringify(problem);
}

/**
 * Error answers are `application/problem+json`, and the document says so: a JSON error
 * response of any operation is declared under that media type (route schemas are written once,
 * for Fastify, which knows one JSON). Browser pages (the OAuth flow's HTML) stay as they are.
 */
export function problemMediaTypes<T extends OpenApiDocument>(document: T): T {
  for (const item of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(item)) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const json = response.content?.['application/json'];
        if (!json || !(status.startsWith('4') || status.startsWith('5') || status === 'default')) continue;
        response.content = { [PROBLEM_CONTENT_TYPE]: isProblem(json) ? { schema: { $ref: '#/components/schemas/Problem' } } : json };
      }
    }
  }
  return document;
}

export async function registerOpenApi(app: FastifyInstance, publicUrl: string): Promise<void> {
  app.addSchema(ProblemSchema);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Patchbay API', version: '1', description: API_DESCRIPTION },
      servers: [{ url: publicUrl }],
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: pb_test_… or pb_live_…' },
          session: { type: 'apiKey', in: 'cookie', name: 'pb_session' },
          connectSession: { type: 'http', scheme: 'bearer', description: 'A connect session token (pb_cs_…), for the Connect UI' },
          embedToken: { type: 'http', scheme: 'bearer', description: 'An embed token (pb_et_…), for embedded widgets' },
        },
      },
      security: [{ apiKey: [] }, { session: [] }],
    },
    transformObject: (documentObject) => problemMediaTypes((documentObject as { openapiObject: OpenApiDocument }).openapiObject) as never,
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  // The interactive docs are public pages, like the document they render.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/api/v1/docs')) route.config = { ...(route.config ?? {}), public: true };
  });
  // The page's assets are all on this host, so `upgrade-insecure-requests` (in the plugin's policy)
  // gains nothing over HTTPS and, over plain HTTP on any host but localhost, makes the browser ask
  // for https:// assets that do not exist: the docs render blank. It is dropped.
  await app.register(swaggerUi, {
    routePrefix: '/api/v1/docs',
    staticCSP: true,
    transformStaticCSP: (header) => header.replace(/\s*upgrade-insecure-requests;?/g, ''),
  });
}
