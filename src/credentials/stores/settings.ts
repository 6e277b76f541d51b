/**
 * An environment's secret-store settings are checked when saved: their shape, and the Vault
 * address (and an AWS Secrets Manager endpoint) through the same address policy as every configured URL (the store checks it again
 * each time it connects). `allowPrivateNetworks` is the environment's value after the change.
 */
import { configuredUrlRefusal, type FieldError, type Resolver } from '../../core/index.ts';

const at = '/settings/secretStores';

export async function checkSecretStoreSettings(value: unknown, options: { allowPrivateNetworks: boolean; resolve?: Resolver | undefined }): Promise<FieldError[]> {
  if (value === undefined || value === null) return [];
  if (typeof value !== 'object' || Array.isArray(value)) return [{ field: at, message: 'must be an object: { env?, file?, vault?: { address, namespace? }, aws?: { region, endpoint? } }' }];
  const errors: FieldError[] = [];
  const settings = value as Record<string, unknown>;
  for (const name of Object.keys(settings)) {
    if (!['env', 'file', 'vault', 'aws'].includes(name)) errors.push({ field: `${at}/${name}`, message: 'is not a known secret store (env, file, vault, aws)' });
  }
  for (const flag of ['env', 'file']) {
    if (settings[flag] !== undefined && typeof settings[flag] !== 'boolean') errors.push({ field: `${at}/${flag}`, message: 'must be true or false' });
  }
  errors.push(...(await checkAws(settings.aws, options)));
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

/** `{ region: 'eu-west-1', endpoint?: 'https://vpce-….secretsmanager.eu-west-1.vpce.amazonaws.com' }` */
async function checkAws(aws: unknown, options: { allowPrivateNetworks: boolean; resolve?: Resolver | undefined }): Promise<FieldError[]> {
  if (aws === undefined || aws === null) return [];
  if (typeof aws !== 'object' || Array.isArray(aws)) return [{ field: `${at}/aws`, message: 'must be an object: { region, endpoint? }' }];
  const errors: FieldError[] = [];
  const { region, endpoint, ...rest } = aws as Record<string, unknown>;
  for (const name of Object.keys(rest)) errors.push({ field: `${at}/aws/${name}`, message: 'is not a known field (region, endpoint)' });
  if (typeof region !== 'string' || !/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(region)) errors.push({ field: `${at}/aws/region`, message: 'is required: an AWS region such as eu-west-1' });
  if (endpoint !== undefined) {
    if (typeof endpoint !== 'string' || endpoint.length === 0 || endpoint.length > 2048) errors.push({ field: `${at}/aws/endpoint`, message: 'must be the endpoint URL, such as https://secretsmanager.eu-west-1.amazonaws.com' });
    else {
      const refused = await configuredUrlRefusal(endpoint, options);
      if (refused) errors.push({ field: `${at}/aws/endpoint`, message: refused });
    }
  }
  return errors;
}
