/**
 * External secret stores for `managedVault` connections: the connection keeps a reference, and
 * the value is fetched from the environment's store each time it is used.
 */
import type { Resolver } from '../../core/index.ts';
import type { Db } from '../../db/index.ts';
import type { SecretAddress, SecretValue, Vault } from '../vault/index.ts';
import { createEnvSecretStore } from './env-store.ts';
import { createFileSecretStore } from './file-store.ts';
import { parseSecretReference, SecretStoreError, type SecretStoreKind } from './reference.ts';
import { createVaultSecretStore } from './vault-store.ts';
import { createAwsSecretStore } from './aws-store.ts';
import type { AwsCredentials } from './sigv4.ts';

export interface SecretStore {
  /** The value a reference points at. Throws SecretStoreError with a message a person can act on. */
  resolve(reference: string): Promise<SecretValue>;
}

/** What an environment enables, kept in its settings under `secretStores`. */
export interface SecretStoreSettings {
  env?: boolean;
  file?: boolean;
  /** The Vault token is a secret: sealed in the vault under SECRET_STORE_TOKEN, never in settings. */
  vault?: { address: string; namespace?: string };
  /** AWS Secrets Manager; the access key is sealed in the vault under SECRET_STORE_AWS_CREDENTIALS. */
  aws?: { region: string; endpoint?: string };
}

/** Operator-level limits, from the hub's configuration: an environment can narrow them, not widen. */
export interface SecretStoreHost {
  /** The hub's environment variables; without them `env:` references are off. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Only variables with this prefix (default PATCHBAY_CREDENTIAL_). */
  envPrefix?: string;
  /** The directory `file:` references may read under; without it they are off. */
  filesDirectory?: string;
  timeoutMs?: number;
  /** Tests stand in DNS. */
  resolve?: Resolver;
}

/** Where an environment's Vault token is sealed: owner `environment` / its id, this name. */
export const SECRET_STORE_TOKEN = { ownerType: 'environment', name: 'secretStoreToken' } as const;
/** Where an environment's AWS access key is sealed: `{ accessKeyId, secretAccessKey, sessionToken? }`. */
export const SECRET_STORE_AWS_CREDENTIALS = { ownerType: 'environment', name: 'secretStoreAwsCredentials' } as const;

export interface SecretStoreContext extends SecretStoreHost {
  allowPrivateNetworks: boolean;
  /** The Vault token, read at use time. */
  vaultToken?: () => Promise<string>;
  /** The AWS access key, read at use time. */
  awsCredentials?: () => Promise<AwsCredentials>;
}

const LABEL: Record<SecretStoreKind, string> = { env: 'environment variables', file: 'files', vault: 'HashiCorp Vault', aws: 'AWS Secrets Manager' };

/** One store for an environment: each reference goes to the store its scheme names, if enabled. */
export function createSecretStore(settings: SecretStoreSettings, context: SecretStoreContext): SecretStore {
  const stores: Partial<Record<SecretStoreKind, SecretStore>> = {};
  if (settings.env && context.env) stores.env = createEnvSecretStore({ env: context.env, ...(context.envPrefix ? { prefix: context.envPrefix } : {}) });
  if (settings.file && context.filesDirectory) stores.file = createFileSecretStore({ directory: context.filesDirectory });
  if (settings.vault) {
    const vaultToken = context.vaultToken;
    stores.vault = createVaultSecretStore({
      address: settings.vault.address,
      ...(settings.vault.namespace ? { namespace: settings.vault.namespace } : {}),
      token: async () => {
        if (!vaultToken) throw new SecretStoreError('not_configured', 'vault:', 'This environment has no HashiCorp Vault token.');
        return vaultToken();
      },
      allowPrivateNetworks: context.allowPrivateNetworks,
      ...(context.timeoutMs ? { timeoutMs: context.timeoutMs } : {}),
      ...(context.resolve ? { resolve: context.resolve } : {}),
    });
  }
  if (settings.aws) {
    const awsCredentials = context.awsCredentials;
    stores.aws = createAwsSecretStore({
      region: settings.aws.region,
      ...(settings.aws.endpoint ? { endpoint: settings.aws.endpoint } : {}),
      credentials: async () => {
        if (!awsCredentials) throw new SecretStoreError('not_configured', 'aws:', 'This environment has no AWS access key.');
        return awsCredentials();
      },
      allowPrivateNetworks: context.allowPrivateNetworks,
      ...(context.timeoutMs ? { timeoutMs: context.timeoutMs } : {}),
      ...(context.resolve ? { resolve: context.resolve } : {}),
    });
  }
  return {
    async resolve(reference) {
      const { store } = parseSecretReference(reference);
      const chosen = stores[store];
      if (!chosen) {
        const hostMissing = (store === 'env' && settings.env && !context.env) || (store === 'file' && settings.file && !context.filesDirectory);
        throw new SecretStoreError(
          'not_enabled',
          reference,
          hostMissing
            ? `References to ${LABEL[store]} are turned off on this hub (the operator has not configured them).`
            : `This environment does not resolve references to ${LABEL[store]}; enable it in the environment's secret-store settings.`,
        );
      }
      return chosen.resolve(reference);
    },
  };
}

/** The parts of an environment row a store needs (the auth module's `environments`). */
export interface StoreEnvironment {
  id: string;
  organizationId: string;
  allowPrivateNetworks: boolean;
  settings: Record<string, unknown>;
}

/**
 * The secret store of one environment, its Vault token opened from the vault when first needed.
 *
 * @example
 * const store = loadSecretStore(db, vault, environment, { env: process.env, filesDirectory: '/run/secrets' });
 * const apiKey = await store.resolve(connection.credentialReference);
 */
export function loadSecretStore(db: Db, vault: Vault, environment: StoreEnvironment, host: SecretStoreHost): SecretStore {
  const settings = (environment.settings.secretStores ?? {}) as SecretStoreSettings;
  const scope = { organizationId: environment.organizationId, environmentId: environment.id };
  const address: SecretAddress = { ...SECRET_STORE_TOKEN, ownerId: environment.id };
  return createSecretStore(settings, {
    ...host,
    allowPrivateNetworks: environment.allowPrivateNetworks,
    vaultToken: async () => {
      const token = await vault.open(db, scope, address).catch((err: unknown) => {
        throw new SecretStoreError('not_configured', 'vault:', 'This environment has no HashiCorp Vault token; set one in its secret-store settings.', { cause: err });
      });
      if (typeof token !== 'string') throw new SecretStoreError('not_configured', 'vault:', "The environment's Vault token is not a string.");
      return token;
    },
    awsCredentials: async () => {
      const value = await vault.open(db, scope, { ...SECRET_STORE_AWS_CREDENTIALS, ownerId: environment.id }).catch((err: unknown) => {
        throw new SecretStoreError('not_configured', 'aws:', 'This environment has no AWS access key; set one in its secret-store settings.', { cause: err });
      });
      const key = value as Partial<AwsCredentials> | null;
      if (!key || typeof key !== 'object' || typeof key.accessKeyId !== 'string' || typeof key.secretAccessKey !== 'string') {
        throw new SecretStoreError('not_configured', 'aws:', "The environment's AWS access key is not { accessKeyId, secretAccessKey }.");
      }
      return { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey, ...(typeof key.sessionToken === 'string' ? { sessionToken: key.sessionToken } : {}) };
    },
  });
}
