/**
 * The public proxy: `/api/v1/proxy/{connectionId}/<provider path>` forwards the request to the
 * connection's provider — base URL of its environment, credential injected, through the provider
 * proxy (rate limits, retries, circuit breaker, SSRF guard) — and answers with the provider's
 * status, headers and body as they came. Patchbay's own headers (the API key, cookies, the
 * environment) never reach the provider.
 */
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ProblemError, problems } from '../../core/index.ts';
import { failureSubject, type ConnectorContext } from '../../connectors/index.ts';
import { describeFailure, ProviderRequestError, type HttpMethod, type ProviderCallReport } from '../../proxy/index.ts';
import { providerContext, type ResolvedConnection, type SyncServices } from '../../syncs/index.ts';
import { tenantOf } from '../context.ts';
import { addRequestLineFields } from '../log-context.ts';
import { AUTHENTICATED_PROBLEMS, problemResponses } from '../schemas.ts';
import { BODY_LIMITS } from '../body.ts';

const DROPPED_REQUEST_HEADERS = new Set([
  'authorization',
  'cookie',
  'host',
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'content-length',
  'accept-encoding',
  // The hub speaks as itself (GitHub refuses requests without the manifest's User-Agent).
  'user-agent',
  'forwarded',
  'x-real-ip',
  'x-request-id',
  'x-csrf-token',
  'patchbay-environment',
]);
const DROPPED_RESPONSE_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding', 'set-cookie', 'trailer', 'upgrade']);
const METHODS: HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

function forwardedHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    const lower = name.toLowerCase();
    if (value === undefined || DROPPED_REQUEST_HEADERS.has(lower) || lower.startsWith('proxy-') || lower.startsWith('x-forwarded-')) continue;
    out[lower] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

export const proxyRoutes =
  (services: () => SyncServices): FastifyPluginAsyncTypebox =>
  async (app) => {
    // One connector context per resolved connection, not per call: the resolver keeps a
    // connection for a moment (2 s) and resolves a new object after it, so a changed credential,
    // configuration or deletion reaches the proxy exactly when it would have without this map.
    // Nothing per request lives in the context: the request's ids come from the log scope.
    const contexts = new WeakMap<ResolvedConnection, ConnectorContext>();
    const contextOf = (connection: ResolvedConnection): ConnectorContext => {
      let ctx = contexts.get(connection);
      if (!ctx) contexts.set(connection, (ctx = providerContext(services().proxy, connection, { logger: app.deps.logger })));
      return ctx;
    };

    // Bodies pass through as bytes, whatever their type.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMITS.proxy }, (_request, body, done) => done(null, body));

    for (const method of METHODS) {
      app.route({
        method,
        url: '/proxy/:connectionId/*',
        config: { scope: 'proxy:use', rateClass: 'proxy', idempotency: false },
        schema: {
          operationId: `proxy${method.charAt(0)}${method.slice(1).toLowerCase()}`,
          tags: ['proxy'],
          summary: `${method} to the connection's provider, credential injected; the provider's answer comes back as it is`,
          params: Type.Object({ connectionId: Type.String({ minLength: 1, maxLength: 128 }), '*': Type.String() }),
          response: { 200: Type.Unknown({ description: "The provider's answer (any status, headers and body)" }), ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 502, 503, 504) },
        },
        handler: async (request, reply) => {
          const scope = tenantOf(request);
          const connection = await services().resolver.resolve(scope, request.params.connectionId);
          if (!connection) throw problems.notFound('Connection', request.params.connectionId);
          const query = request.raw.url?.includes('?') ? request.raw.url.slice(request.raw.url.indexOf('?')) : '';
          try {
            const response = await contextOf(connection).http.request<Buffer>({
              method,
              path: `/${request.params['*']}${query}`,
              headers: forwardedHeaders(request.headers),
              ...(Buffer.isBuffer(request.body) && request.body.length > 0 ? { body: request.body } : {}),
              responseType: 'buffer',
              // The provider's answer goes on the request's own line rather than a line of its own.
              report: (call: ProviderCallReport) =>
                addRequestLineFields(request, { provider: call.provider, providerUrl: call.url, providerStatus: call.status, providerMs: call.durationMs, attempts: call.attempts }),
            });
            for (const name in response.headers) if (!DROPPED_RESPONSE_HEADERS.has(name)) reply.header(name, response.headers[name]);
            // Any status the provider gave (the schema's 200 stands for all of them).
            return reply.status(response.status as 200).send(response.body ?? Buffer.alloc(0));
          } catch (err) {
            if (err instanceof TypeError) throw problems.badRequest(err.message);
            if (!(err instanceof ProviderRequestError)) throw err;
            const failure = describeFailure(err, failureSubject(connection.connector.manifest));
            const status = err.kind === 'timeout' ? 504 : err.kind === 'circuit-open' ? 503 : 502;
            throw new ProblemError('provider-unreachable', status, 'Provider unreachable', { detail: failure.message, extra: { code: failure.code, hint: failure.hint } });
          }
        },
      });
    }
  };
