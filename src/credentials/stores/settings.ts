/**
 * An environment's secret-store settings are checked when saved: their shape, and the Vault
 * address through the same address policy as every configured URL (the store checks it again
 * each time it connects). `allowPrivateNetworks` is the environment's value after the change.
 */
import { configuredUrlRefusal, type FieldError, type Resolver } from '../../core/index.ts';

const at = '/settings/secretStores';

export async function checkSecretStoreSettings(value: unknown, options: { allowPrivateNetworks: boolean; resolve?: Resolver | undefined }): Promise<FieldError[]> {
  if (value === undefined || value === null) return [];
  if (typeof value !== 'object' || Array.isArray(value)) return [{ field: at, message: 'must be an object: { env?, file?, vault?: { address, namespace? } }' }];
  const errors: FieldError[] = [];
  const settings = value as Record<string, unknown>;
  for (const name of Object.keys(settings)) {
    if (!['env', 'file', 'vault'].includes(name)) errors.push({ field: `${at}/${name}`, message: 'is not a known secret store (env, file, vault)' });
  }
  for (const flag of ['env', 'file']) {
    if (settings[flag] !== undefined && typeof settings[flag] !== 'boolean') errors.push({ field: `${at}/${flag}`, message: 'must be true or false' });
  }
  const vault = settings.vault;
  if (vault === undefined || vault === null) return errors;
  if (typeof vault !== 'object' || Array.isArray(vault)) return [...errors, { field: `${at}/vault`, message: 'must be an object: { address, namespace? }' }];
  const { address, namespace, ...rest } = vault as Record<string, unknown>;
  for (const name of Object.keys(rest)) errors.push({ field: `${at}/vault/${name}`, message: 'is not a known field (address, namespace)' });
  if (namespace !== undefined && (typeof namespace !== 'string' || namespace.length > 200)) errors.push({ field: `${at}/vault/namespace`, message: 'must be text of up to 200 characters' });
  if (typeof address !== 'string' || address.length === 0 || address.length > 2048) {
    errors.push({ field: `${at}/vault/address`, message: 'is required: the Vault server URL, such as https://vault.example.com:8200' });
  } else {
    const refused = await configuredUrlRefusal(address, options);
    if (refused) errors.push({ field: `${at}/vault/address`, message: refused });
  }
  return errors;
}
