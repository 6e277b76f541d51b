/**
 * The credential vault: every secret Patchbay stores goes in and out through here. Values are
 * strings or JSON objects (OAuth token sets); rows are always addressed within one organization
 * and environment, by id or by owner and name.
 */
import { and, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import { newId, systemClock, type Clock, type MasterKey } from '../../core/index.ts';
import type { Db } from '../../db/index.ts';
import { secrets, type SecretOwnerType, type SecretRow } from '../schema.ts';
import { FORMAT, openValue, sealValue, type ValueBinding } from './crypto.ts';
import { SecretConflictError, SecretDecryptionError, SecretNotFoundError } from './errors.ts';
import { Keyring } from './keyring.ts';
import { rotationStatus, type RotationStatus } from './rotation-status.ts';

/** A string, or any JSON-serialisable object (stored as JSON, returned parsed). */
export type SecretValue = string | object;

export interface SecretScope {
  organizationId: string;
  environmentId: string;
}
export interface SecretOwner {
  ownerType: SecretOwnerType;
  ownerId: string;
}
export interface SecretAddress extends SecretOwner {
  name: string;
}
/** A secret's id (`sec_…`), or its owner and name. */
export type SecretTarget = string | SecretAddress;

export interface RotationPolicy {
  /** A person or team responsible for replacing the value. */
  owner?: string | null;
  everyDays?: number | null;
}

export interface SealInput extends SecretScope, SecretAddress {
  value: SecretValue;
  rotation?: RotationPolicy;
}

/** Everything about a secret except its value. Safe to return from the API. */
export interface SecretInfo extends SecretScope, SecretAddress {
  id: string;
  version: number;
  masterKeyId: string;
  rotation: RotationStatus & { owner: string | null; everyDays: number | null; rotatedAt: Date };
  createdAt: Date;
  updatedAt: Date;
}

export interface VaultOptions {
  /** From config `secretKeys`: the current key first, older ones after it. */
  keys: readonly MasterKey[];
  clock?: Clock;
}

export interface Vault {
  readonly currentKeyId: string;
  readonly keyIds: readonly string[];
  /** Encrypts and stores a new secret; returns its id. The owner may hold one secret per name. */
  seal(tx: Db, input: SealInput): Promise<string>;
  /** Decrypts a secret. `T` is the caller's claim about the stored shape (not checked). */
  open<T extends SecretValue = SecretValue>(db: Db, scope: SecretScope, target: SecretTarget): Promise<T>;
  /** Stores a new value (version + 1, fresh data key under the current master key, `rotatedAt` now). */
  replace(tx: Db, scope: SecretScope, target: SecretTarget, value: SecretValue): Promise<SecretInfo>;
  /** Deletes one secret, or every secret of an owner; returns how many went. */
  remove(tx: Db, scope: SecretScope, target: SecretTarget | SecretOwner): Promise<number>;
  describe(db: Db, scope: SecretScope, target: SecretTarget): Promise<SecretInfo>;
  list(db: Db, scope: SecretScope, owner?: SecretOwner): Promise<SecretInfo[]>;
  /** The secrets of many owners of one type in one query (a list page's rows). */
  listOwners(db: Db, scope: SecretScope, ownerType: SecretOwnerType, ownerIds: readonly string[]): Promise<SecretInfo[]>;
  setRotationPolicy(tx: Db, scope: SecretScope, target: SecretTarget, policy: RotationPolicy): Promise<SecretInfo>;
  rotationStatus(secret: { rotatedAt: Date; rotateEveryDays: number | null }): RotationStatus;
  /** Secrets past their rotation date, in one scope or (for `patchbay doctor`) everywhere. */
  listOverdue(db: Db, scope?: Partial<SecretScope>): Promise<SecretInfo[]>;
  /**
   * Reads every secret of these owners in one query and returns a vault whose `open`, `list` and
   * `describe` of them (by owner and name, in this scope) answer from what was read, without the
   * database; everything else goes to this vault. For a reader that needs several secrets of the
   * same owners at once (a connection's context); what it answers is as of the read.
   */
  preload(db: Db, scope: SecretScope, owners: readonly SecretOwner[]): Promise<Vault>;
}

// Master keys stay out of the public object; rotation reaches them through here.
const keyrings = new WeakMap<Vault, Keyring>();
export function keyringOf(vault: Vault): Keyring {
  const keyring = keyrings.get(vault);
  if (!keyring) throw new Error('Not a vault made by createVault.');
  return keyring;
}

const describeTarget = (target: SecretTarget | SecretOwner): string =>
  typeof target === 'string' ? target : [target.ownerType, target.ownerId, 'name' in target ? target.name : '*'].join('/');

function where(scope: SecretScope, target: SecretTarget | SecretOwner): SQL {
  const conditions = [eq(secrets.organizationId, scope.organizationId), eq(secrets.environmentId, scope.environmentId)];
  if (typeof target === 'string') conditions.push(eq(secrets.id, target));
  else {
    conditions.push(eq(secrets.ownerType, target.ownerType), eq(secrets.ownerId, target.ownerId));
    if ('name' in target) conditions.push(eq(secrets.name, target.name));
  }
  return and(...conditions)!;
}

function encode(value: SecretValue): Buffer {
  const json = JSON.stringify(value);
  if (typeof json !== 'string') throw new TypeError('A secret value must be a string or a JSON-serialisable object.');
  return Buffer.from(json, 'utf8');
}

function checkPolicy(policy: RotationPolicy | undefined): void {
  const days = policy?.everyDays;
  if (days !== undefined && days !== null && !(Number.isInteger(days) && days > 0 && days <= 36_500)) {
    throw new RangeError(`rotateEveryDays must be a whole number of days between 1 and 36500, got ${days}.`);
  }
}

/**
 * @example
 * const vault = createVault({ keys: config.secretKeys });
 * const id = await db.transaction((tx) =>
 *   vault.seal(tx, { organizationId, environmentId, ownerType: 'connection', ownerId: 'conn_1', name: 'apiKey', value: 'sk_live_…' }),
 * );
 * const apiKey = await vault.open<string>(db, { organizationId, environmentId }, id);
 */
export function createVault(options: VaultOptions): Vault {
  const keyring = new Keyring(options.keys);
  const clock = options.clock ?? systemClock;

  const toInfo = (row: SecretRow): SecretInfo => ({
    id: row.id,
    organizationId: row.organizationId,
    environmentId: row.environmentId,
    ownerType: row.ownerType,
    ownerId: row.ownerId,
    name: row.name,
    version: row.version,
    masterKeyId: row.masterKeyId,
    rotation: {
      owner: row.rotationOwner,
      everyDays: row.rotateEveryDays,
      rotatedAt: row.rotatedAt,
      ...rotationStatus(row, clock.now()),
    },
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  });

  async function load(db: Db, scope: SecretScope, target: SecretTarget, lock = false): Promise<SecretRow> {
    const query = db.select().from(secrets).where(where(scope, target));
    const [row] = lock ? await query.for('update') : await query;
    if (!row) throw new SecretNotFoundError(describeTarget(target));
    return row;
  }

  function decrypt<T extends SecretValue>(row: SecretRow): T {
    if (row.format !== FORMAT) throw new Error(`Secret ${row.id} has format ${row.format}; this version of Patchbay reads format ${FORMAT}.`);
    const master = keyring.get(row.masterKeyId, row.id);
    let plaintext: Buffer;
    try {
      plaintext = openValue(master, row, row);
    } catch (err) {
      throw Object.assign(new SecretDecryptionError(row.id), { cause: err });
    }
    return JSON.parse(plaintext.toString('utf8')) as T;
  }

  const vault: Vault = {
    currentKeyId: keyring.current.id,
    keyIds: keyring.ids,

    async seal(tx, input) {
      checkPolicy(input.rotation);
      const now = clock.now();
      const binding: ValueBinding = { ...input, id: newId('sec'), version: 1 };
      const sealed = sealValue(keyring.current, encode(input.value), binding);
      const inserted = await tx
        .insert(secrets)
        .values({
          id: binding.id,
          organizationId: input.organizationId,
          environmentId: input.environmentId,
          ownerType: input.ownerType,
          ownerId: input.ownerId,
          name: input.name,
          version: 1,
          format: FORMAT,
          ...sealed,
          keyWrappedAt: now,
          rotationOwner: input.rotation?.owner ?? null,
          rotateEveryDays: input.rotation?.everyDays ?? null,
          rotatedAt: now,
          createdAt: now,
          updatedAt: now,
        })
        .onConflictDoNothing()
        .returning({ id: secrets.id });
      // ON CONFLICT DO NOTHING keeps the caller's transaction usable after a duplicate.
      if (!inserted[0]) throw new SecretConflictError(describeTarget(input));
      return binding.id;
    },

    async open<T extends SecretValue = SecretValue>(db: Db, scope: SecretScope, target: SecretTarget): Promise<T> {
      return decrypt<T>(await load(db, scope, target));
    },

    async replace(tx, scope, target, value) {
      const row = await load(tx, scope, target, true);
      const now = clock.now();
      const version = row.version + 1;
      const sealed = sealValue(keyring.current, encode(value), { ...row, version });
      const [updated] = await tx
        .update(secrets)
        .set({ ...sealed, version, format: FORMAT, keyWrappedAt: now, rotatedAt: now, updatedAt: now })
        .where(eq(secrets.id, row.id))
        .returning();
      return toInfo(updated!);
    },

    async remove(tx, scope, target) {
      const removed = await tx.delete(secrets).where(where(scope, target)).returning({ id: secrets.id });
      return removed.length;
    },

    async describe(db, scope, target) {
      return toInfo(await load(db, scope, target));
    },

    async list(db, scope, owner) {
      const found = await db
        .select()
        .from(secrets)
        .where(owner ? where(scope, owner) : and(eq(secrets.organizationId, scope.organizationId), eq(secrets.environmentId, scope.environmentId)))
        .orderBy(secrets.id);
      return found.map(toInfo);
    },

    async listOwners(db, scope, ownerType, ownerIds) {
      if (ownerIds.length === 0) return [];
      const found = await db
        .select()
        .from(secrets)
        .where(and(eq(secrets.organizationId, scope.organizationId), eq(secrets.environmentId, scope.environmentId), eq(secrets.ownerType, ownerType), inArray(secrets.ownerId, [...ownerIds])))
        .orderBy(secrets.id);
      return found.map(toInfo);
    },

    async setRotationPolicy(tx, scope, target, policy) {
      checkPolicy(policy);
      const row = await load(tx, scope, target, true);
      const [updated] = await tx
        .update(secrets)
        .set({
          rotationOwner: policy.owner === undefined ? row.rotationOwner : policy.owner,
          rotateEveryDays: policy.everyDays === undefined ? row.rotateEveryDays : policy.everyDays,
          updatedAt: clock.now(),
        })
        .where(eq(secrets.id, row.id))
        .returning();
      return toInfo(updated!);
    },

    rotationStatus(secret) {
      return rotationStatus(secret, clock.now());
    },

    async preload(db, scope, owners) {
      const found =
        owners.length === 0
          ? []
          : await db
              .select()
              .from(secrets)
              .where(
                and(
                  eq(secrets.organizationId, scope.organizationId),
                  eq(secrets.environmentId, scope.environmentId),
                  or(...owners.map((o) => and(eq(secrets.ownerType, o.ownerType), eq(secrets.ownerId, o.ownerId)))),
                ),
              )
              .orderBy(secrets.id);
      const ownerKey = (o: SecretOwner) => `${o.ownerType}\0${o.ownerId}`;
      const covered = new Set(owners.map(ownerKey));
      const inScope = (s: SecretScope) => s.organizationId === scope.organizationId && s.environmentId === scope.environmentId;
      const answers = (s: SecretScope, target: SecretTarget | SecretOwner | undefined): target is SecretAddress | SecretOwner =>
        inScope(s) && target !== undefined && typeof target !== 'string' && covered.has(ownerKey(target));
      const rowOf = (target: SecretAddress): SecretRow => {
        const row = found.find((r) => r.ownerType === target.ownerType && r.ownerId === target.ownerId && r.name === target.name);
        if (!row) throw new SecretNotFoundError(describeTarget(target));
        return row;
      };
      const view: Vault = {
        ...vault,
        async open<T extends SecretValue = SecretValue>(db2: Db, s: SecretScope, target: SecretTarget): Promise<T> {
          return answers(s, target) ? decrypt<T>(rowOf(target as SecretAddress)) : vault.open<T>(db2, s, target);
        },
        async describe(db2, s, target) {
          return answers(s, target) ? toInfo(rowOf(target as SecretAddress)) : vault.describe(db2, s, target);
        },
        async list(db2, s, owner) {
          return answers(s, owner) ? found.filter((r) => r.ownerType === owner.ownerType && r.ownerId === owner.ownerId).map(toInfo) : vault.list(db2, s, owner);
        },
      };
      keyrings.set(view, keyring);
      return view;
    },

    async listOverdue(db, scope = {}) {
      const now = clock.now().toISOString();
      const found = await db
        .select()
        .from(secrets)
        .where(
          and(
            scope.organizationId ? eq(secrets.organizationId, scope.organizationId) : undefined,
            scope.environmentId ? eq(secrets.environmentId, scope.environmentId) : undefined,
            sql`${secrets.rotateEveryDays} is not null`,
            sql`${secrets.rotatedAt} + make_interval(days => ${secrets.rotateEveryDays}) <= ${now}::timestamptz`,
          ),
        )
        .orderBy(secrets.rotatedAt);
      return found.map(toInfo);
    },
  };
  keyrings.set(vault, keyring);
  return vault;
}
