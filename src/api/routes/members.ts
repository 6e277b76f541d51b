import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problems, randomToken } from '../../core/index.ts';
import { addMember, countOwners, createUser, findUserByEmail, getMember, listMembers, missingScopesOver, recordAudit, removeMember, ROLES, scopesForRole, setMemberRole, type Member, type Role } from '../../auth/index.ts';
import type { Principal } from '../context.ts';
import { actorOf, principalOf } from '../context.ts';
import { decodeCursor, Page, page, PageQuery } from '../pagination.ts';
import { AUTHENTICATED_PROBLEMS, iso, problemResponses, Timestamp } from '../schemas.ts';

const RoleSchema = Type.Union(ROLES.map((r) => Type.Literal(r)));
const MemberView = Type.Object({ userId: Type.String(), email: Type.String(), name: Type.String(), role: Type.String(), createdAt: Timestamp });
const view = (m: Member) => ({ ...m, createdAt: iso(m.createdAt)! });
const UserParams = Type.Object({ userId: Type.String({ minLength: 1, maxLength: 64 }) });

export const memberRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['members'];
  const level = { organizationLevel: true } as const;

  /** The role hierarchy: acting on a member with a role needs every scope of that role (only an owner makes or unmakes owners). */
  const requireRank = (principal: Principal, role: Role, verb: string) => {
    const lacking = missingScopesOver(principal.scopes, scopesForRole(role));
    if (lacking.length > 0) throw problems.forbidden(`Only someone with at least the ${role} role can ${verb} (you lack: ${lacking.join(', ')}).`);
  };

  /** Changing or removing a member needs at least their role (and the new one); the last owner cannot be removed or demoted. */
  const guardMemberChange = async (request: Parameters<typeof principalOf>[0], userId: string, newRole: Role | undefined) => {
    const principal = principalOf(request);
    const current = await getMember(app.deps.database.db, principal.organizationId, userId);
    if (!current) throw problems.notFound('Member', userId);
    requireRank(principal, current.role, newRole ? `change the role of a ${current.role}` : `remove a ${current.role}`);
    if (newRole) requireRank(principal, newRole, `grant the ${newRole} role`);
    if (current.role === 'owner' && newRole !== 'owner' && (await countOwners(app.deps.database.db, principal.organizationId)) <= 1) {
      throw problems.conflict('The organization must keep at least one owner.');
    }
  };

  app.get(
    '/members',
    { config: { ...level, scope: 'members:read' }, schema: { operationId: 'listMembers', tags, summary: 'Members and their roles', querystring: Type.Object(PageQuery), response: { 200: Page(MemberView), ...problemResponses(...AUTHENTICATED_PROBLEMS) } } },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const rows = await listMembers(app.deps.database.db, principalOf(request).organizationId, decodeCursor(request.query.cursor), limit + 1);
      const result = page(rows, limit, (m) => m.userId);
      return { data: result.data.map(view), nextCursor: result.nextCursor };
    },
  );

  app.post(
    '/members',
    {
      config: { ...level, scope: 'members:write', idempotency: { secretFields: ['initialPassword'] } },
      schema: {
        operationId: 'addMember',
        tags,
        summary: 'Add a member (creating the user with a one-time password when new)',
        body: Type.Object({ email: Type.String({ format: 'email', maxLength: 320 }), name: Type.String({ minLength: 1, maxLength: 200 }), role: RoleSchema }, { additionalProperties: false }),
        response: { 201: Type.Intersect([MemberView, Type.Object({ initialPassword: Type.Optional(Type.String()) })]), ...problemResponses(...AUTHENTICATED_PROBLEMS, 409) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      requireRank(principal, request.body.role, `add a ${request.body.role}`);
      const { db } = app.deps.database;
      const result = await db.transaction(async (tx) => {
        let initialPassword: string | undefined;
        let user = await findUserByEmail(tx, request.body.email);
        if (!user) {
          initialPassword = randomToken(12);
          user = await createUser(tx, { email: request.body.email, name: request.body.name, password: initialPassword });
        } else if (await getMember(tx, principal.organizationId, user.id)) {
          throw problems.conflict('That user is already a member.');
        }
        await addMember(tx, principal.organizationId, user.id, request.body.role);
        await recordAudit(tx, { organizationId: principal.organizationId, actor: actorOf(request), action: 'member.added', targetType: 'user', targetId: user.id, details: { role: request.body.role } });
        return { member: (await getMember(tx, principal.organizationId, user.id))!, initialPassword };
      });
      return reply.status(201).send({ ...view(result.member), ...(result.initialPassword ? { initialPassword: result.initialPassword } : {}) });
    },
  );

  app.patch(
    '/members/:userId',
    {
      config: { ...level, scope: 'members:write' },
      schema: { operationId: 'updateMember', tags, summary: 'Change a member’s role', params: UserParams, body: Type.Object({ role: RoleSchema }, { additionalProperties: false }), response: { 200: MemberView, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 409) } },
    },
    async (request) => {
      const { organizationId } = principalOf(request);
      await guardMemberChange(request, request.params.userId, request.body.role);
      const member = await app.deps.database.db.transaction(async (tx) => {
        await setMemberRole(tx, organizationId, request.params.userId, request.body.role);
        await recordAudit(tx, { organizationId, actor: actorOf(request), action: 'member.role_changed', targetType: 'user', targetId: request.params.userId, details: { role: request.body.role } });
        return getMember(tx, organizationId, request.params.userId);
      });
      return view(member!);
    },
  );

  app.delete(
    '/members/:userId',
    { config: { ...level, scope: 'members:write' }, schema: { operationId: 'removeMember', tags, summary: 'Remove a member', params: UserParams, response: { 204: Type.Null(), ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 409) } } },
    async (request, reply) => {
      const { organizationId } = principalOf(request);
      await guardMemberChange(request, request.params.userId, undefined);
      await app.deps.database.db.transaction(async (tx) => {
        await removeMember(tx, organizationId, request.params.userId);
        await recordAudit(tx, { organizationId, actor: actorOf(request), action: 'member.removed', targetType: 'user', targetId: request.params.userId });
      });
      return reply.status(204).send(null);
    },
  );
};
