/**
 * Connect sessions: the product's backend creates one with its API key for one end customer and
 * hands the token (`pb_cs_…`) to the browser, which may then start OAuth for the allowed
 * integrations. The token is shown once; only its SHA-256 is stored.
 */
import { and, eq, gt, lte } from 'drizzle-orm';
import { newId, randomToken, sha256Hex, type Clock } from '../../core/index.ts';
import type { Db } from '../../db/index.ts';
import { connectSessions, type ConnectSession } from './schema.ts';

export const CONNECT_SESSION_TTL_SECONDS = { default: 30 * 60, min: 60, max: 24 * 60 * 60 } as const;

export interface ConnectSessionInput {
  organizationId: string;
  environmentId: string;
  endCustomerId: string;
  /** Null: any enabled OAuth integration of the environment. */
  integrationIds: string[] | null;
  connectionId?: string | null | undefined;
  connectionConfig?: Record<string, string> | undefined;
  tags?: string[] | undefined;
  createdBy?: string | null | undefined;
  ttlSeconds?: number | undefined;
  theme?: Record<string, unknown> | null | undefined;
  locale?: string | null | undefined;
  origins?: string[] | undefined;
}

/** @returns the token (shown once) and the stored session. */
export async function createConnectSession(tx: Db, clock: Clock, input: ConnectSessionInput): Promise<{ token: string; session: ConnectSession }> {
  const ttl = input.ttlSeconds ?? CONNECT_SESSION_TTL_SECONDS.default;
  // The token names its session (`pb_cs_<id>.<secret>`), so a page can ask for the Connect UI of
  // a session (and its allowed frame ancestors) without sending the secret anywhere.
  const id = newId('cs');
  const token = `pb_cs_${id}.${randomToken(32)}`;
  const now = clock.now();
  const [session] = await tx
    .insert(connectSessions)
    .values({
      id,
      tokenHash: sha256Hex(token),
      organizationId: input.organizationId,
      environmentId: input.environmentId,
      endCustomerId: input.endCustomerId,
      integrationIds: input.integrationIds,
      connectionId: input.connectionId ?? null,
      connectionConfig: input.connectionConfig ?? {},
      tags: input.tags ?? [],
      createdBy: input.createdBy ?? null,
      theme: input.theme ?? null,
      locale: input.locale ?? null,
      origins: input.origins ?? [],
      expiresAt: new Date(now.getTime() + ttl * 1000),
      createdAt: now,
    })
    .returning();
  return { token, session: session! };
}

/** The unexpired session a token belongs to. */
export async function findConnectSession(db: Db, clock: Clock, token: string): Promise<ConnectSession | undefined> {
  if (!token.startsWith('pb_cs_')) return undefined;
  const [session] = await db
    .select()
    .from(connectSessions)
    .where(and(eq(connectSessions.tokenHash, sha256Hex(token)), gt(connectSessions.expiresAt, clock.now())));
  return session;
}

/** The session id a token names (`pb_cs_<id>.<secret>`), or undefined. */
export const sessionIdOfToken = (token: string): string | undefined => /^pb_cs_(cs_[A-Za-z0-9]+)\./.exec(token)?.[1];

/** Whether a session lets its holder connect this integration. */
export function sessionAllows(session: Pick<ConnectSession, 'integrationIds'>, integrationId: string): boolean {
  return session.integrationIds === null || session.integrationIds.includes(integrationId);
}

export async function deleteConnectSessionsOf(tx: Db, scope: { organizationId: string; environmentId: string }, endCustomerId: string): Promise<number> {
  const removed = await tx
    .delete(connectSessions)
    .where(
      and(
        eq(connectSessions.organizationId, scope.organizationId),
        eq(connectSessions.environmentId, scope.environmentId),
        eq(connectSessions.endCustomerId, endCustomerId),
      ),
    )
    .returning({ id: connectSessions.id });
  return removed.length;
}

export async function deleteExpiredConnectSessions(db: Db, clock: Clock): Promise<number> {
  const removed = await db.delete(connectSessions).where(lte(connectSessions.expiresAt, clock.now())).returning({ id: connectSessions.id });
  return removed.length;
}
