/**
 * Builds the HTTP API: one Fastify instance with validation, problem+json errors, request ids,
 * authentication, rate limits, idempotency, metrics and the OpenAPI document. Resource routes
 * are plugins under /api/v1; the domain modules do the work.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { newId, type Logger } from '../core/index.ts';
import { childLogger } from '../core/logging.ts';
import { registerRouteInfo, type ApiDeps } from './context.ts';
import { registerTextChecks, validatorCompiler } from './validation.ts';
import { LazyCompilers } from './lazy-compilers.ts';
import { BODY_LIMITS, clientErrorHandler, registerJsonParser, timeoutOptions } from './body.ts';
import { answerError, MAX_PARAM_LENGTH, registerProblemHandlers } from './problems.ts';
import { registerAuth } from './auth.ts';
import { RateLimits, registerRateLimits } from './rate-limit.ts';
import { registerIdempotency } from './idempotency.ts';
import { registerHttpMetrics } from './metrics.ts';
import { registerRequestTracing } from './tracing.ts';
import { registerRequestLogContext, RequestLog } from './log-context.ts';
import { registerOpenApi } from './openapi.ts';
import { healthRoutes } from './routes/health.ts';
import { openApiRoutes } from './routes/openapi.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { organizationRoutes } from './routes/organizations.ts';
import { memberRoutes } from './routes/members.ts';
import { apiKeyRoutes } from './routes/api-keys.ts';
import { auditLogRoutes } from './routes/audit-log.ts';
import { jobRoutes } from './routes/jobs.ts';
import { connectorRoutes } from './routes/connectors.ts';
import { integrationRoutes } from './routes/integrations.ts';
import { connectionRoutes } from './routes/connections.ts';
import { connectSessionRoutes } from './routes/connect-sessions.ts';
import { embedTokenRoutes } from './routes/embed-tokens.ts';
import { connectThemeRoutes } from './routes/connect-themes.ts';
import { oauthRoutes } from './routes/oauth.ts';
import { dashboardRoutes } from './routes/dashboard.ts';
import { connectPageRoutes } from './routes/connect-page.ts';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Every route of an API, as `METHOD /path` with OpenAPI-style `{param}`s (for the docs check). */
const routeLists = new WeakMap<FastifyInstance, string[]>();
export function listRoutes(app: FastifyInstance): string[] {
  return routeLists.get(app) ?? [];
}

export interface BuildApiOptions {
  /** Route plugins of later modules, registered under /api/v1 (or at the root when `absolute`). */
  plugins?: { plugin: FastifyPluginAsyncTypebox; absolute?: boolean }[];
  bodyLimit?: number;
}

const lazyCompilers = new WeakMap<FastifyInstance, LazyCompilers>();

/** Compiles, in the background, the route schemas no request has needed yet (see lazy-compilers.ts). */
export function warmRouteSchemas(app: FastifyInstance): Promise<void> {
  return lazyCompilers.get(app)?.warm() ?? Promise.resolve();
}

export async function buildApi(deps: ApiDeps, options: BuildApiOptions = {}): Promise<FastifyInstance> {
  const compilers = new LazyCompilers();
  const app = Fastify({
    schemaController: { compilersFactory: { buildSerializer: compilers.buildSerializer as never } },
    loggerInstance: deps.logger as FastifyBaseLogger,
    requestIdHeader: false,
    logController: new RequestLog({ requestIdLogLabel: 'requestId' }),
    // Fastify's child per request, with its bound keys known up front (core/logging.ts).
    childLoggerFactory: (logger, bindings, options) => childLogger(logger as unknown as Logger, bindings, options) as unknown as FastifyBaseLogger,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : newId('req');
    },
    bodyLimit: options.bodyLimit ?? BODY_LIMITS.json,
    trustProxy: false,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // The router's own refusals (bad percent-encoding, an over-long segment) are problems too.
    frameworkErrors: answerError,
    ...timeoutOptions(deps.config),
    clientErrorHandler,
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate('deps', deps);
  lazyCompilers.set(app, compilers);
  const routes: string[] = [];
  routeLists.set(app, routes);
  app.addHook('onRoute', (route) => {
    if (route.schema?.hide) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const url = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    for (const method of methods) if (method !== 'HEAD') routes.push(`${method} ${url}`);
  });
  registerRouteInfo(app);
  // First of the hooks: every line a request's handling logs carries its id (and the answer its x-request-id).
  registerRequestLogContext(app);
  app.setValidatorCompiler(compilers.validator(validatorCompiler));
  registerProblemHandlers(app);
  registerJsonParser(app, deps.config.maxJsonDepth);
  registerTextChecks(app);
  // No app-wide cookie plugin: cookies are parsed and set where used (cookies.ts).
  registerHttpMetrics(app, deps.metrics);
  registerRequestTracing(app);
  await registerOpenApi(app, deps.config.publicUrl);
  await registerAuth(app);
  registerRateLimits(app, new RateLimits(deps.redis));
  registerIdempotency(app);

  await app.register(healthRoutes);
  await app.register(openApiRoutes);
  await app.register(
    async (v1) => {
      await v1.register(sessionRoutes);
      await v1.register(organizationRoutes);
      await v1.register(memberRoutes);
      await v1.register(apiKeyRoutes);
      await v1.register(auditLogRoutes);
      await v1.register(jobRoutes);
      await v1.register(connectorRoutes);
      await v1.register(integrationRoutes);
      await v1.register(connectionRoutes);
      await v1.register(connectSessionRoutes);
      await v1.register(embedTokenRoutes);
      await v1.register(connectThemeRoutes);
      for (const { plugin, absolute } of options.plugins ?? []) if (!absolute) await v1.register(plugin);
    },
    { prefix: '/api/v1' },
  );
  await app.register(oauthRoutes);
  for (const { plugin, absolute } of options.plugins ?? []) if (absolute) await app.register(plugin);
  await app.register(connectPageRoutes);
  await app.register(dashboardRoutes);
  await app.ready();
  return app;
}
