/**
 * The authorization matrix, generated from the route table (`listRouteAuthorizations`): every
 * authenticated operation × role × own / other environment × own / other organization. A new
 * route is in the matrix by default; its expected answers follow from the scope it declares:
 * - a role without the scope gets 403, wherever it aims;
 * - a role with it, in its own environment, gets past authorization (no 401/403, never a 5xx);
 * - a path naming another environment's or organization's resource is 404 (or 403), and no answer
 *   ever carries another tenant's data (each tenant's resources carry a marker the answers are
 *   searched for); naming another environment in `patchbay-environment` is 403 for an API key.
 * Afterwards every resource the probes aimed at is still there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapOrganization, createApiKey, getApiKey, listMembers, ROLES, scopesForRole, type Role } from '../../src/auth/index.ts';
import { listRouteAuthorizations, type RouteAuthorization } from '../../src/api/index.ts';
import { loadConfig, silentLogger, systemClock } from '../../src/core/index.ts';
import { createHub, type Hub } from '../../src/hub/index.ts';
import { startSimulator, type SimulatorHandle } from '../../simulators/index.ts';
import { bearer } from '../support/api.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

const KEY = 'sk_test_patchbaysimulator0000000001';
/** Routes that stream (server-sent events): their allowed answer is not awaited here. */
const STREAMS = new Set(['GET /api/v1/listen']);
/** A well-formed id that names nothing: probes in the caller's own environment must not destroy fixtures. */
const NOBODY = 'zz_nobody_here';

let database: TestDatabase;
let hub: Hub;
let stripe: SimulatorHandle;

/** One environment's resources, each name carrying `marker`. */
interface Fixtures {
  marker: string;
  environmentId: string;
  integration: string;
  connection: string;
  endCustomer: string;
  endpoint: string;
  source: string;
  eventType: string;
  event: string;
  apiKey: string;
  adminKey: string;
}
interface Tenant {
  organizationId: string;
  /** Keys per role in `dev`, with a generous management limit (the matrix sends many requests). */
  keys: Record<Role, string>;
  other: Fixtures;
  userId: string;
}

const call = (key: string, method: string, url: string, extra: { headers?: Record<string, string>; payload?: unknown } = {}) =>
  hub.app!.inject({ method: method as 'GET', url, headers: { ...bearer(key), ...extra.headers }, ...(extra.payload !== undefined ? { payload: extra.payload as object } : {}) });

async function ok(key: string, method: string, url: string, payload?: unknown): Promise<Record<string, any>> {
  const res = await call(key, method, `/api/v1${url}`, { payload });
  if (res.statusCode >= 300) throw new Error(`${method} ${url} → ${res.statusCode} ${res.body}`);
  return res.json();
}

async function seedFixtures(adminKey: string, environmentId: string, marker: string): Promise<Fixtures> {
  const integration = await ok(adminKey, 'POST', '/integrations', { connectorKey: 'stripe', name: `${marker} stripe`, baseUrl: stripe.baseUrl });
  const connection = await ok(adminKey, 'POST', '/connections', { integration: integration.id, endCustomerId: `${marker}-customer`, credentials: { apiKey: KEY } });
  const endpoint = await ok(adminKey, 'POST', '/endpoints', { url: 'http://127.0.0.1:9/hook', description: `${marker} endpoint`, enabled: false });
  const source = await ok(adminKey, 'POST', '/sources', { name: `${marker} source`, connector: 'stripe', integrationId: integration.id, secret: 'whsec_matrix' });
  const eventType = `${marker}.happened`.toLowerCase();
  await ok(adminKey, 'POST', '/event-types', { name: eventType });
  const event = await ok(adminKey, 'POST', '/events', { type: eventType, data: { note: marker } });
  const apiKey = await ok(adminKey, 'POST', '/api-keys', { name: `${marker} key`, role: 'viewer' });
  return { marker, environmentId, integration: integration.id, connection: connection.id, endCustomer: `${marker}-customer`, endpoint: endpoint.id, source: source.id, eventType, event: event.id, apiKey: apiKey.id, adminKey };
}

