/**
 * Replacing a connection's credentials (a rotated API key, a re-issued secret, a secret moved in
 * the secret store): the new credential is tested against the provider first, and only a pass
 * replaces the stored one — the old secret stays sealed and in use until then, so a refused key
 * changes nothing (422 with the provider's reason). The replacement is audited; the secret's
 * version goes up and its rotation date restarts. OAuth connections are re-authorized in the
 * browser instead (a connect session with their `connectionId`).
 */
import { problems, silentLogger, systemClock, type FieldError } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import { recordAudit, type Actor } from '../auth/index.ts';
import { parseSecretReference, SecretStoreError, type RotationPolicy, type Vault } from '../credentials/index.ts';
import { checkFieldValues } from '../connectors/index.ts';
import { connectorOf, getIntegration, integrationSecrets } from '../integrations/index.ts';
import { connections, type Connection } from './schema.ts';
import { assembleContext, getConnection, type ConnectionServiceOptions } from './context.ts';
import { connectionOwner, CREDENTIALS, environmentOf, openConfigSecrets, resolveManagedCredential } from './credentials.ts';
import { byId, lockConnection, setConnectionStatus, type ConnectionScope } from './status.ts';
import { runTest, statusAfterTest, testRefused, unusable, type TestResult } from './test.ts';

export interface CredentialReplacement {
  /** API key and basic connections: the manifest's auth form, complete. */
  credentials?: Record<string, string> | undefined;
  /** managedVault connections: the new secret-store reference. */
  credentialReference?: string | undefined;
  /** Who replaces the credential and how often (left as it is when absent). */
  rotation?: RotationPolicy | undefined;
}

export interface ReplacedCredentials {
  connection: Connection;
  test: TestResult;
  /** The vault version of the new secret (managedVault: null, only the reference changed). */
  secretVersion: number | null;
}

const SYSTEM: Actor = { type: 'system', id: null };

/**
 * @example
 * const { connection } = await replaceConnectionCredentials(db, vault, scope, 'acme-stripe', { credentials: { apiKey: 'sk_live_…' } }, { actor });
 *
 * @throws ProblemError 404 unknown connection, 400 a credential that does not fit the manifest,
 *   422 (`connection-test-failed`) the provider refused it or could not be reached — nothing changed,
 *   422 an OAuth connection (re-authorize it through a connect session instead)
 */
