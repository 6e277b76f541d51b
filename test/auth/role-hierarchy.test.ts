/**
 * The role hierarchy on keys and members, as a matrix: every write on keys and members × acting
 * role × target role. A write succeeds only when the actor holds the route's scope and at least
 * the target's role (every scope of it); otherwise it is a 403 and nothing changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, createApiKey, createUser, getApiKey, getMember, ROLES, scopesForRole, type Role } from '../../src/auth/index.ts';
import { bearer, createTestApi, type TestApi } from '../support/api.ts';

let api: TestApi;
const actors = {} as Record<Role, string>;
beforeAll(async () => {
  api = await createTestApi();
  for (const role of ROLES) {
    // Own keys with a generous management limit: the matrix sends a few hundred requests.
    actors[role] = (
      await createApiKey(api.database.db, { organizationId: orgId(), environmentId: devId(), name: `actor ${role}`, role, rateLimits: { management: { perMinute: 10_000, perHour: 100_000 } } })
    ).key;
  }
});
afterAll(async () => {
  await api.close();
});

const orgId = () => api.seed.organization.id;
const devId = () => api.seed.environments.find((e) => e.name === 'dev')!.id;
const RANK: Record<Role, number> = { viewer: 0, developer: 1, admin: 2, owner: 3 };
const holds = (actor: Role, scope: string) => scopesForRole(actor).includes(scope as never);
const atLeast = (actor: Role, ...targets: Role[]) => targets.every((t) => RANK[actor] >= RANK[t]);

let serial = 0;
async function targetKey(role: Role): Promise<string> {
  return (await createApiKey(api.database.db, { organizationId: orgId(), environmentId: devId(), name: `target ${role}`, role })).record.id;
}
async function targetMember(role: Role): Promise<string> {
  const user = await createUser(api.database.db, { email: `m${++serial}-${role}@acme.test`, name: `Member ${serial}`, password: 'not used here at all' });
  await addMember(api.database.db, orgId(), user.id, role);
  return user.id;
}

interface Operation {
  name: string;
  scope: string;
  /** The roles the actor must at least have, for a target of `target`. */
  needs(target: Role): Role[];
  run(actorKey: string, target: Role): Promise<{ status: number; changed: () => Promise<boolean> }>;
}

const inject = (key: string, method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
  api.app.inject({ method, url: `/api/v1${url}`, headers: bearer(key), ...(payload ? { payload } : {}) });

const operations: Operation[] = [
  {
    name: 'create a key with the role',
    scope: 'api-keys:write',
    needs: (t) => [t],
    async run(key, target) {
      const res = await inject(key, 'POST', '/api-keys', { name: `made ${target}`, role: target });
      return { status: res.statusCode, changed: async () => res.statusCode === 201 };
    },
  },
  {
    name: 'revoke a key with the role',
    scope: 'api-keys:write',
    needs: (t) => [t],
    async run(key, target) {
      const id = await targetKey(target);
      const res = await inject(key, 'DELETE', `/api-keys/${id}`);
      return { status: res.statusCode, changed: async () => (await getApiKey(api.database.db, orgId(), id))!.revokedAt !== null };
    },
  },
  {
    name: 'add a member with the role',
    scope: 'members:write',
    needs: (t) => [t],
    async run(key, target) {
      const res = await inject(key, 'POST', '/members', { email: `new${++serial}@acme.test`, name: 'New', role: target });
      return { status: res.statusCode, changed: async () => res.statusCode === 201 };
    },
  },
  {
    name: 'promote a viewer to the role',
    scope: 'members:write',
    needs: (t) => ['viewer', t],
    async run(key, target) {
      const id = await targetMember('viewer');
      const res = await inject(key, 'PATCH', `/members/${id}`, { role: target });
      return { status: res.statusCode, changed: async () => target !== 'viewer' && (await getMember(api.database.db, orgId(), id))!.role === target };
    },
  },
  {
    name: 'demote a member with the role to viewer',
    scope: 'members:write',
    needs: (t) => [t, 'viewer'],
    async run(key, target) {
      const id = await targetMember(target);
      const res = await inject(key, 'PATCH', `/members/${id}`, { role: 'viewer' });
      return { status: res.statusCode, changed: async () => target !== 'viewer' && (await getMember(api.database.db, orgId(), id))!.role === 'viewer' };
    },
  },
  {
    name: 'remove a member with the role',
    scope: 'members:write',
    needs: (t) => [t],
    async run(key, target) {
      const id = await targetMember(target);
      const res = await inject(key, 'DELETE', `/members/${id}`);
      return { status: res.statusCode, changed: async () => (await getMember(api.database.db, orgId(), id)) === undefined };
    },
  },
];

describe('role hierarchy on keys and members', () => {
  const cases = operations.flatMap((op) => ROLES.flatMap((actor) => ROLES.map((target) => ({ op, actor, target }))));

  it.each(cases.map((c) => [c.op.name, c.actor, c.target, c] as const))('%s: %s acting on %s', async (_n, actor, target, { op }) => {
    const expectedAllowed = holds(actor, op.scope) && atLeast(actor, ...op.needs(target));
    const { status, changed } = await op.run(actors[actor], target);
    if (expectedAllowed) {
      expect(status).toBeLessThan(300);
      // Changing a viewer to viewer is allowed but changes nothing.
      if (!(op.name.includes('viewer') && target === 'viewer')) expect(await changed()).toBe(true);
    } else {
      expect(status).toBe(403);
      expect(await changed()).toBe(false);
    }
  });

  it('refuses a developer key revoking an owner key with 403 and says what it lacks', async () => {
    const id = await targetKey('owner');
    const res = await inject(actors.developer, 'DELETE', `/api-keys/${id}`);
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ type: 'https://patchbay.dev/problems/forbidden' });
    expect(res.json().detail).toContain('members:write');
    expect((await getApiKey(api.database.db, orgId(), id))!.revokedAt).toBeNull();
  });

  it('refuses a key with custom scopes revoking a key that holds a scope it lacks', async () => {
    const narrow = await createApiKey(api.database.db, { organizationId: orgId(), environmentId: devId(), name: 'narrow', scopes: ['api-keys:write', 'api-keys:read'] });
    const wider = await createApiKey(api.database.db, { organizationId: orgId(), environmentId: devId(), name: 'wider', scopes: ['api-keys:write', 'api-keys:read', 'jobs:read'] });
    const same = await createApiKey(api.database.db, { organizationId: orgId(), environmentId: devId(), name: 'same', scopes: ['api-keys:read'] });
    expect((await inject(narrow.key, 'DELETE', `/api-keys/${wider.record.id}`)).statusCode).toBe(403);
    expect((await inject(narrow.key, 'DELETE', `/api-keys/${same.record.id}`)).statusCode).toBe(200);
  });
});
