export {
  createSecretStore,
  loadSecretStore,
  SECRET_STORE_TOKEN,
  SECRET_STORE_AWS_CREDENTIALS,
  type SecretStore,
  type SecretStoreSettings,
  type SecretStoreHost,
  type SecretStoreContext,
  type StoreEnvironment,
} from './secret-store.ts';
export {
  parseSecretReference,
  SecretStoreError,
  type SecretReference,
  type SecretStoreKind,
  type SecretStoreErrorCode,
} from './reference.ts';
export { createEnvSecretStore, DEFAULT_ENV_PREFIX, type EnvSecretStoreOptions } from './env-store.ts';
export { createFileSecretStore, type FileSecretStoreOptions } from './file-store.ts';
export { createVaultSecretStore, type VaultStoreOptions } from './vault-store.ts';
export { checkSecretStoreSettings } from './settings.ts';
export { createAwsSecretStore, createSecretsManagerClient, SecretsManagerError, type SecretsManagerOptions, type SecretsManagerClient, type SecretValueOutput } from './aws-store.ts';
export { signRequest, signingKey, amzDate, type AwsCredentials, type RequestToSign } from './sigv4.ts';
