import { pgTable, text, boolean, jsonb, index, uniqueIndex } from 'drizzle-orm/pg-core';
import { timestamps } from '../db/columns.ts';
import { tenantColumns } from '../auth/schema.ts';

/** Replacements for a connector's OAuth endpoints (a simulator in the demo and tests, a regional host). */
export interface OAuthUrlOverrides {
  authorizationUrl?: string;
  tokenUrl?: string;
  revocationUrl?: string;
  /** The OpenID Connect issuer ID tokens are checked against (identity connectors). */
  issuer?: string;
}

/** Per-integration settings; what is absent falls back to the connector's manifest. */
export interface IntegrationSettingsInput {
  timeoutMs?: number;
  retryAttempts?: number;
  /** `100/minute`; null: no limit of our own. */
  rateLimit?: string | null;
}

/**
 * A connector configured in one environment: its OAuth client (the secret sealed in the vault
 * under owner `integration`), scopes, integration configuration, URL overrides and settings.
 * `key` names it in the environment (the connector key unless a second one of a kind is needed).
 */
export const integrations = pgTable(
  'integrations',
  {
    id: text('id').primaryKey(),
    ...tenantColumns(),
    key: text('key').notNull(),
    connectorKey: text('connector_key').notNull(),
    name: text('name').notNull(),
    enabled: boolean('enabled').notNull().default(true),
    oauthClientId: text('oauth_client_id'),
    /** Null: the manifest's default scopes. */
    scopes: jsonb('scopes').$type<string[] | null>(),
    oauthUrls: jsonb('oauth_urls').$type<OAuthUrlOverrides>().notNull().default({}),
    /** Replaces the provider's base URL for every connection of this integration. */
    baseUrl: text('base_url'),
    /** Which of the manifest's base URLs (`production`, `sandbox`, `eu`…) this environment uses. */
    providerEnvironment: text('provider_environment').notNull().default('production'),
    /** Integration configuration fields that are not secret (secret ones are sealed as `config`). */
    config: jsonb('config').$type<Record<string, string>>().notNull().default({}),
    settings: jsonb('settings').$type<IntegrationSettingsInput>().notNull().default({}),
    ...timestamps(),
  },
  (t) => [uniqueIndex('integrations_env_key').on(t.environmentId, t.key), index('integrations_org_env').on(t.organizationId, t.environmentId, t.id)],
);

export type Integration = typeof integrations.$inferSelect;
