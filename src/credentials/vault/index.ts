export {
  createVault,
  type Vault,
  type VaultOptions,
  type SecretValue,
  type SecretScope,
  type SecretOwner,
  type SecretAddress,
  type SecretTarget,
  type SecretInfo,
  type SealInput,
  type RotationPolicy,
} from './vault.ts';
export { rotateMasterKey, keyUsage, type RotateOptions, type RotationReport } from './rotate.ts';
export { rotationStatus, DUE_SOON_DAYS, type RotationStatus } from './rotation-status.ts';
export { ensureEmbeddedSecretKeys, resolveSecretKeys, secretKeysPath } from './embedded-keys.ts';
export { SecretNotFoundError, SecretConflictError, SecretDecryptionError, MasterKeyNotConfiguredError } from './errors.ts';
