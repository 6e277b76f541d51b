/**
 * Creating and listing connections. A connection made here carries a credential the developer
 * hands over — an API key or basic form, a secret-store reference (managedVault), or nothing at
 * all for the OAuth client credentials grant; OAuth accounts of end customers are connected in
 * the browser (authorize.ts). A new connection is tested before it is stored and refused (422,
 * with the provider's reason) when the test fails, so no connection exists for a key the provider
 * refused; `test: false` stores it untested.
 */
import { and, desc, eq, sql } from 'drizzle-orm';
import { isUniqueViolation, newId, problems, silentLogger, systemClock, type FieldError, type Resolver } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import { recordAudit } from '../auth/index.ts';
import { parseSecretReference, SecretStoreError, type RotationPolicy, type Vault } from '../credentials/index.ts';
import { clientCredentials, OAuthError, type OAuthTokenSet } from '../credentials/oauth/index.ts';
import { checkFieldValues } from '../connectors/index.ts';
import { publish } from '../events/index.ts';
import {
  checkConfiguredUrls,
  connectorOf,
  findIntegrationByKey,
  getIntegration,
  integrationSecrets,
  splitSecretValues,
  urlFields,
  type Integration,
} from '../integrations/index.ts';
import { connections, type Connection, type ConnectionStatus, type CredentialType } from './schema.ts';
import { assembleContext, getConnection, type ConnectionServiceOptions } from './context.ts';
import { environmentOf, resolveManagedCredential, sealConnectionSecrets } from './credentials.ts';
import { integrationOAuth } from './oauth-client.ts';
import { eventData, type ConnectionScope } from './status.ts';
import { runTest, testRefused, unusable, type TestResult } from './test.ts';