export async function replaceConnectionCredentials(
  db: Db,
  vault: Vault,
  scope: ConnectionScope,
  id: string,
  input: CredentialReplacement,
  options: ConnectionServiceOptions & { dryRun?: boolean } = {},
): Promise<ReplacedCredentials> {
  const clock = options.clock ?? systemClock;
  const connection = await getConnection(db, scope, id);
  if (!connection) throw problems.notFound('Connection', id);
  const integration = await getIntegration(db, scope, connection.integrationId);
  if (!integration) throw problems.notFound('Integration', connection.integrationId);
  if (!integration.enabled) throw problems.conflict(`Integration ${integration.key} is disabled; enable it before replacing credentials.`);
  const connector = connectorOf(integration);
  const { manifest } = connector;
  const environment = await environmentOf(db, scope);

  const errors: FieldError[] = [];
  let credentials: Record<string, string> | undefined;
  let reference: string | undefined;
  switch (connection.credentialType) {
    case 'oauth2':
      throw problems.unprocessable(
        `${manifest.name} connects with OAuth: the end customer re-authorizes in the browser. Create a connect session with connectionId "${id}" (POST /api/v1/connect/sessions) and send them through it.`,
      );
    case 'clientCredentials':
      throw problems.unprocessable(`Connection ${id} uses the client credentials grant: its token is renewed from the integration's client; change the integration's client secret instead.`);
    case 'managedVault':
      if (input.credentials) errors.push({ field: '/credentials', message: `${manifest.name} reads its credential from a secret store: send credentialReference instead` });
      if (!input.credentialReference) errors.push({ field: '/credentialReference', message: 'is required (env:NAME, file:path or vault:mount/path#field)' });
      else {
        try {
          parseSecretReference(input.credentialReference);
          reference = input.credentialReference;
        } catch (err) {
          errors.push({ field: '/credentialReference', message: err instanceof SecretStoreError ? err.message : 'is not a secret reference' });
        }
      }
      break;
    case 'apiKey':
    case 'basic': {
      if (input.credentialReference) errors.push({ field: '/credentialReference', message: `is for managed-vault connectors; send credentials for ${manifest.name}` });
      const fields = manifest.connectionMode === 'oauth' ? {} : manifest.auth.fields;
      if (!input.credentials) errors.push({ field: '/credentials', message: `is required: ${Object.keys(fields).join(', ')}` });
      else {
        const checked = checkFieldValues(fields, input.credentials, '/credentials');
        errors.push(...checked.errors);
        credentials = checked.values;
      }
      break;
    }
  }
  if (errors.length > 0) throw problems.validation(errors);

  let test: TestResult;
  try {
    const values = reference !== undefined ? await resolveManagedCredential(db, vault, environment, reference, manifest, options.secretStoreHost) : credentials!;
    const integrationConfig = { ...integration.config, ...(await integrationSecrets(db, vault, scope, integration)).config };
    const connectionConfig = { ...connection.config, ...(await openConfigSecrets(db, vault, scope, id)) };
    const ctx = assembleContext({ connection, integration, environment, integrationConfig, connectionConfig, credentials: values });
    test = await runTest(connector, { ...ctx.options, logger: options.logger ?? silentLogger });
  } catch (err) {
    const failed = unusable(err);
    if (!failed) throw err;
    test = failed;
  }
  const actor = options.actor ?? SYSTEM;
  if (options.dryRun) {
    if (!test.outcome.ok) throw testRefused(manifest.name, test.outcome, `The credentials of connection ${id} would not be replaced`);
    return { connection, test, secretVersion: null };
  }
  if (!test.outcome.ok) {
    // The refused attempt is on record too; the stored credential and the connection are untouched.
    await recordAudit(db, {
      ...scope,
      actor,
      action: 'connection.credentials_replace_refused',
      targetType: 'connection',
      targetId: id,
      details: { credentialType: connection.credentialType, code: test.outcome.code ?? null, status: test.outcome.status ?? null },
    });
    throw testRefused(manifest.name, test.outcome, `The credentials of connection ${id} were not replaced (the old ones stay in use)`);
  }

  const now = clock.now();
  const replaced = await db.transaction(async (tx) => {
    await lockConnection(tx, scope, id);
    let secretVersion: number | null = null;
    if (credentials) {
      const address = { ...connectionOwner(id), name: CREDENTIALS };
      const exists = (await vault.list(tx, scope, connectionOwner(id))).some((s) => s.name === CREDENTIALS);
      if (exists) secretVersion = (await vault.replace(tx, scope, address, credentials)).version;
      else {
        await vault.seal(tx, { ...scope, ...address, value: credentials });
        secretVersion = 1;
      }
      if (input.rotation) await vault.setRotationPolicy(tx, scope, address, input.rotation);
    }
    await tx
      .update(connections)
      .set({
        ...(reference !== undefined ? { credentialReference: reference } : {}),
        lastTestAt: now,
        lastTest: test.outcome,
        errorCount: 0,
        ...(test.accountInfo ? { accountInfo: { ...test.accountInfo } } : {}),
        updatedAt: now,
      })
      .where(byId(scope, id));
    const { connection: after } = await setConnectionStatus(tx, scope, id, statusAfterTest(test.outcome)!, { clock });
    await recordAudit(tx, {
      ...scope,
      actor,
      action: 'connection.credentials_replaced',
      targetType: 'connection',
      targetId: id,
      details: { credentialType: connection.credentialType, ...(secretVersion === null ? { credentialReference: reference } : { secretVersion }) },
    });
    return { connection: after, secretVersion };
  });
  options.logger?.info({ connectionId: id, secretVersion: replaced.secretVersion }, 'connection credentials replaced');
  return { ...replaced, test };
}
