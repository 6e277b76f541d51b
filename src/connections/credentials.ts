/**
 * A connection's secrets in the vault (owner `connection` / its id): the API-key or basic form
 * values (`credentials`), OAuth tokens (`oauthTokens`) and secret configuration fields (`config`).
 * managedVault connections keep only a reference, resolved from the environment's secret store
 * at each use.
 */
import { problems, ProblemError } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import { findEnvironment, type Environment } from '../auth/index.ts';
import { loadSecretStore, SecretStoreError, type RotationPolicy, type SecretStoreHost, type Vault } from '../credentials/index.ts';
import { OAUTH_TOKENS, type OAuthTokenSet } from '../credentials/oauth/index.ts';
import type { ConnectorManifest } from '../connectors/index.ts';
import type { Connection } from './schema.ts';
import type { ConnectionScope } from './status.ts';

export const CREDENTIALS = 'credentials';
export const CONFIG_SECRETS = 'config';

export const connectionOwner = (id: string) => ({ ownerType: 'connection' as const, ownerId: id });

/** The credential cannot be read or renewed right now; the message says why and what to do. */
export class CredentialUnavailableError extends ProblemError {
  constructor(
    readonly reason: string,
    detail: string,
    options: { cause?: unknown } = {},
  ) {
    super('credential-unavailable', 409, 'Credential unavailable', { detail, ...(options.cause === undefined ? {} : { cause: options.cause }), extra: { reason } });
    this.name = 'CredentialUnavailableError';
  }
}

export interface ConnectionSecrets {
  /** API-key or basic form values. */
  credentials?: Record<string, string>;
  tokens?: OAuthTokenSet;
  configSecrets?: Record<string, string>;
  /** Rotation policy of the main credential. */
  rotation?: RotationPolicy;
}

/** Seals a new connection's secrets, in the caller's transaction. */
export async function sealConnectionSecrets(tx: Db, vault: Vault, scope: ConnectionScope, id: string, secrets: ConnectionSecrets): Promise<void> {
  const base = { ...scope, ...connectionOwner(id) };
  if (secrets.credentials) await vault.seal(tx, { ...base, name: CREDENTIALS, value: secrets.credentials, ...(secrets.rotation ? { rotation: secrets.rotation } : {}) });
  if (secrets.tokens) await vault.seal(tx, { ...base, name: OAUTH_TOKENS, value: secrets.tokens, ...(secrets.rotation ? { rotation: secrets.rotation } : {}) });
  if (secrets.configSecrets && Object.keys(secrets.configSecrets).length > 0) await vault.seal(tx, { ...base, name: CONFIG_SECRETS, value: secrets.configSecrets });
}

/** Stores a new token set (replacing the old one, or sealing the first). */
export async function storeTokens(tx: Db, vault: Vault, scope: ConnectionScope, id: string, tokens: OAuthTokenSet): Promise<void> {
  const address = { ...connectionOwner(id), name: OAUTH_TOKENS };
  const exists = (await vault.list(tx, scope, connectionOwner(id))).some((s) => s.name === OAUTH_TOKENS);
  if (exists) await vault.replace(tx, scope, address, tokens);
  else await vault.seal(tx, { ...scope, ...address, value: tokens });
}

export async function openTokens(db: Db, vault: Vault, scope: ConnectionScope, id: string): Promise<OAuthTokenSet> {
  return vault.open<OAuthTokenSet>(db, scope, { ...connectionOwner(id), name: OAUTH_TOKENS });
}

export async function openConfigSecrets(db: Db, vault: Vault, scope: ConnectionScope, id: string): Promise<Record<string, string>> {
  const stored = await vault.list(db, scope, connectionOwner(id));
  if (!stored.some((s) => s.name === CONFIG_SECRETS)) return {};
  return vault.open<Record<string, string>>(db, scope, { ...connectionOwner(id), name: CONFIG_SECRETS });
}

export async function environmentOf(db: Db, scope: ConnectionScope): Promise<Environment> {
  const environment = await findEnvironment(db, scope.organizationId, scope.environmentId);
  if (!environment) throw problems.notFound('Environment', scope.environmentId);
  return environment;
}

/**
 * Resolves a managedVault reference to the manifest's auth fields: a reference to one value fills
 * a connector's only field; a reference to an object (Vault's whole data, `#field` left out) fills
 * the fields by name.
 */
export async function resolveManagedCredential(
  db: Db,
  vault: Vault,
  environment: Environment,
  reference: string,
  manifest: ConnectorManifest,
  host: SecretStoreHost = {},
): Promise<Record<string, string>> {
  if (manifest.connectionMode === 'oauth') throw new TypeError(`${manifest.key} uses OAuth, not a secret-store reference`);
  const fields = Object.keys(manifest.auth.fields);
  let value: unknown;
  try {
    value = await loadSecretStore(db, vault, environment, host).resolve(reference);
  } catch (err) {
    if (err instanceof SecretStoreError) throw new CredentialUnavailableError('credential_unavailable', err.message, { cause: err });
    throw err;
  }
  if (typeof value === 'string') {
    if (fields.length !== 1) {
      throw new CredentialUnavailableError(
        'credential_unavailable',
        `${reference} holds one value, but ${manifest.name} needs the fields ${fields.join(', ')}: reference an object holding them (leave out #field).`,
      );
    }
    return { [fields[0]!]: value };
  }
  const record = value as Record<string, unknown>;
  const values: Record<string, string> = {};
  for (const name of fields) if (typeof record[name] === 'string') values[name] = record[name] as string;
  const missing = fields.filter((name) => values[name] === undefined && manifest.auth.fields[name]!.required !== false);
  if (missing.length > 0) throw new CredentialUnavailableError('credential_unavailable', `${reference} has no ${missing.join(', ')} for ${manifest.name}.`);
  return values;
}

/** The secret values a connector's credential placement is filled from. */
export async function openCredentialValues(
  db: Db,
  vault: Vault,
  scope: ConnectionScope,
  connection: Pick<Connection, 'id' | 'credentialType' | 'credentialReference'>,
  context: { manifest: ConnectorManifest; environment: Environment; secretStoreHost?: SecretStoreHost | undefined },
): Promise<Record<string, string>> {
  switch (connection.credentialType) {
    case 'apiKey':
    case 'basic':
      return vault.open<Record<string, string>>(db, scope, { ...connectionOwner(connection.id), name: CREDENTIALS });
    case 'managedVault':
      return resolveManagedCredential(db, vault, context.environment, connection.credentialReference ?? '', context.manifest, context.secretStoreHost);
    case 'oauth2':
    case 'clientCredentials':
      return { accessToken: (await openTokens(db, vault, scope, connection.id)).accessToken };
  }
}
