import { pgTable, text, jsonb, timestamp, boolean, index } from 'drizzle-orm/pg-core';
import { bytea, createdAt } from '../../db/columns.ts';
import { tenantColumns } from '../../auth/schema.ts';

/**
 * Short-lived sessions a product's backend creates for one end customer (who has no Patchbay
 * login) and hands to the browser: they let the Connect UI start OAuth for the allowed
 * integrations. Only the token's SHA-256 is stored.
 */
export const connectSessions = pgTable(
  'connect_sessions',
  {
    id: text('id').primaryKey(),
    tokenHash: text('token_hash').notNull().unique(),
    ...tenantColumns(),
    endCustomerId: text('end_customer_id').notNull(),
    /** Integration ids the session may connect; null: every enabled OAuth integration. */
    integrationIds: jsonb('integration_ids').$type<string[] | null>(),
    /** Set to re-authorize one existing connection. */
    connectionId: text('connection_id'),
    /** Connection configuration known in advance (e.g. the Okta domain). */
    connectionConfig: jsonb('connection_config').$type<Record<string, string>>().notNull().default({}),
    tags: jsonb('tags').$type<string[]>().notNull().default([]),
    /** The API key or user that created it. */
    createdBy: text('created_by'),
    /** Design-token overrides for the Connect UI (checked when the session is made). */
    theme: jsonb('theme').$type<Record<string, unknown> | null>(),
    /** BCP 47 language tag the Connect UI speaks (`en`, `fr-CA`). */
    locale: text('locale'),
    /** Exact origins of pages allowed to open or embed the Connect UI with this session. */
    origins: jsonb('origins').$type<string[]>().notNull().default([]),
    /** A session makes one connection: set when it has (its id in usedConnectionId). */
    usedAt: timestamp('used_at', { withTimezone: true, mode: 'date' }),
    usedConnectionId: text('used_connection_id'),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('connect_sessions_end_customer').on(t.organizationId, t.environmentId, t.endCustomerId), index('connect_sessions_expiry').on(t.expiresAt)],
);

/**
 * One authorization in flight: created when the browser is sent to the provider, consumed (and
 * deleted) when it comes back. The row is found by the SHA-256 of the `state` parameter; the PKCE
 * verifier and the OIDC nonce are sealed under a key derived from the state itself, so the row
 * alone is useless. `bindingHash` ties it to the browser that started it (a cookie).
 */
export const oauthStates = pgTable(
  'oauth_states',
  {
    id: text('id').primaryKey(),
    ...tenantColumns(),
    integrationId: text('integration_id').notNull(),
    connectionId: text('connection_id').notNull(),
    /** True when `connectionId` existed when the flow started (a re-authorization). */
    reauthorize: boolean('reauthorize').notNull(),
    endCustomerId: text('end_customer_id').notNull(),
    connectionConfig: jsonb('connection_config').$type<Record<string, string>>().notNull().default({}),
    tags: jsonb('tags').$type<string[]>().notNull().default([]),
    /** Who started it: a connect session, or a signed-in dashboard user. */
    connectSessionId: text('connect_session_id'),
    userId: text('user_id'),
    bindingHash: text('binding_hash').notNull(),
    sealed: bytea('sealed').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('oauth_states_expiry').on(t.expiresAt), index('oauth_states_end_customer').on(t.organizationId, t.environmentId, t.endCustomerId)],
);

export type ConnectSession = typeof connectSessions.$inferSelect;
export type OAuthStateRow = typeof oauthStates.$inferSelect;
