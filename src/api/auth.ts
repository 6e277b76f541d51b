/**
 * Authentication and authorization, before the body is even read: an API key (`Authorization:
 * Bearer pb_…`, which implies its organization and environment) or a dashboard session cookie
 * (with a CSRF token on every unsafe method and the environment named per request).
 * 401 when nobody is authenticated (or the key is revoked), 403 when the scope is missing.
 *
 * API keys are verified through the auth module's verifier: a key seen in the last
 * `PATCHBAY_API_KEY_CACHE_SECONDS` costs no query, and revocation still acts on the next request.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { problems } from '../core/index.ts';
import { createApiKeyVerifier, findEnvironment, findSession, getMember, isScope, scopesForRole, type Scope, type VerifiedApiKey } from '../auth/index.ts';
import { routeOf, type Principal } from './context.ts';
import { requestCookies } from './cookies.ts';

export const SESSION_COOKIE = 'pb_session';
export const ENVIRONMENT_HEADER = 'patchbay-environment';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw problems.unauthenticated('Send the API key as `Authorization: Bearer pb_…`.');
  return match[1];
}

// One principal per verified key (the cache's entry, replaced when the key is read again or
// changes), not one per request: its scopes set is built once. Principals are never mutated.
const principals = new WeakMap<VerifiedApiKey, Principal>();

function principalOfKey(request: FastifyRequest, key: VerifiedApiKey | undefined): Principal {
  if (!key) throw problems.unauthenticated('The API key is not valid.');
  if (key.revoked) throw problems.unauthenticated('The API key has been revoked.');
  const named = request.headers[ENVIRONMENT_HEADER];
  if (typeof named === 'string' && named !== key.environmentName && named !== key.environmentId) {
    throw problems.forbidden(`This API key belongs to the environment "${key.environmentName}", not "${named}".`);
  }
  let principal = principals.get(key);
  if (!principal) {
    principal = {
      kind: 'apiKey',
      id: key.id,
      organizationId: key.organizationId,
      environmentId: key.environmentId,
      environmentName: key.environmentName,
      scopes: new Set(key.scopes.filter(isScope)),
      role: (key.role as Principal['role']) ?? undefined,
      rateLimits: key.rateLimits,
    };
    principals.set(key, principal);
  }
  return principal;
}

async function fromSession(app: FastifyInstance, request: FastifyRequest, token: string): Promise<Principal> {
  const { database, clock } = app.deps;
  const session = await findSession(database.db, clock, token);
  if (!session) throw problems.unauthenticated('The session has expired; sign in again.');
  if (!SAFE_METHODS.has(request.method) && request.headers[CSRF_HEADER] !== session.csrfToken) {
    throw problems.forbidden(`Requests signed in with a session cookie must carry the ${CSRF_HEADER} header.`);
  }
  const member = await getMember(database.db, session.organizationId, session.userId);
  if (!member) throw problems.unauthenticated('You are no longer a member of this organization.');
  const named = request.headers[ENVIRONMENT_HEADER];
  const env = typeof named === 'string' && named ? await findEnvironment(database.db, session.organizationId, named) : undefined;
  if (typeof named === 'string' && named && !env) throw problems.notFound('Environment', named);
  return {
    kind: 'user',
    id: session.userId,
    organizationId: session.organizationId,
    environmentId: env?.id,
    environmentName: env?.name,
    scopes: new Set(scopesForRole(member.role)),
    role: member.role,
    rateLimits: {},
  };
}

export function requireScope(principal: Principal, scope: Scope): void {
  if (!principal.scopes.has(scope)) {
    const who = principal.kind === 'apiKey' ? 'This API key' : `Your role (${principal.role})`;
    throw problems.forbidden(`${who} does not grant the "${scope}" scope this action needs.`);
  }
}

/** What a route declares about who may call it, as registered (the authorization matrix test reads it). */
export interface RouteAuthorization {
  method: string;
  /** OpenAPI-style path (`/api/v1/endpoints/{id}`). */
  url: string;
  public: boolean;
  scope: Scope | undefined;
  organizationLevel: boolean;
}
const routeTables = new WeakMap<FastifyInstance, RouteAuthorization[]>();

/** Every route of an API with its declared scope: a new route is in this table by default. */
export function listRouteAuthorizations(app: FastifyInstance): RouteAuthorization[] {
  return routeTables.get(app) ?? [];
}

export async function registerAuth(app: FastifyInstance): Promise<void> {
  const { database, clock, logger, config } = app.deps;
  const table: RouteAuthorization[] = [];
  routeTables.set(app, table);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const url = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    for (const method of methods) {
      if (method === 'HEAD') continue;
      table.push({ method, url, public: Boolean(route.config?.public), scope: route.config?.scope, organizationLevel: Boolean(route.config?.organizationLevel) });
    }
  });
  const verifier = await createApiKeyVerifier({ database, clock, logger, ttlSeconds: config.apiKeyCacheSeconds });
  app.addHook('onClose', () => verifier.close());
  app.decorateRequest('principal', undefined);
  const authenticate = async (request: FastifyRequest, token: string | undefined, scope: Scope | undefined): Promise<void> => {
    if (token) request.principal = principalOfKey(request, await verifier.verify(token));
    else {
      // The session cookie is read only when no API key came: the Cookie header is parsed here, on demand.
      const cookie = requestCookies(request)[SESSION_COOKIE];
      if (cookie) request.principal = await fromSession(app, request, cookie);
      else throw problems.unauthenticated();
    }
    if (scope) requireScope(request.principal, scope);
  };
  // A callback hook: an API key verified within the cache's TTL is answered synchronously, with
  // no promise per request; a key not in memory, or a session, takes the asynchronous way.
  app.addHook('onRequest', (request, _reply, done) => {
    const { config, url } = routeOf(request);
    if (config.public || !url) return done();
    let token: string | undefined;
    try {
      token = bearer(request);
      const key = token ? verifier.peek(token) : undefined;
      if (key) {
        request.principal = principalOfKey(request, key);
        if (config.scope) requireScope(request.principal, config.scope);
        return done();
      }
    } catch (err) {
      return done(err as Error);
    }
    authenticate(request, token, config.scope).then(() => done(), done);
  });
}
