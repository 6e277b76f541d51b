/**
 * What every route can rely on: the hub's dependencies (`app.deps`), the authenticated principal
 * (`request.principal`), and the route's declared needs (`config.scope`, `config.rateClass`).
 */
import type { Registry } from 'prom-client';
import type { Redis } from 'ioredis';
import type { Clock, Config, Logger } from '../core/index.ts';
import type { Database } from '../db/index.ts';
import type { Actor, KeyRateLimits, Role, Scope } from '../auth/index.ts';
import type { Vault } from '../credentials/index.ts';
import { problems } from '../core/index.ts';
import type { FastifyContextConfig, FastifyInstance, FastifyRequest } from 'fastify';

export interface ApiDeps {
  config: Config;
  database: Database;
  logger: Logger;
  clock: Clock;
  metrics: Registry;
  redis?: Redis | undefined;
  /** The credential vault: routes that store or read secrets (integrations, connections) go through it. */
  vault: Vault;
}

export type RateClass = 'management' | 'publish' | 'ingest' | 'proxy' | 'login';

export interface Principal {
  kind: 'apiKey' | 'user';
  /** The key id or user id. */
  id: string;
  organizationId: string;
  /** Set for API keys (their environment) and for users who named one (`patchbay-environment`). */
  environmentId: string | undefined;
  environmentName: string | undefined;
  scopes: ReadonlySet<Scope>;
  role: Role | undefined;
  rateLimits: KeyRateLimits;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope this route needs; absent on public routes. */
    scope?: Scope;
    /** Public routes skip authentication (health, login, OAuth callbacks, inbound webhooks). */
    public?: boolean;
    /** Organization-level routes do not need an environment. */
    organizationLevel?: boolean;
    rateClass?: RateClass;
    /**
     * False: `Idempotency-Key` is not Patchbay's to honour here (the proxy forwards it to the provider).
     * `{ secretFields }`: the answer's fields that carry a secret shown once (a new API key); they are
     * never stored, and a replay answers `409 secret-shown-once` with the rest of the answer.
     */
    idempotency?: boolean | { secretFields: readonly string[] };
  }
  interface FastifyRequest {
    principal: Principal | undefined;
  }
  interface FastifyInstance {
    deps: ApiDeps;
  }
}

/** The organization and environment a request acts in; every query is scoped by both. */
export interface TenantScope {
  organizationId: string;
  environmentId: string;
}

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw problems.unauthenticated();
  return request.principal;
}

export function tenantOf(request: FastifyRequest): TenantScope {
  const principal = principalOf(request);
  if (!principal.environmentId) {
    throw problems.badRequest('This route acts in one environment: send the `patchbay-environment` header (e.g. `dev`).');
  }
  return { organizationId: principal.organizationId, environmentId: principal.environmentId };
}

export function actorOf(request: FastifyRequest): Actor {
  const principal = request.principal;
  return {
    type: principal?.kind === 'apiKey' ? 'api_key' : principal ? 'user' : 'system',
    id: principal?.id ?? null,
    ip: request.ip,
    requestId: request.id,
  };
}

/** The request's logger (it carries the request id) as the domain modules take it. */
export function loggerOf(request: FastifyRequest): Logger {
  return request.log as unknown as Logger;
}

/** What the API's own hooks read of a request's route. */
export interface RouteInfo {
  /** The route's pattern (`/api/v1/connections/:id`); undefined when no route matched (a 404). */
  url: string | undefined;
  config: FastifyContextConfig;
}
const ROUTE = Symbol('patchbay.route');

/** Declares the per-request slot routeOf fills (a decorated field: no shape change per request). */
export function registerRouteInfo(app: FastifyInstance): void {
  app.decorateRequest(ROUTE as unknown as string, null);
}

/**
 * The request's route, read once per request: Fastify's `request.routeOptions` builds a new object
 * (a dozen fields, the version constraint looked up) on every read, and authentication, rate
 * limits, the log context and metrics each need it.
 */
export function routeOf(request: FastifyRequest): RouteInfo {
  const slot = request as unknown as Record<symbol, RouteInfo | null | undefined>;
  let route = slot[ROUTE];
  // reply.callNotFound() moves a request to the 404 route (the dashboard's fallback does): read again then.
  if (!route || (route.url !== undefined && request.is404)) slot[ROUTE] = route = request.routeOptions;
  return route;
}
