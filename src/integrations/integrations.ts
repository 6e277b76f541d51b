/**
 * Integrations: a connector configured in one environment. Everything that can be wrong with one
 * is checked here against the connector's manifest before it is stored — unknown fields, OAuth
 * settings on an API-key connector, configuration values, provider environments, settings, and
 * every configured URL through the SSRF guard — so a stored integration always fits its connector.
 */
import { and, desc, eq, lt } from 'drizzle-orm';
import { isForeignKeyViolation, isUniqueViolation, newId, problems, systemClock, type Clock, type Resolver } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import { findEnvironment, recordAudit, type Actor } from '../auth/index.ts';
import type { Vault } from '../credentials/index.ts';
import { getConnector, type Connector, type ConnectorManifest } from '../connectors/index.ts';
import { integrations, type Integration, type IntegrationSettingsInput, type OAuthUrlOverrides } from './schema.ts';
import { checkDraft, oauthFieldsGiven, type Draft } from './validate.ts';

export interface EnvironmentScope {
  organizationId: string;
  environmentId: string;
}

/** Settings every integration has; a manifest's rate limit is the default for its own. */
export const SETTING_DEFAULTS = { timeoutMs: 30_000, retryAttempts: 3 } as const;

export interface IntegrationSettings {
  timeoutMs: number;
  retryAttempts: number;
  rateLimit: string | null;
}

export interface IntegrationInput {
  connectorKey: string;
  key?: string | undefined;
  name?: string | undefined;
  enabled?: boolean | undefined;
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  scopes?: string[] | undefined;
  oauthUrls?: OAuthUrlOverrides | undefined;
  baseUrl?: string | undefined;
  providerEnvironment?: string | undefined;
  config?: Record<string, string> | undefined;
  settings?: IntegrationSettingsInput | undefined;
}

/** A change: absent fields stay; `null` clears (back to the manifest's default where there is one). */
export interface IntegrationPatch {
  name?: string | undefined;
  enabled?: boolean | undefined;
  clientId?: string | null | undefined;
  clientSecret?: string | null | undefined;
  scopes?: string[] | null | undefined;
  oauthUrls?: OAuthUrlOverrides | undefined;
  baseUrl?: string | null | undefined;
  providerEnvironment?: string | undefined;
  /** Merged into the configuration; a `null` value removes a field. */
  config?: Record<string, string | null> | undefined;
  /** Merged into the settings; a `null` value goes back to the default. */
  settings?: { timeoutMs?: number | null; retryAttempts?: number | null; rateLimit?: string | null } | undefined;
}

export interface IntegrationOptions {
  clock?: Clock;
  /** Who acts: the change is audited in its own transaction. */
  actor?: Actor | undefined;
  /** Tests stand in their own DNS for the SSRF guard. */
  resolve?: Resolver;
}

/** Secrets of an integration in the vault: owner `integration` / its id. */
export const CLIENT_SECRET = 'clientSecret';
export const CONFIG_SECRETS = 'config';

export function effectiveSettings(integration: Pick<Integration, 'settings'>, manifest: ConnectorManifest): IntegrationSettings {
  const own = integration.settings;
  return {
    timeoutMs: own.timeoutMs ?? SETTING_DEFAULTS.timeoutMs,
    retryAttempts: own.retryAttempts ?? SETTING_DEFAULTS.retryAttempts,
    rateLimit: own.rateLimit === undefined ? (manifest.rateLimit ?? null) : own.rateLimit,
  };
}

/** The integration's connector; one that left the catalog is a 422 naming it. */
export function connectorOf(integration: Pick<Integration, 'connectorKey' | 'id'>): Connector {
  const connector = getConnector(integration.connectorKey);
  if (!connector) {
    throw problems.unprocessable(`Integration ${integration.id} uses the connector "${integration.connectorKey}", which is no longer in the catalog.`);
  }
  return connector;
}

/** The vault owner of an integration's secrets (its client secret, its secret configuration). */
export const integrationOwner = (id: string) => ({ ownerType: 'integration' as const, ownerId: id });
const owner = integrationOwner;

async function environmentOf(db: Db, scope: EnvironmentScope) {
  const environment = await findEnvironment(db, scope.organizationId, scope.environmentId);
  if (!environment) throw problems.notFound('Environment', scope.environmentId);
  return environment;
}

/**
 * @example
 * const integration = await createIntegration(db, vault, scope, {
 *   connectorKey: 'hubspot', clientId: 'app-id', clientSecret: 'app-secret',
 *   baseUrl: simulator.baseUrl, oauthUrls: { authorizationUrl: simulator.oauth.authorizationUrl, tokenUrl: simulator.oauth.tokenUrl },
 * });
 */
