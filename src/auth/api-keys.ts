import { and, desc, eq, isNull, lt, sql } from 'drizzle-orm';
import { newId, randomToken, sha256Hex, type Clock } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import { announceApiKeyChange } from './key-changes.ts';
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

/**
 * Revokes a key, at once in every API process (verified-keys.ts): the API's `DELETE /api-keys/{id}`
 * and the CLI's `patchbay keys revoke` both come here. Revoking twice keeps the first time.
 */
export async function revokeApiKey(tx: Db, clock: Clock, organizationId: string, id: string): Promise<ApiKeyView | undefined> {
  const revoked = await tx
    .update(apiKeys)
    .set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, ${clock.now()})` })
    .where(and(eq(apiKeys.organizationId, organizationId), eq(apiKeys.id, id)))
    .returning({ id: apiKeys.id });
  if (revoked.length > 0) await announceApiKeyChange(tx, { keyId: id });
  return getApiKey(tx, organizationId, id);
}

/** Gives a key another role (and its scopes) or an explicit list of scopes; API processes use them from the next request. */
export async function changeApiKeyScopes(
  tx: Db,
  organizationId: string,
  id: string,
  grant: { role: Role; scopes?: undefined } | { scopes: Scope[]; role?: undefined },
): Promise<ApiKeyView | undefined> {
  const changed = await tx
    .update(apiKeys)
    .set(grant.role ? { role: grant.role, scopes: scopesForRole(grant.role) } : { role: null, scopes: grant.scopes })
    .where(and(eq(apiKeys.organizationId, organizationId), eq(apiKeys.id, id)))
    .returning({ id: apiKeys.id });
  if (changed.length > 0) await announceApiKeyChange(tx, { keyId: id });
  return getApiKey(tx, organizationId, id);
}
