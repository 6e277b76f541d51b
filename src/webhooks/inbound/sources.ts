/**
 * Sources: create, read, change and delete them, with their signing secrets in the vault (one
 * vault entry per source holding every secret still valid, so a rotation keeps the old one for a
 * while beside the new).
 */
import { and, desc, eq, lt } from 'drizzle-orm';
import { newId, randomToken, type Clock } from '../../core/index.ts';
import type { Db } from '../../db/index.ts';
import { SecretNotFoundError, type Vault } from '../../credentials/index.ts';
import { sources, type GenericVerification, type Source, type SourceAction, type SourceFilter, type SourceResponse } from './schema.ts';

export interface Scope {
  organizationId: string;
  environmentId: string;
}

export interface SourceInput {
  name: string;
  connectorKey?: string | null;
  integrationId?: string | null;
  verification?: GenericVerification;
  settings?: Record<string, string>;
  allowedIps?: string[];
  toleranceSeconds?: number;
  allowedMethods?: string[];
  maxBodyBytes?: number;
  response?: SourceResponse;
  dedupeWindowSeconds?: number;
  eventIdHeader?: string | null;
  eventIdPointer?: string | null;
  action?: SourceAction;
  filters?: SourceFilter[];
  disabled?: boolean;
}

interface StoredSecret {
  value: string;
  createdAt: string;
  /** Set on a secret replaced by a newer one: it stays valid until then. */
  expiresAt: string | null;
}

const SECRETS = (id: string) => ({ ownerType: 'source' as const, ownerId: id, name: 'signingSecrets' });

/** `src_` + a time-sortable id + 40 more random bits: unguessable even from a neighbour's id. */
export const newSourceId = (): string => newId('src') + randomToken(8);

function columns(input: Partial<SourceInput>, now: Date) {
  const { disabled, ...rest } = input;
  return { ...rest, ...(disabled === undefined ? {} : { disabledAt: disabled ? now : null }), updatedAt: now };
}

export async function createSource(tx: Db, vault: Vault, clock: Clock, scope: Scope, input: SourceInput & { secret?: string | undefined }): Promise<Source> {
  const now = clock.now();
  const id = newSourceId();
  const { secret, ...fields } = input;
  const [row] = await tx
    .insert(sources)
    .values({ id, ...scope, ...columns(fields, now), name: fields.name, secretCount: secret ? 1 : 0, createdAt: now })
    .returning();
  if (secret) await vault.seal(tx, { ...scope, ...SECRETS(id), value: { secrets: [{ value: secret, createdAt: now.toISOString(), expiresAt: null }] } });
  return row!;
}

export async function getSource(db: Db, scope: Scope, id: string): Promise<Source | undefined> {
  const [row] = await db
    .select()
    .from(sources)
    .where(and(eq(sources.organizationId, scope.organizationId), eq(sources.environmentId, scope.environmentId), eq(sources.id, id)));
  return row;
}

/** The source behind a webhook URL, in any environment (the id is the credential of the URL). */
export async function findSourceForIngest(db: Db, id: string): Promise<Source | undefined> {
  const [row] = await db.select().from(sources).where(eq(sources.id, id));
  return row;
}

export async function listSources(db: Db, scope: Scope, options: { limit: number; before?: string | undefined }): Promise<Source[]> {
  return db
    .select()
    .from(sources)
    .where(and(eq(sources.organizationId, scope.organizationId), eq(sources.environmentId, scope.environmentId), options.before ? lt(sources.id, options.before) : undefined))
    .orderBy(desc(sources.id))
    .limit(options.limit);
}

/**
 * Changes a source. A new `secret` becomes current; the previous ones stay valid for
 * `keepPreviousSecretsForSeconds` (0 drops them at once), for the sender to switch over.
 */
export async function updateSource(
  tx: Db,
  vault: Vault,
  clock: Clock,
  scope: Scope,
  id: string,
  input: Partial<SourceInput> & { secret?: string | undefined; keepPreviousSecretsForSeconds?: number | undefined },
): Promise<Source | undefined> {
  const now = clock.now();
  const { secret, keepPreviousSecretsForSeconds, ...fields } = input;
  let secretCount: number | undefined;
  if (secret !== undefined) {
    const current = await readSecrets(tx, vault, scope, id, now);
    const until = new Date(now.getTime() + (keepPreviousSecretsForSeconds ?? 24 * 3600) * 1000).toISOString();
    const kept = (keepPreviousSecretsForSeconds === 0 ? [] : current).map((s) => ({ ...s, expiresAt: s.expiresAt && s.expiresAt < until ? s.expiresAt : until }));
    const next = [{ value: secret, createdAt: now.toISOString(), expiresAt: null }, ...kept];
    try {
      await vault.replace(tx, scope, SECRETS(id), { secrets: next });
    } catch (err) {
      if (!(err instanceof SecretNotFoundError)) throw err;
      await vault.seal(tx, { ...scope, ...SECRETS(id), value: { secrets: next } });
    }
    secretCount = next.length;
  }
  const [row] = await tx
    .update(sources)
    .set({ ...columns(fields, now), ...(secretCount === undefined ? {} : { secretCount }) })
    .where(and(eq(sources.organizationId, scope.organizationId), eq(sources.environmentId, scope.environmentId), eq(sources.id, id)))
    .returning();
  return row;
}

export async function deleteSource(tx: Db, vault: Vault, scope: Scope, id: string): Promise<boolean> {
  const deleted = await tx
    .delete(sources)
    .where(and(eq(sources.organizationId, scope.organizationId), eq(sources.environmentId, scope.environmentId), eq(sources.id, id)))
    .returning({ id: sources.id });
  if (deleted.length > 0) await vault.remove(tx, scope, { ownerType: 'source', ownerId: id });
  return deleted.length > 0;
}

async function readSecrets(db: Db, vault: Vault, scope: Scope, id: string, now: Date): Promise<StoredSecret[]> {
  try {
    const value = await vault.open<{ secrets: StoredSecret[] }>(db, scope, SECRETS(id));
    return value.secrets.filter((s) => s.expiresAt === null || Date.parse(s.expiresAt) > now.getTime());
  } catch (err) {
    if (err instanceof SecretNotFoundError) return [];
    throw err;
  }
}

/** The secrets a source verifies with now, current first. */
export async function sourceSecrets(db: Db, vault: Vault, source: Source, now: Date): Promise<string[]> {
  if (source.secretCount === 0) return [];
  return (await readSecrets(db, vault, source, source.id, now)).map((s) => s.value);
}
