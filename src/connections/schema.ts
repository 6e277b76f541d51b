import { pgTable, text, jsonb, timestamp, integer, index, primaryKey } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { createdAt, timestamps } from '../db/columns.ts';
import { organizations, environments, tenantColumns } from '../auth/schema.ts';
import { integrations } from '../integrations/schema.ts';

export const CONNECTION_STATUSES = ['connected', 'syncing', 'error', 'disconnected'] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

/** How a connection authenticates: the kind of credential sealed for it (or referenced). */
export const CREDENTIAL_TYPES = ['oauth2', 'clientCredentials', 'apiKey', 'basic', 'managedVault'] as const;
export type CredentialType = (typeof CREDENTIAL_TYPES)[number];

/** The outcome of the last connection test, as the API shows it. */
export interface TestOutcome {
  ok: boolean;
  code?: string;
  message?: string;
  hint?: string;
  status?: number;
}

/**
 * One end customer's linked account for an integration. The id is the caller's (unique per
 * environment) or a generated `conn_…`, so the key is (environment, id). Secrets are never here:
 * tokens, API keys and secret configuration are sealed in the vault under owner `connection`.
 */
export const connections = pgTable(
  'connections',
  {
    environmentId: text('environment_id')
      .notNull()
      .references(() => environments.id, { onDelete: 'cascade' }),
    id: text('id').notNull(),
    organizationId: text('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    // An integration's connections go before it (their tokens belong to its client): deleting it
    // while it has some is a foreign-key violation (23503), which the API answers with a 409.
    integrationId: text('integration_id')
      .notNull()
      .references(() => integrations.id, { onDelete: 'no action' }),
    connectorKey: text('connector_key').notNull(),
    endCustomerId: text('end_customer_id').notNull(),
    tags: jsonb('tags').$type<string[]>().notNull().default([]),
    /** Connection configuration fields that are not secret (e.g. the Okta domain). */
    config: jsonb('config').$type<Record<string, string>>().notNull().default({}),
    /** Token response fields the manifest keeps (e.g. Salesforce's `instance_url`). */
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
    credentialType: text('credential_type').$type<CredentialType>().notNull(),
    /** managedVault: where the secret lives (`vault:secret/stripe#apiKey`); not a secret itself. */
    credentialReference: text('credential_reference'),
    status: text('status').$type<ConnectionStatus>().notNull(),
    /** Why: `refresh_failed`, `invalid_credentials`… (null when connected). */
    statusReason: text('status_reason'),
    statusMessage: text('status_message'),
    statusChangedAt: timestamp('status_changed_at', { withTimezone: true, mode: 'date' }).notNull(),
    /** What the last successful test (or the ID token) said about the account. */
    accountInfo: jsonb('account_info').$type<Record<string, unknown>>().notNull().default({}),
    /** OAuth: when the access token expires (the background refresh looks here). */
    tokenExpiresAt: timestamp('token_expires_at', { withTimezone: true, mode: 'date' }),
    lastRefreshAt: timestamp('last_refresh_at', { withTimezone: true, mode: 'date' }),
    lastSyncAt: timestamp('last_sync_at', { withTimezone: true, mode: 'date' }),
    lastSyncError: text('last_sync_error'),
    /** Consecutive failures (tests, refreshes, syncs); a success resets it. */
    errorCount: integer('error_count').notNull().default(0),
    lastTestAt: timestamp('last_test_at', { withTimezone: true, mode: 'date' }),
    lastTest: jsonb('last_test').$type<TestOutcome | null>(),
    ...timestamps(),
  },
  (t) => [
    primaryKey({ columns: [t.environmentId, t.id] }),
    index('connections_org_env_created').on(t.organizationId, t.environmentId, t.createdAt, t.id),
    index('connections_end_customer').on(t.organizationId, t.environmentId, t.endCustomerId),
    index('connections_integration').on(t.integrationId),
    index('connections_token_expiry')
      .on(t.tokenExpiresAt)
      .where(sql`${t.credentialType} in ('oauth2', 'clientCredentials')`),
  ],
);

export type Connection = typeof connections.$inferSelect;

/**
 * Short-lived tokens a product's backend makes for one end customer's embedded widgets (status
 * card, connection list). Read-only unless `scopes` holds `connect` (which lets the widget open
 * the Connect UI for that end customer). Only the token's SHA-256 is stored.
 */
export const embedTokens = pgTable(
  'embed_tokens',
  {
    id: text('id').primaryKey(),
    tokenHash: text('token_hash').notNull().unique(),
    ...tenantColumns(),
    endCustomerId: text('end_customer_id').notNull(),
    /** `read` always; `connect` when the widget may connect and reconnect accounts. */
    scopes: jsonb('scopes').$type<string[]>().notNull(),
    theme: jsonb('theme').$type<Record<string, unknown> | null>(),
    origins: jsonb('origins').$type<string[]>().notNull().default([]),
    createdBy: text('created_by'),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('embed_tokens_end_customer').on(t.organizationId, t.environmentId, t.endCustomerId), index('embed_tokens_expiry').on(t.expiresAt)],
);

export type EmbedToken = typeof embedTokens.$inferSelect;

/**
 * An integration's default Connect UI theme (design-token overrides), under a session's own:
 * the Connect UI shows an integration in its theme unless the session's theme says otherwise.
 */
export const integrationThemes = pgTable(
  'integration_themes',
  {
    ...tenantColumns(),
    integrationId: text('integration_id')
      .notNull()
      .references(() => integrations.id, { onDelete: 'cascade' }),
    theme: jsonb('theme').$type<Record<string, unknown>>().notNull(),
    ...timestamps(),
  },
  (t) => [primaryKey({ columns: [t.environmentId, t.integrationId] })],
);
