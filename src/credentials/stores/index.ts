export {
  createSecretStore,
  loadSecretStore,
  SECRET_STORE_TOKEN,
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
