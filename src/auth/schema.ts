import { pgTable, text, boolean, jsonb, timestamp, primaryKey, uniqueIndex, index, integer } from 'drizzle-orm/pg-core';
import { createdAt } from '../db/columns.ts';

export const organizations = pgTable('organizations', {
  id: text('id').primaryKey(),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  createdAt: createdAt(),
});

export const environments = pgTable(
  'environments',
  {
    id: text('id').primaryKey(),
    organizationId: text('organization_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** Lets loopback and private addresses through the SSRF guard (dev demo and tests only). */
    allowPrivateNetworks: boolean('allow_private_networks').notNull().default(false),
    settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('environments_org_name').on(t.organizationId, t.name)],
);

/**
 * `organization_id` and `environment_id` of a row that belongs to one environment: deleting the
 * organization or the environment deletes the row.
 */
export const tenantColumns = () => ({
  organizationId: text('organization_id')
    .notNull()
    .references(() => organizations.id, { onDelete: 'cascade' }),
  environmentId: text('environment_id')
    .notNull()
    .references(() => environments.id, { onDelete: 'cascade' }),
});

export const users = pgTable('users', {
  id: text('id').primaryKey(),
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  passwordHash: text('password_hash').notNull(),
  createdAt: createdAt(),
});

export const members = pgTable(
  'members',
  {
    organizationId: text('organization_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
    userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    role: text('role').$type<'owner' | 'admin' | 'developer' | 'viewer'>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.organizationId, t.userId] })],
);

export const sessions = pgTable('sessions', {
  /** sha256 of the cookie value; the cookie itself is never stored. */
  id: text('id').primaryKey(),
  userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  organizationId: text('organization_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
  csrfToken: text('csrf_token').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  createdAt: createdAt(),
});

export interface KeyRateLimits {
  /** Per route class: requests per minute (burst) and per hour (sustained). */
  [routeClass: string]: { perMinute?: number; perHour?: number };
}

export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    ...tenantColumns(),
    name: text('name').notNull(),
    /** First characters of the key, shown in lists so a person can tell keys apart. */
    prefix: text('prefix').notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    role: text('role'),
    scopes: jsonb('scopes').$type<string[]>().notNull(),
    rateLimits: jsonb('rate_limits').$type<KeyRateLimits>().notNull().default({}),
    createdBy: text('created_by'),
    createdAt: createdAt(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true, mode: 'date' }),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('api_keys_env').on(t.organizationId, t.environmentId)],
);

export const auditLog = pgTable(
  'audit_log',
  {
    id: text('id').primaryKey(),
    organizationId: text('organization_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
    environmentId: text('environment_id'),
    actorType: text('actor_type').$type<'user' | 'api_key' | 'system' | 'cli'>().notNull(),
    actorId: text('actor_id'),
    action: text('action').notNull(),
    targetType: text('target_type'),
    targetId: text('target_id'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    ip: text('ip'),
    requestId: text('request_id'),
    createdAt: createdAt(),
  },
  (t) => [index('audit_log_org_id').on(t.organizationId, t.id)],
);

/** Stored answers to POSTs sent with an `Idempotency-Key`. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    organizationId: text('organization_id').notNull(),
    environmentId: text('environment_id').notNull(),
    principalId: text('principal_id').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    statusCode: integer('status_code'),
    response: jsonb('response'),
    /** Fields of the answer that carried a secret and were not stored: a replay says the secret was shown once. */
    withheld: jsonb('withheld').$type<string[]>(),
    /** While in progress: the process's lease, renewed by its heartbeat; past it, a retry runs the request again. */
    lockedUntil: timestamp('locked_until', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.organizationId, t.environmentId, t.principalId, t.key] })],
);
