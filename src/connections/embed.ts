/**
 * Embed tokens: what a product's backend hands its page so embedded widgets (a connection status
 * card, the list of an end customer's connections) can read that one end customer's connections
 * — and, with the `connect` scope, open the Connect UI for them. Short-lived (10 minutes by
 * default, one hour at most); only the token's SHA-256 is stored.
 */
import { and, desc, eq, gt, lte } from 'drizzle-orm';
import { newId, randomToken, sha256Hex, type Clock } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import { embedTokens, connections, type Connection, type EmbedToken } from './schema.ts';
import type { ConnectionScope } from './status.ts';

export const EMBED_TOKEN_TTL_SECONDS = { default: 10 * 60, min: 60, max: 60 * 60 } as const;
export const EMBED_SCOPES = ['read', 'connect'] as const;
export type EmbedScope = (typeof EMBED_SCOPES)[number];

export interface EmbedTokenInput extends ConnectionScope {
  endCustomerId: string;
  /** `connect` lets the widget open the Connect UI; reading is always allowed. */
  connect?: boolean | undefined;
  theme?: Record<string, unknown> | null | undefined;
  origins?: string[] | undefined;
  createdBy?: string | null | undefined;
  ttlSeconds?: number | undefined;
}

/** @returns the token (`pb_et_…`, shown once) and the stored row. */
export async function createEmbedToken(tx: Db, clock: Clock, input: EmbedTokenInput): Promise<{ token: string; embed: EmbedToken }> {
  // The token names its row (`pb_et_<id>.<secret>`), so a page can ask for the widget's frame
  // ancestors without sending the secret.
  const id = newId('emb');
  const token = `pb_et_${id}.${randomToken(32)}`;
  const now = clock.now();
  const [embed] = await tx
    .insert(embedTokens)
    .values({
      id,
      tokenHash: sha256Hex(token),
      organizationId: input.organizationId,
      environmentId: input.environmentId,
      endCustomerId: input.endCustomerId,
      scopes: input.connect ? ['read', 'connect'] : ['read'],
      theme: input.theme ?? null,
      origins: input.origins ?? [],
      createdBy: input.createdBy ?? null,
      expiresAt: new Date(now.getTime() + (input.ttlSeconds ?? EMBED_TOKEN_TTL_SECONDS.default) * 1000),
      createdAt: now,
    })
    .returning();
  return { token, embed: embed! };
}

/** The unexpired embed token, or undefined (unknown, expired, or not an embed token). */
export async function findEmbedToken(db: Db, clock: Clock, token: string): Promise<EmbedToken | undefined> {
  if (!token.startsWith('pb_et_')) return undefined;
  const [row] = await db
    .select()
    .from(embedTokens)
    .where(and(eq(embedTokens.tokenHash, sha256Hex(token)), gt(embedTokens.expiresAt, clock.now())));
  return row;
}

/** The end customer's connections, newest first (at most 100). */
export async function embeddedConnections(db: Db, embed: EmbedToken): Promise<Connection[]> {
  return db
    .select()
    .from(connections)
    .where(and(eq(connections.organizationId, embed.organizationId), eq(connections.environmentId, embed.environmentId), eq(connections.endCustomerId, embed.endCustomerId)))
    .orderBy(desc(connections.createdAt))
    .limit(100);
}

export async function deleteEmbedTokensOf(tx: Db, scope: ConnectionScope, endCustomerId: string): Promise<number> {
  const removed = await tx
    .delete(embedTokens)
    .where(and(eq(embedTokens.organizationId, scope.organizationId), eq(embedTokens.environmentId, scope.environmentId), eq(embedTokens.endCustomerId, endCustomerId)))
    .returning({ id: embedTokens.id });
  return removed.length;
}

export async function deleteExpiredEmbedTokens(db: Db, clock: Clock): Promise<number> {
  const removed = await db.delete(embedTokens).where(lte(embedTokens.expiresAt, clock.now())).returning({ id: embedTokens.id });
  return removed.length;
}