async function seedTenant(slug: string): Promise<Tenant & { dev: string; staging: string }> {
  const seed = (await bootstrapOrganization(database.db, {
    organizationName: slug,
    organizationSlug: slug,
    environments: ['dev', 'staging'],
    ownerEmail: `owner@${slug}.test`,
    ownerName: 'Owner',
    keyEnvironment: 'dev',
    allowPrivateNetworksIn: ['dev', 'staging'],
  }))!;
  const env = (name: string) => seed.environments.find((e) => e.name === name)!.id;
  const key = async (role: Role, environment: string) =>
    (await createApiKey(database.db, { organizationId: seed.organization.id, environmentId: env(environment), name: `${role}`, role, rateLimits: { management: { perMinute: 100_000, perHour: 1_000_000 } } })).key;
  const keys = {} as Record<Role, string>;
  for (const role of ROLES) keys[role] = await key(role, 'dev');
  const other = await seedFixtures(await key('admin', 'staging'), env('staging'), `MARK${slug}staging`);
  const [owner] = await listMembers(database.db, seed.organization.id);
  return { organizationId: seed.organization.id, keys, other, userId: owner!.userId, dev: env('dev'), staging: env('staging') };
}

/** Each acting role gets its own organization (the management rate limit is per organization); `b` is the other organization. */
const tenants = {} as Record<Role, Awaited<ReturnType<typeof seedTenant>>>;
let b: Awaited<ReturnType<typeof seedTenant>>;
let bDev: Fixtures;
let routes: RouteAuthorization[];

beforeAll(async () => {
  database = await createTestDatabase();
  stripe = await startSimulator('stripe');
  const config = loadConfig({
    PATCHBAY_DATA_DIR: database.dataDir,
    PUBLIC_URL: 'http://localhost:4000',
    ...(database.url ? { DATABASE_URL: database.url, PATCHBAY_SECRET_KEYS: process.env.PATCHBAY_SECRET_KEYS } : {}),
  });
  hub = await createHub({ config, database, logger: silentLogger, clock: systemClock });
  for (const role of ROLES) tenants[role] = await seedTenant(`t-${role}`);
  b = await seedTenant('b-other');
  bDev = await seedFixtures(b.keys.admin, b.dev, 'MARKbdev');
  routes = listRouteAuthorizations(hub.app!).filter((r) => !r.public);
}, 240_000);
afterAll(async () => {
  await hub?.stop();
  await stripe?.close();
  await database?.drop();
});

type Target = { fixtures: Fixtures; userId: string } | undefined;

/** Fills a route's path parameters: with the target's resources, or with ids that name nothing. */
function pathFor(route: RouteAuthorization, target: Target): { url: string; aimed: boolean } {
  let aimed = false;
  const f = target?.fixtures;
  const resource = (url: string, name: string): string | undefined => {
    if (!f) return undefined;
    if (name === 'userId') return target.userId;
    if (name === 'endpointId') return f.endpoint;
    if (name === 'integrationId') return f.integration;
    if (name === 'connectionId') return f.connection;
    if (name === 'endCustomerId') return f.endCustomer;
    if (name === 'name' && url.includes('/event-types/')) return f.eventType;
    if (name !== 'id') return undefined;
    const kind = /^\/api\/v1\/([a-z-]+)\//.exec(url)?.[1];
    return (
      {
        integrations: f.integration,
        connections: f.connection,
        endpoints: f.endpoint,
        sources: f.source,
        events: f.event,
        'api-keys': f.apiKey,
        environments: f.environmentId,
      } as Record<string, string>
    )[kind ?? ''];
  };
  const url = route.url
    .replace(/\{([A-Za-z]+)\}/g, (_m, name: string) => {
      const id = resource(route.url, name);
      if (id) aimed = true;
      return encodeURIComponent(id ?? (name === 'model' ? 'customers' : NOBODY));
    })
    .replace(/\*$/, 'v1/customers');
  return { url, aimed };
}

/** Bodies for routes whose body is checked before the resource is looked up (a new one fails below with its 400 until added here). */
const BODIES: Record<string, unknown> = {
  'PATCH /api/v1/members/{userId}': { role: 'viewer' },
  'POST /api/v1/endpoints/{id}/recover': { since: new Date(Date.now() - 60_000).toISOString() },
  'PUT /api/v1/records/{connectionId}/{model}/{externalId}': { data: { email: 'probe@example.com' } },
};
const payloadFor = (route: RouteAuthorization) => BODIES[`${route.method} ${route.url}`] ?? (['POST', 'PUT', 'PATCH'].includes(route.method) ? {} : undefined);
const markersOf = (...fixtures: Fixtures[]) => fixtures.map((f) => f.marker);

