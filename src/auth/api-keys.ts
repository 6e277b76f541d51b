import { and, desc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import { newId, randomToken, sha256Hex, type Clock } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import { scopesForRole, type Role, type Scope } from './roles.ts';
import { apiKeys, environments, type KeyRateLimits } from './schema.ts';

export type ApiKeyRecord = typeof apiKeys.$inferSelect;
/** What the API shows of a key: never its hash. */
export type ApiKeyView = Omit<ApiKeyRecord, 'tokenHash'> & { environment: string };

export interface CreateApiKeyInput {
  organizationId: string;
  environmentId: string;
  name: string;
  role?: Role | undefined;
  scopes?: Scope[] | undefined;
  rateLimits?: KeyRateLimits | undefined;
  createdBy?: string | undefined;
}

/**
 * Creates an API key. The plaintext is returned once and stored only as a SHA-256 hash (keys carry
 * 256 bits of randomness, so a slow hash adds nothing). `pb_live_` keys belong to `prod`.
 */
export async function createApiKey(tx: Db, input: CreateApiKeyInput): Promise<{ key: string; record: ApiKeyView }> {
  const [env] = await tx.select().from(environments).where(and(eq(environments.id, input.environmentId), eq(environments.organizationId, input.organizationId)));
  if (!env) throw new Error(`environment ${input.environmentId} is not in organization ${input.organizationId}`);
  const key = `pb_${env.name === 'prod' ? 'live' : 'test'}_${randomToken(32)}`;
  const scopes = input.scopes ?? scopesForRole(input.role ?? 'developer');
  const [record] = await tx
    .insert(apiKeys)
    .values({
      id: newId('key'),
      organizationId: input.organizationId,
      environmentId: input.environmentId,
      name: input.name,
      prefix: key.slice(0, 12),
      tokenHash: sha256Hex(key),
      role: input.scopes ? null : (input.role ?? 'developer'),
      scopes,
      rateLimits: input.rateLimits ?? {},
      createdBy: input.createdBy ?? null,
    })
    .returning();
  return { key, record: toView(record!, env.name) };
}

function toView(record: ApiKeyRecord, environment: string): ApiKeyView {
  const { tokenHash: _hash, ...rest } = record;
  return { ...rest, environment };
}

/** Looks a presented key up. Revoked keys come back too, so the caller can say so. */
export async function findApiKey(db: Db, key: string): Promise<ApiKeyRecord | undefined> {
  if (!/^pb_(live|test)_[0-9a-z]{20,80}$/.test(key)) return undefined;
  const [record] = await db.select().from(apiKeys).where(eq(apiKeys.tokenHash, sha256Hex(key)));
  return record;
}

/** Records use at most once a minute per key, so a busy key does not write on every request. */
export async function touchApiKey(db: Db, clock: Clock, id: string): Promise<void> {
  const now = clock.now();
  await db
    .update(apiKeys)
    .set({ lastUsedAt: now })
    .where(and(eq(apiKeys.id, id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, new Date(now.getTime() - 60_000)))));
}

export async function listApiKeys(
  db: Db,
  scope: { organizationId: string; environmentId?: string | undefined },
  page: { limit: number; before?: string | undefined; includeRevoked?: boolean },
): Promise<ApiKeyView[]> {
  const rows = await db
    .select({ key: apiKeys, environment: environments.name })
    .from(apiKeys)
    .innerJoin(environments, eq(environments.id, apiKeys.environmentId))
    .where(
      and(
        eq(apiKeys.organizationId, scope.organizationId),
        scope.environmentId ? eq(apiKeys.environmentId, scope.environmentId) : undefined,
        page.includeRevoked ? undefined : isNull(apiKeys.revokedAt),
        page.before ? lt(apiKeys.id, page.before) : undefined,
      ),
    )
    .orderBy(desc(apiKeys.id))
    .limit(page.limit);
  return rows.map((r) => toView(r.key, r.environment));
}

export async function getApiKey(db: Db, organizationId: string, id: string): Promise<ApiKeyView | undefined> {
  const [row] = await db
    .select({ key: apiKeys, environment: environments.name })
    .from(apiKeys)
    .innerJoin(environments, eq(environments.id, apiKeys.environmentId))
    .where(and(eq(apiKeys.organizationId, organizationId), eq(apiKeys.id, id)));
  return row ? toView(row.key, row.environment) : undefined;
}

export async function revokeApiKey(tx: Db, clock: Clock, organizationId: string, id: string): Promise<ApiKeyView | undefined> {
  await tx
    .update(apiKeys)
    .set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, ${clock.now()})` })
    .where(and(eq(apiKeys.organizationId, organizationId), eq(apiKeys.id, id)));
  return getApiKey(tx, organizationId, id);
}
