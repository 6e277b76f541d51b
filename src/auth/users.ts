import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { hashPassword, newId, randomToken, sha256Hex, verifyPassword, type Clock } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import type { Role } from './roles.ts';
import { members, sessions, users } from './schema.ts';

export type User = typeof users.$inferSelect;
export type Member = { userId: string; email: string; name: string; role: Role; createdAt: Date };

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export async function createUser(tx: Db, input: { email: string; name: string; password: string }): Promise<User> {
  const [user] = await tx
    .insert(users)
    .values({ id: newId('usr'), email: input.email.toLowerCase(), name: input.name, passwordHash: await hashPassword(input.password) })
    .returning();
  return user!;
}

export async function findUserByEmail(db: Db, email: string): Promise<User | undefined> {
  const [user] = await db.select().from(users).where(eq(users.email, email.toLowerCase()));
  return user;
}

export async function addMember(tx: Db, organizationId: string, userId: string, role: Role): Promise<void> {
  await tx.insert(members).values({ organizationId, userId, role }).onConflictDoUpdate({ target: [members.organizationId, members.userId], set: { role } });
}

export async function listMembers(db: Db, organizationId: string, after?: string, limit = 50): Promise<Member[]> {
  const rows = await db
    .select({ userId: users.id, email: users.email, name: users.name, role: members.role, createdAt: members.createdAt })
    .from(members)
    .innerJoin(users, eq(users.id, members.userId))
    .where(and(eq(members.organizationId, organizationId), after ? gt(users.id, after) : undefined))
    .orderBy(asc(users.id))
    .limit(limit);
  return rows;
}

export async function getMember(db: Db, organizationId: string, userId: string): Promise<Member | undefined> {
  const [row] = await db
    .select({ userId: users.id, email: users.email, name: users.name, role: members.role, createdAt: members.createdAt })
    .from(members)
    .innerJoin(users, eq(users.id, members.userId))
    .where(and(eq(members.organizationId, organizationId), eq(members.userId, userId)));
  return row;
}

export async function setMemberRole(tx: Db, organizationId: string, userId: string, role: Role): Promise<boolean> {
  const updated = await tx.update(members).set({ role }).where(and(eq(members.organizationId, organizationId), eq(members.userId, userId))).returning();
  return updated.length > 0;
}

export async function removeMember(tx: Db, organizationId: string, userId: string): Promise<boolean> {
  const removed = await tx.delete(members).where(and(eq(members.organizationId, organizationId), eq(members.userId, userId))).returning();
  return removed.length > 0;
}

export async function countOwners(db: Db, organizationId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(members)
    .where(and(eq(members.organizationId, organizationId), eq(members.role, 'owner')));
  return row?.n ?? 0;
}

/** Checks a password; the same work is spent when the email is unknown, so timing tells nothing. */
export async function authenticateUser(db: Db, email: string, password: string): Promise<User | undefined> {
  const user = await findUserByEmail(db, email);
  const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
  return user && ok ? user : undefined;
}
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$' + Buffer.alloc(64).toString('base64');

export interface SessionInfo {
  userId: string;
  organizationId: string;
  csrfToken: string;
  expiresAt: Date;
}

/** Creates a dashboard session; the returned token goes in an httpOnly cookie and is stored only hashed. */
export async function createSession(tx: Db, clock: Clock, userId: string, organizationId: string): Promise<{ token: string; session: SessionInfo }> {
  const token = `pb_sess_${randomToken(32)}`;
  const csrfToken = randomToken(24);
  const expiresAt = new Date(clock.now().getTime() + SESSION_TTL_MS);
  await tx.insert(sessions).values({ id: sha256Hex(token), userId, organizationId, csrfToken, expiresAt });
  return { token, session: { userId, organizationId, csrfToken, expiresAt } };
}

export async function findSession(db: Db, clock: Clock, token: string): Promise<SessionInfo | undefined> {
  const [row] = await db
    .select()
    .from(sessions)
    .where(and(eq(sessions.id, sha256Hex(token)), gt(sessions.expiresAt, clock.now())));
  return row ? { userId: row.userId, organizationId: row.organizationId, csrfToken: row.csrfToken, expiresAt: row.expiresAt } : undefined;
}

export async function deleteSession(tx: Db, token: string): Promise<void> {
  await tx.delete(sessions).where(eq(sessions.id, sha256Hex(token)));
}
