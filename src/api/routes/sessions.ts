import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problems } from '../../core/index.ts';
import { authenticateUser, createSession, deleteSession, getOrganizationBySlug, recordAudit, SESSION_TTL_MS } from '../../auth/index.ts';
import { members } from '../../auth/schema.ts';
import { eq } from 'drizzle-orm';
import { SESSION_COOKIE } from '../auth.ts';
import { principalOf } from '../context.ts';
import { registerCookieWriter, requestCookies } from '../cookies.ts';
import { problemResponses, Timestamp } from '../schemas.ts';

const Login = Type.Object(
  {
    email: Type.String({ format: 'email', maxLength: 320 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    organization: Type.Optional(Type.String({ description: 'Organization slug, when the user belongs to several', maxLength: 64 })),
  },
  { additionalProperties: false },
);
const Session = Type.Object({
  userId: Type.String(),
  organizationId: Type.String(),
  csrfToken: Type.String({ description: 'Send it back as x-csrf-token on every unsafe request' }),
  expiresAt: Timestamp,
});
const Me = Type.Object({
  kind: Type.String(),
  id: Type.String(),
  organizationId: Type.String(),
  environmentId: Type.Union([Type.String(), Type.Null()]),
  environment: Type.Union([Type.String(), Type.Null()]),
  role: Type.Union([Type.String(), Type.Null()]),
  scopes: Type.Array(Type.String()),
});

/** Dashboard sign-in with a password: an httpOnly session cookie plus a CSRF token. */
export const sessionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Sign-in sets the session cookie and sign-out clears it: these routes only.
  await registerCookieWriter(app);
  app.post(
    '/auth/login',
    {
      config: { public: true, rateClass: 'login' },
      schema: { operationId: 'login', tags: ['auth'], summary: 'Sign in to the dashboard', security: [], body: Login, response: { 200: Session, ...problemResponses(400, 401, 429) } },
    },
    async (request, reply) => {
      const { db } = app.deps.database;
      const user = await authenticateUser(db, request.body.email, request.body.password);
      if (!user) throw problems.unauthenticated('The email or password is wrong.');
      const memberships = await db.select().from(members).where(eq(members.userId, user.id));
      let organizationId = memberships[0]?.organizationId;
      if (request.body.organization) {
        const org = await getOrganizationBySlug(db, request.body.organization);
        organizationId = memberships.find((m) => m.organizationId === org?.id)?.organizationId;
      }
      if (!organizationId) throw problems.forbidden('You are not a member of that organization.');
      const { token, session } = await db.transaction(async (tx) => {
        const created = await createSession(tx, app.deps.clock, user.id, organizationId);
        await recordAudit(tx, { organizationId, actor: { type: 'user', id: user.id, ip: request.ip, requestId: request.id }, action: 'session.created' });
        return created;
      });
      reply.setCookie(SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: 'strict',
        secure: app.deps.config.publicUrl.startsWith('https:'),
        path: '/',
        maxAge: SESSION_TTL_MS / 1000,
      });
      return { ...session, expiresAt: session.expiresAt.toISOString() };
    },
  );

  app.post(
    '/auth/logout',
    { config: { organizationLevel: true }, schema: { operationId: 'logout', tags: ['auth'], summary: 'Sign out', response: { 204: Type.Null(), ...problemResponses(401, 403) } } },
    async (request, reply) => {
      const token = requestCookies(request)[SESSION_COOKIE];
      if (token) await deleteSession(app.deps.database.db, token);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/auth/me',
    {
      config: { organizationLevel: true },
      schema: { operationId: 'whoAmI', tags: ['auth'], summary: 'Who is calling: key or user, environment, scopes', response: { 200: Me, ...problemResponses(401) } },
    },
    async (request) => {
      const p = principalOf(request);
      return {
        kind: p.kind,
        id: p.id,
        organizationId: p.organizationId,
        environmentId: p.environmentId ?? null,
        environment: p.environmentName ?? null,
        role: p.role ?? null,
        scopes: [...p.scopes],
      };
    },
  );
};