export async function createIntegration(db: Db, vault: Vault, scope: EnvironmentScope, input: IntegrationInput, options: IntegrationOptions = {}): Promise<Integration> {
  const connector = getConnector(input.connectorKey);
  if (!connector) throw problems.validation([{ field: '/connectorKey', message: `"${input.connectorKey}" is not a connector in the catalog (GET /api/v1/connectors lists them)` }]);
  const environment = await environmentOf(db, scope);
  const draft: Draft = {
    key: input.key ?? connector.key,
    name: input.name ?? connector.manifest.name,
    enabled: input.enabled ?? true,
    clientId: input.clientId ?? null,
    scopes: input.scopes ?? null,
    oauthUrls: input.oauthUrls ?? {},
    baseUrl: input.baseUrl ?? null,
    providerEnvironment: input.providerEnvironment ?? 'production',
    config: input.config ?? {},
    settings: input.settings ?? {},
  };
  const config = await checkDraft(connector, draft, {
    allowPrivateNetworks: environment.allowPrivateNetworks,
    resolve: options.resolve,
    oauthFieldsGiven: oauthFieldsGiven(input),
  });
  const now = (options.clock ?? systemClock).now();
  const id = newId('int');
  try {
    return await db.transaction(async (tx) => {
      const [row] = await tx
        .insert(integrations)
        .values({
          id,
          ...scope,
          key: draft.key,
          connectorKey: connector.key,
          name: draft.name,
          enabled: draft.enabled,
          oauthClientId: draft.clientId,
          scopes: draft.scopes,
          oauthUrls: draft.oauthUrls,
          baseUrl: draft.baseUrl,
          providerEnvironment: draft.providerEnvironment,
          config: config.plain,
          settings: draft.settings,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      if (input.clientSecret) await vault.seal(tx, { ...scope, ...owner(id), name: CLIENT_SECRET, value: input.clientSecret });
      if (Object.keys(config.secret).length > 0) await vault.seal(tx, { ...scope, ...owner(id), name: CONFIG_SECRETS, value: config.secret });
      if (options.actor) {
        await recordAudit(tx, { ...scope, actor: options.actor, action: 'integration.created', targetType: 'integration', targetId: id, details: { connectorKey: connector.key, key: draft.key } });
      }
      return row!;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw problems.conflict(`This environment already has an integration with the key "${draft.key}"; choose another key.`);
    throw err;
  }
}

export async function getIntegration(db: Db, scope: EnvironmentScope, id: string): Promise<Integration | undefined> {
  const [row] = await db
    .select()
    .from(integrations)
    .where(and(eq(integrations.organizationId, scope.organizationId), eq(integrations.environmentId, scope.environmentId), eq(integrations.id, id)));
  return row;
}

export async function findIntegrationByKey(db: Db, scope: EnvironmentScope, key: string): Promise<Integration | undefined> {
  const [row] = await db
    .select()
    .from(integrations)
    .where(and(eq(integrations.organizationId, scope.organizationId), eq(integrations.environmentId, scope.environmentId), eq(integrations.key, key)));
  return row;
}

/** Newest first. */
export async function listIntegrations(
  db: Db,
  scope: EnvironmentScope,
  query: { limit: number; before?: string | undefined; connectorKey?: string | undefined; enabled?: boolean | undefined },
): Promise<Integration[]> {
  return db
    .select()
    .from(integrations)
    .where(
      and(
        eq(integrations.organizationId, scope.organizationId),
        eq(integrations.environmentId, scope.environmentId),
        query.connectorKey ? eq(integrations.connectorKey, query.connectorKey) : undefined,
        query.enabled === undefined ? undefined : eq(integrations.enabled, query.enabled),
        query.before ? lt(integrations.id, query.before) : undefined,
      ),
    )
    .orderBy(desc(integrations.id))
    .limit(query.limit);
}

export async function updateIntegration(
  db: Db,
  vault: Vault,
  scope: EnvironmentScope,
  id: string,
  patch: IntegrationPatch,
  options: IntegrationOptions = {},
): Promise<Integration> {
  const existing = await getIntegration(db, scope, id);
  if (!existing) throw problems.notFound('Integration', id);
  const connector = connectorOf(existing);
  const environment = await environmentOf(db, scope);
  const secrets = await integrationSecrets(db, vault, scope, existing);
  const config: Record<string, string | undefined> = { ...existing.config, ...secrets.config };
  for (const [name, value] of Object.entries(patch.config ?? {})) config[name] = value ?? undefined;
  const settings: IntegrationSettingsInput = { ...existing.settings };
  for (const [name, value] of Object.entries(patch.settings ?? {}) as [keyof IntegrationSettingsInput, number | string | null][]) {
    if (value === null) delete settings[name];
    else (settings as Record<string, unknown>)[name] = value;
  }
  const draft: Draft = {
    key: existing.key,
    name: patch.name ?? existing.name,
    enabled: patch.enabled ?? existing.enabled,
    clientId: patch.clientId === undefined ? existing.oauthClientId : patch.clientId,
    scopes: patch.scopes === undefined ? existing.scopes : patch.scopes,
    oauthUrls: patch.oauthUrls ?? existing.oauthUrls,
    baseUrl: patch.baseUrl === undefined ? existing.baseUrl : patch.baseUrl,
    providerEnvironment: patch.providerEnvironment ?? existing.providerEnvironment,
    config,
    settings,
  };
  const split = await checkDraft(connector, draft, {
    allowPrivateNetworks: environment.allowPrivateNetworks,
    resolve: options.resolve,
    oauthFieldsGiven: oauthFieldsGiven(patch),
  });
  const now = (options.clock ?? systemClock).now();
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(integrations)
      .set({
        name: draft.name,
        enabled: draft.enabled,
        oauthClientId: draft.clientId,
        scopes: draft.scopes,
        oauthUrls: draft.oauthUrls,
        baseUrl: draft.baseUrl,
        providerEnvironment: draft.providerEnvironment,
        config: split.plain,
        settings: draft.settings,
        updatedAt: now,
      })
      .where(and(eq(integrations.organizationId, scope.organizationId), eq(integrations.environmentId, scope.environmentId), eq(integrations.id, id)))
      .returning();
    if (patch.clientSecret !== undefined) await putSecret(tx, vault, scope, id, CLIENT_SECRET, patch.clientSecret);
    if (patch.config !== undefined) await putSecret(tx, vault, scope, id, CONFIG_SECRETS, Object.keys(split.secret).length > 0 ? split.secret : null);
    if (options.actor) {
      // Names of what changed, never values: a client secret must not reach the audit log.
      await recordAudit(tx, { ...scope, actor: options.actor, action: 'integration.updated', targetType: 'integration', targetId: id, details: { changed: Object.keys(patch) } });
    }
    return row!;
  });
}

/** Seals, replaces or (for null) removes one secret of an integration. */
async function putSecret(tx: Db, vault: Vault, scope: EnvironmentScope, id: string, name: string, value: string | object | null): Promise<void> {
  const address = { ...owner(id), name };
  const exists = (await vault.list(tx, scope, owner(id))).some((s) => s.name === name);
  if (value === null) {
    if (exists) await vault.remove(tx, scope, address);
  } else if (exists) await vault.replace(tx, scope, address, value);
  else await vault.seal(tx, { ...scope, ...address, value });
}

/**
 * Deletes an integration and its secrets. An integration that still has connections is a 409:
 * their credentials were issued to its OAuth client, so they go first.
 */
export async function deleteIntegration(db: Db, vault: Vault, scope: EnvironmentScope, id: string, options: Pick<IntegrationOptions, 'actor'> = {}): Promise<Integration> {
  try {
    return await db.transaction(async (tx) => {
      const [row] = await tx
        .delete(integrations)
        .where(and(eq(integrations.organizationId, scope.organizationId), eq(integrations.environmentId, scope.environmentId), eq(integrations.id, id)))
        .returning();
      if (!row) throw problems.notFound('Integration', id);
      await vault.remove(tx, scope, owner(id));
      if (options.actor) {
        await recordAudit(tx, { ...scope, actor: options.actor, action: 'integration.deleted', targetType: 'integration', targetId: id, details: { connectorKey: row.connectorKey } });
      }
      return row;
    });
  } catch (err) {
    if (isForeignKeyViolation(err)) throw problems.conflict(`Integration ${id} still has connections; delete them first (DELETE /api/v1/connections/{id}).`);
    throw err;
  }
}

/** The integration's secrets: the OAuth client secret and secret configuration values. */
export async function integrationSecrets(
  db: Db,
  vault: Vault,
  scope: EnvironmentScope,
  integration: Pick<Integration, 'id'>,
): Promise<{ clientSecret: string | undefined; config: Record<string, string> }> {
  const stored = new Set((await vault.list(db, scope, owner(integration.id))).map((s) => s.name));
  const clientSecret = stored.has(CLIENT_SECRET) ? await vault.open<string>(db, scope, { ...owner(integration.id), name: CLIENT_SECRET }) : undefined;
  const config = stored.has(CONFIG_SECRETS) ? await vault.open<Record<string, string>>(db, scope, { ...owner(integration.id), name: CONFIG_SECRETS }) : {};
  return { clientSecret, config };
}

/** Whether a client secret is stored (views say so; they never show it). */
export async function hasClientSecret(db: Db, vault: Vault, scope: EnvironmentScope, id: string): Promise<boolean> {
  return (await vault.list(db, scope, owner(id))).some((s) => s.name === CLIENT_SECRET);
}
