import { pgTable, text, integer, timestamp, index, uniqueIndex } from 'drizzle-orm/pg-core';
import { bytea, timestamps } from '../db/columns.ts';
import { tenantColumns } from '../auth/schema.ts';

/** What a secret belongs to; the owner's id sits beside it (`connection` / `conn_…`). */
export const SECRET_OWNER_TYPES = ['connection', 'integration', 'endpoint', 'source', 'environment', 'alertChannel'] as const;
export type SecretOwnerType = (typeof SECRET_OWNER_TYPES)[number];

/**
 * Every secret Patchbay stores, encrypted (envelope encryption, see vault/crypto.ts): the value
 * under its own data key with AES-256-GCM, the data key wrapped by the master key named in
 * `master_key_id`. Nothing here is readable without a key from PATCHBAY_SECRET_KEYS.
 */
export const secrets = pgTable(
  'secrets',
  {
    id: text('id').primaryKey(),
    ...tenantColumns(),
    ownerType: text('owner_type').$type<SecretOwnerType>().notNull(),
    ownerId: text('owner_id').notNull(),
    /** What the secret is to its owner: `oauthTokens`, `apiKey`, `clientSecret`, `signingSecret`… */
    name: text('name').notNull(),
    /** The value's version: 1 when sealed, +1 on every replace. Part of the ciphertext's AAD. */
    version: integer('version').notNull().default(1),
    /** Layout of the ciphertext columns, so a later scheme can sit beside this one. */
    format: integer('format').notNull().default(1),
    ciphertext: bytea('ciphertext').notNull(),
    iv: bytea('iv').notNull(),
    authTag: bytea('auth_tag').notNull(),
    /** The data key, wrapped by the master key: iv (12) ‖ encrypted key (32) ‖ tag (16). */
    wrappedKey: bytea('wrapped_key').notNull(),
    masterKeyId: text('master_key_id').notNull(),
    keyWrappedAt: timestamp('key_wrapped_at', { withTimezone: true, mode: 'date' }).notNull(),
    /** Rotation metadata: who rotates it, when it last changed value, how often it should. */
    rotationOwner: text('rotation_owner'),
    rotatedAt: timestamp('rotated_at', { withTimezone: true, mode: 'date' }).notNull(),
    rotateEveryDays: integer('rotate_every_days'),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex('secrets_owner_name').on(t.environmentId, t.ownerType, t.ownerId, t.name),
    index('secrets_org_env').on(t.organizationId, t.environmentId, t.id),
    index('secrets_master_key').on(t.masterKeyId),
  ],
);

export type SecretRow = typeof secrets.$inferSelect;
