import { CONFIG_VARIABLES } from '../../core/index.ts';
import type { SecretStore } from './secret-store.ts';
import { parseSecretReference, SecretStoreError } from './reference.ts';

export const DEFAULT_ENV_PREFIX = 'PATCHBAY_CREDENTIAL_';

export interface EnvSecretStoreOptions {
  /** The hub's environment, handed over by whoever loaded the config (tests pass their own). */
  env: Readonly<Record<string, string | undefined>>;
  /**
   * Only variables whose names start with this can be referenced: an integrating developer must
   * not be able to send `env:DATABASE_URL` to a provider. Patchbay's own settings never can.
   */
  prefix?: string;
}

/** `env:NAME` → the variable's value. */
export function createEnvSecretStore(options: EnvSecretStoreOptions): SecretStore {
  const prefix = options.prefix ?? DEFAULT_ENV_PREFIX;
  if (prefix.length < 3) throw new Error('The environment-variable store needs a prefix of at least 3 characters.');
  const reserved = new Set<string>(CONFIG_VARIABLES);
  return {
    async resolve(reference) {
      const parsed = parseSecretReference(reference);
      if (parsed.store !== 'env') throw new SecretStoreError('invalid_reference', reference, `${reference} is not an env: reference.`);
      if (!parsed.name.startsWith(prefix) || reserved.has(parsed.name)) {
        throw new SecretStoreError('not_allowed', reference, `Only environment variables starting with ${prefix} can be referenced; ${parsed.name} cannot.`);
      }
      const value = options.env[parsed.name];
      if (value === undefined || value === '') {
        throw new SecretStoreError('not_found', reference, `The environment variable ${parsed.name} is not set on the hub.`);
      }
      return value;
    },
  };
}
