/**
 * Changes that every API process's cache of verified keys (verified-keys.ts) must hear at once:
 * a key revoked or given other scopes, an environment or an organization deleted. The function
 * that makes the change announces it inside its transaction: PostgreSQL delivers the NOTIFY on
 * commit to every process that LISTENs (PGlite, to its one process, before the commit returns),
 * and this process's caches hear it before the commit, so that none answers from memory for what
 * is changing in the meantime.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../db/index.ts';

export const API_KEY_CHANGES_CHANNEL = 'patchbay_api_key_changes';

/** What changed: one key, or every key of an environment or an organization. */
export type ApiKeyChange = { keyId: string } | { environmentId: string } | { organizationId: string };

export interface ApiKeyChangeListener {
  /** Announced in this process, not committed yet (or rolled back). */
  changing(change: ApiKeyChange): void;
}

const local = new Set<ApiKeyChangeListener>();

/** Hears the changes this process announces, before they commit; returns the unsubscribe. */
export function onLocalApiKeyChange(listener: ApiKeyChangeListener): () => void {
  local.add(listener);
  return () => local.delete(listener);
}

/**
 * Announces a change inside the transaction that makes it (the NOTIFY goes out on commit, and
 * not at all on rollback).
 *
 * @example
 * await db.transaction(async (tx) => {
 *   await tx.update(apiKeys).set({ revokedAt: now }).where(eq(apiKeys.id, id));
 *   await announceApiKeyChange(tx, { keyId: id });
 * });
 */
export async function announceApiKeyChange(tx: Db, change: ApiKeyChange): Promise<void> {
  for (const listener of local) listener.changing(change);
  await tx.execute(sql`select pg_notify(${API_KEY_CHANGES_CHANNEL}, ${JSON.stringify(change)})`);
}

/** A notification's payload as a change; undefined when it is not one (the cache then forgets everything). */
export function parseApiKeyChange(payload: string): ApiKeyChange | undefined {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  for (const field of ['keyId', 'environmentId', 'organizationId'] as const) {
    const id = (value as Record<string, unknown>)[field];
    if (typeof id === 'string' && Object.keys(value).length === 1) return { [field]: id } as ApiKeyChange;
  }
  return undefined;
}