describe('authorization matrix (from the route table)', () => {
  it('covers every authenticated operation', () => {
    expect(routes.length).toBeGreaterThan(80);
    // A route without a declared scope is open to every authenticated caller: keep that list short and known.
    expect(routes.filter((r) => !r.scope).map((r) => `${r.method} ${r.url}`)).toEqual(['POST /api/v1/auth/logout', 'GET /api/v1/auth/me']);
  });

  for (const role of ROLES) {
    it(`${role}: the declared scope decides, in its own environment`, async () => {
      const t = tenants[role];
      const failures: string[] = [];
      for (const route of routes) {
        const op = `${route.method} ${route.url}`;
        const allowed = !route.scope || scopesForRole(role).includes(route.scope);
        if (allowed && STREAMS.has(op)) continue;
        const { url } = pathFor(route, undefined);
        const res = await call(t.keys[role], route.method, url, { payload: payloadFor(route) });
        const leaked = markersOf(t.other, bDev, b.other).filter((m) => res.body.includes(m));
        if (res.statusCode >= 500) failures.push(`${op}: ${res.statusCode} ${res.body}`);
        else if (!allowed && res.statusCode !== 403) failures.push(`${op}: ${res.statusCode}, expected 403`);
        else if (allowed && [401, 403].includes(res.statusCode)) failures.push(`${op}: ${res.statusCode} ${res.body}, expected past authorization`);
        if (leaked.length > 0) failures.push(`${op}: answer carries ${leaked.join(', ')}`);
      }
      expect(failures).toEqual([]);
    });

    for (const where of ['other environment', 'other organization'] as const) {
      it(`${role}: a resource of an ${where} is 404/403 and no answer carries its data`, async () => {
        const t = tenants[role];
        const target = where === 'other environment' ? { fixtures: t.other, userId: t.userId } : { fixtures: bDev, userId: b.userId };
        const failures: string[] = [];
        for (const route of routes) {
          const op = `${route.method} ${route.url}`;
          const allowed = !route.scope || scopesForRole(role).includes(route.scope);
          const { url, aimed } = pathFor(route, target);
          // Organization-level resources (environments, members) are shared by the organization's environments.
          const shared = where === 'other environment' && route.organizationLevel && !route.url.startsWith('/api/v1/api-keys');
          if (!aimed || shared || (allowed && STREAMS.has(op))) continue;
          const res = await call(t.keys[role], route.method, url, { payload: payloadFor(route) });
          const leaked = markersOf(target.fixtures).filter((m) => res.body.includes(m) && !url.includes(m));
          if (res.statusCode >= 500) failures.push(`${op}: ${res.statusCode} ${res.body}`);
          else if (!allowed && res.statusCode !== 403) failures.push(`${op}: ${res.statusCode}, expected 403`);
          else if (allowed && ![403, 404].includes(res.statusCode) && !(route.url.includes('{endCustomerId}') && res.statusCode === 200)) failures.push(`${op} → ${url}: ${res.statusCode} ${res.body}, expected 404`);
          if (leaked.length > 0) failures.push(`${op}: answer carries ${leaked.join(', ')}`);
        }
        expect(failures).toEqual([]);
      });
    }

    it(`${role}: an API key naming another environment (its own organization's or another's) is 403 on every route`, async () => {
      const t = tenants[role];
      const failures: string[] = [];
      for (const route of routes) {
        const op = `${route.method} ${route.url}`;
        for (const environment of ['staging', b.dev]) {
          const res = await call(t.keys[role], route.method, pathFor(route, undefined).url, { headers: { 'patchbay-environment': environment }, payload: payloadFor(route) });
          if (res.statusCode !== 403) failures.push(`${op} naming ${environment}: ${res.statusCode}`);
        }
      }
      expect(failures).toEqual([]);
    });
  }

  it('leaves every resource the probes aimed at in place', async () => {
    for (const f of [bDev, b.other, ...ROLES.map((r) => tenants[r].other)]) {
      for (const path of [`/integrations/${f.integration}`, `/connections/${f.connection}`, `/endpoints/${f.endpoint}`, `/sources/${f.source}`, `/event-types/${f.eventType}`, `/events/${f.event}`]) {
        const res = await call(f.adminKey, 'GET', `/api/v1${path}`);
        expect(res.statusCode, `${f.marker} ${path}`).toBe(200);
      }
    }
    for (const f of [bDev, b.other]) expect((await getApiKey(database.db, b.organizationId, f.apiKey))!.revokedAt).toBeNull();
    expect((await listMembers(database.db, b.organizationId)).map((m) => m.role)).toEqual(['owner']);
  });
});