/** A caller-chosen connection id: letters, digits and `. _ : -`, up to 128 characters. */
export const CONNECTION_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
export const END_CUSTOMER_ID = /^[^\s/?#][^/?#]{0,254}$/;

export interface ConnectionInput {
  /** The integration's id (`int_…`) or key (`stripe`). */
  integration: string;
  id?: string | undefined;
  endCustomerId: string;
  tags?: string[] | undefined;
  config?: Record<string, string> | undefined;
  /** API key and basic modes: the manifest's auth form. */
  credentials?: Record<string, string> | undefined;
  /** managedVault mode: `env:NAME`, `file:path` or `vault:mount/path#field`. */
  credentialReference?: string | undefined;
  /** OAuth connectors that allow it: the client credentials grant (system-to-system). */
  grantType?: 'client_credentials' | undefined;
  rotation?: RotationPolicy | undefined;
  /** Test the credential before storing (default true). */
  test?: boolean | undefined;
}

export interface CreateOptions extends ConnectionServiceOptions {
  resolve?: Resolver;
  /** Check and test everything, store nothing (the Connect UI's live test). */
  dryRun?: boolean;
}

/** By id, then by key. */
export async function findIntegration(db: Db, scope: ConnectionScope, idOrKey: string): Promise<Integration | undefined> {
  return (await getIntegration(db, scope, idOrKey)) ?? (await findIntegrationByKey(db, scope, idOrKey));
}

/** Checks a connection's configuration: fields, defaults, URL fields through the SSRF guard. */
export async function checkConnectionConfig(
  integration: Integration,
  values: Record<string, string>,
  options: { allowPrivateNetworks: boolean; resolve?: Resolver | undefined },
): Promise<{ errors: FieldError[]; plain: Record<string, string>; secret: Record<string, string> }> {
  const { manifest } = connectorOf(integration);
  const checked = checkFieldValues(manifest.connectionConfig, values, '/config');
  if (checked.errors.length > 0) return { errors: checked.errors, plain: {}, secret: {} };
  const refused = await checkConfiguredUrls(urlFields(manifest.connectionConfig, checked.values, '/config'), options);
  return { errors: refused, ...splitSecretValues(manifest.connectionConfig, checked.values) };
}

export async function createConnection(
  db: Db,
  vault: Vault,
  scope: ConnectionScope,
  input: ConnectionInput,
  options: CreateOptions = {},
): Promise<{ connection: Connection; test: TestResult | undefined }> {
  const clock = options.clock ?? systemClock;
  const integration = await findIntegration(db, scope, input.integration);
  if (!integration) throw problems.validation([{ field: '/integration', message: `no integration "${input.integration}" in this environment` }]);
  if (!integration.enabled) throw problems.conflict(`Integration ${integration.key} is disabled; enable it before connecting accounts.`);
  const connector = connectorOf(integration);
  const { manifest } = connector;
  const environment = await environmentOf(db, scope);

  const errors: FieldError[] = [];
  const id = input.id ?? newId('conn');
  if (!CONNECTION_ID.test(id)) errors.push({ field: '/id', message: 'may hold letters, digits and . _ : - (up to 128 characters, starting with a letter or digit)' });
  if (!END_CUSTOMER_ID.test(input.endCustomerId)) errors.push({ field: '/endCustomerId', message: 'must be 1 to 255 characters without /, ? or #' });
  const config = await checkConnectionConfig(integration, input.config ?? {}, { allowPrivateNetworks: environment.allowPrivateNetworks, resolve: options.resolve });
  errors.push(...config.errors);
  const refuse = (field: string, why: string) => errors.push({ field, message: why });

  let credentialType: CredentialType;
  let credentials: Record<string, string> | undefined;
  let reference: string | undefined;
  if (manifest.connectionMode === 'oauth') {
    if (input.grantType !== 'client_credentials') {
      throw problems.unprocessable(
        `${manifest.name} connects with OAuth: the end customer authorizes in the browser. Create a connect session (POST /api/v1/connect/sessions) and send them to its connect URL` +
          (manifest.auth.clientCredentials ? ', or send grantType "client_credentials" for a system-to-system connection.' : '.'),
      );
    }
    if (!manifest.auth.clientCredentials) throw problems.unprocessable(`${manifest.name} does not allow the client credentials grant.`);
    if (input.credentials) refuse('/credentials', 'is not used with the client credentials grant');
    if (input.credentialReference) refuse('/credentialReference', 'is not used with the client credentials grant');
    credentialType = 'clientCredentials';
  } else {
    if (input.grantType) refuse('/grantType', `is for OAuth connectors; ${manifest.name} connects with ${manifest.connectionMode}`);
    if (manifest.connectionMode === 'managedVault') {
      credentialType = 'managedVault';
      if (input.credentials) refuse('/credentials', `${manifest.name} reads its credential from a secret store: send credentialReference instead`);
      if (!input.credentialReference) refuse('/credentialReference', 'is required (env:NAME, file:path or vault:mount/path#field)');
      else {
        try {
          parseSecretReference(input.credentialReference);
          reference = input.credentialReference;
        } catch (err) {
          refuse('/credentialReference', err instanceof SecretStoreError ? err.message : 'is not a secret reference');
        }
      }
    } else {
      credentialType = manifest.connectionMode;
      if (input.credentialReference) refuse('/credentialReference', `is for managed-vault connectors; send credentials for ${manifest.name}`);
      if (!input.credentials) refuse('/credentials', `is required: ${Object.keys(manifest.auth.fields).join(', ')}`);
      else {
        const checked = checkFieldValues(manifest.auth.fields, input.credentials, '/credentials');
        errors.push(...checked.errors);
        credentials = checked.values;
      }
    }
  }
  if (errors.length > 0) throw problems.validation(errors);
  if (await getConnection(db, scope, id)) throw problems.conflict(`This environment already has a connection ${id}.`);

  const now = clock.now();
  let tokens: OAuthTokenSet | undefined;
  let metadata: Record<string, unknown> = {};
  if (credentialType === 'clientCredentials') {
    const oauth = await integrationOAuth(db, vault, scope, integration, environment, { ...config.plain, ...config.secret });
    try {
      const result = await clientCredentials(oauth.settings, { scope: oauth.scope, keepFields: oauth.auth.tokenResponseFields }, clock);
      tokens = result.tokens;
      metadata = result.kept;
    } catch (err) {
      if (err instanceof OAuthError) throw problems.unprocessable(`${manifest.name} refused the client credentials grant: ${err.code}${err.description ? ` (${err.description})` : ''}.`);
      throw err;
    }
  }

  const draft: Connection = {
    ...scope,
    id,
    integrationId: integration.id,
    connectorKey: connector.key,
    endCustomerId: input.endCustomerId,
    tags: input.tags ?? [],
    config: config.plain,
    metadata,
    credentialType,
    credentialReference: reference ?? null,
    status: 'connected',
    statusReason: null,
    statusMessage: null,
    statusChangedAt: now,
    accountInfo: {},
    tokenExpiresAt: tokens?.expiresAt ? new Date(tokens.expiresAt) : null,
    lastRefreshAt: null,
    lastSyncAt: null,
    lastSyncError: null,
    errorCount: 0,
    lastTestAt: null,
    lastTest: null,
    createdAt: now,
    updatedAt: now,
  };

  let test: TestResult | undefined;
  if (input.test !== false) {
    try {
      const values =
        credentialType === 'managedVault'
          ? await resolveManagedCredential(db, vault, environment, reference!, manifest, options.secretStoreHost)
          : (credentials ?? { accessToken: tokens!.accessToken });
      const integrationConfig = { ...integration.config, ...(await integrationSecrets(db, vault, scope, integration)).config };
      const ctx = assembleContext({ connection: draft, integration, environment, integrationConfig, connectionConfig: { ...config.plain, ...config.secret }, credentials: values });
      test = await runTest(connector, { ...ctx.options, logger: options.logger ?? silentLogger });
    } catch (err) {
      test = unusable(err);
      if (!test) throw err;
    }
    // A credential the provider refused (or could not be asked about) never makes a connection.
    if (!test.outcome.ok) throw testRefused(manifest.name, test.outcome, `${manifest.name} connection ${id} was not created`);
    Object.assign(draft, { lastTestAt: now, lastTest: test.outcome, errorCount: 0, accountInfo: test.accountInfo ? { ...test.accountInfo } : {} });
  }
  if (options.dryRun) return { connection: draft, test };

  try {
    const connection = await db.transaction(async (tx) => {
      const [row] = await tx.insert(connections).values(draft).returning();
      await sealConnectionSecrets(tx, vault, scope, id, {
        ...(credentials ? { credentials } : {}),
        ...(tokens ? { tokens } : {}),
        configSecrets: config.secret,
        ...(input.rotation ? { rotation: input.rotation } : {}),
      });
      await publish(tx, { ...scope, type: 'connection.created', data: eventData(row!, { credentialType }), occurredAt: now });
      if (options.actor) {
        await recordAudit(tx, { ...scope, actor: options.actor, action: 'connection.created', targetType: 'connection', targetId: id, details: { integrationId: integration.id, credentialType } });
      }
      return row!;
    });
    return { connection, test };
  } catch (err) {
    if (isUniqueViolation(err)) throw problems.conflict(`This environment already has a connection ${id}.`);
    throw err;
  }
}

export interface ConnectionFilter {
  integrationId?: string | undefined;
  connectorKey?: string | undefined;
  endCustomerId?: string | undefined;
  status?: ConnectionStatus | undefined;
  /** Connections carrying this tag. */
  tag?: string | undefined;
}

/** Newest first; `after` is the last row of the previous page. */
export async function listConnections(
  db: Db,
  scope: ConnectionScope,
  filter: ConnectionFilter & { limit: number; after?: { createdAt: Date; id: string } | undefined },
): Promise<Connection[]> {
  return db
    .select()
    .from(connections)
    .where(
      and(
        eq(connections.organizationId, scope.organizationId),
        eq(connections.environmentId, scope.environmentId),
        filter.integrationId ? eq(connections.integrationId, filter.integrationId) : undefined,
        filter.connectorKey ? eq(connections.connectorKey, filter.connectorKey) : undefined,
        filter.endCustomerId ? eq(connections.endCustomerId, filter.endCustomerId) : undefined,
        filter.status ? eq(connections.status, filter.status) : undefined,
        filter.tag ? sql`${connections.tags} @> ${JSON.stringify([filter.tag])}::jsonb` : undefined,
        filter.after ? sql`(${connections.createdAt}, ${connections.id}) < (${filter.after.createdAt.toISOString()}::timestamptz, ${filter.after.id})` : undefined,
      ),
    )
    .orderBy(desc(connections.createdAt), desc(connections.id))
    .limit(filter.limit);
}
