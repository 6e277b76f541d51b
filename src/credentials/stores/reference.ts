/**
 * References to secrets kept outside Patchbay (`managedVault` connections):
 * - `env:NAME` — an environment variable of the hub process
 * - `file:/run/secrets/stripe` — a file (absolute, or relative to the allowed directory)
 * - `vault:secret/payments/stripe#apiKey` — HashiCorp Vault KV v2: mount `secret`, path
 *   `payments/stripe`, field `apiKey` (without `#field`, the whole data object);
 *   `vault:secret/payments/stripe?version=3#apiKey` pins a version.
 * - `aws:prod/payments/stripe#apiKey` — AWS Secrets Manager: the secret's name or ARN, and a field
 *   of its SecretString read as JSON (without `#field`, the whole value: the JSON object, or the
 *   string); `?versionStage=AWSPREVIOUS` or `?versionId=…` picks a version (default AWSCURRENT).
 */
export type SecretReference =
  | { store: 'env'; name: string }
  | { store: 'file'; path: string }
  | { store: 'vault'; mount: string; path: string; field?: string; version?: number }
  | { store: 'aws'; secretId: string; field?: string; versionStage?: string; versionId?: string };

export type SecretStoreKind = SecretReference['store'];

export type SecretStoreErrorCode =
  | 'invalid_reference'
  | 'not_enabled'
  | 'not_configured'
  | 'not_allowed'
  | 'not_found'
  | 'forbidden'
  | 'unavailable'
  | 'invalid_response';

/** A reference that cannot be resolved, with a message a person can act on (never the secret). */
export class SecretStoreError extends Error {
  constructor(
    readonly code: SecretStoreErrorCode,
    readonly reference: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SecretStoreError';
  }
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;
const SEGMENT = /^[A-Za-z0-9_.@+=,:~-]{1,255}$/;

function invalid(reference: string, why: string): SecretStoreError {
  return new SecretStoreError('invalid_reference', reference, `"${reference.slice(0, 200)}" is not a secret reference: ${why}.`);
}

function parseVault(reference: string, rest: string): SecretReference {
  const hash = rest.indexOf('#');
  const field = hash >= 0 ? rest.slice(hash + 1) : undefined;
  const beforeHash = hash >= 0 ? rest.slice(0, hash) : rest;
  const question = beforeHash.indexOf('?');
  const location = question >= 0 ? beforeHash.slice(0, question) : beforeHash;
  let version: number | undefined;
  if (question >= 0) {
    const query = beforeHash.slice(question + 1);
    const match = /^version=([1-9][0-9]{0,8})$/.exec(query);
    if (!match) throw invalid(reference, 'the only option is ?version=N');
    version = Number(match[1]);
  }
  const segments = location.split('/');
  if (segments.length < 2) throw invalid(reference, 'expected vault:mount/path#field');
  for (const segment of segments) {
    if (!SEGMENT.test(segment) || segment === '.' || segment === '..') throw invalid(reference, `"${segment}" is not a valid path segment`);
  }
  if (field !== undefined && (field === '' || field.length > 255)) throw invalid(reference, 'the field after # is empty or too long');
  return {
    store: 'vault',
    mount: segments[0]!,
    path: segments.slice(1).join('/'),
    ...(field !== undefined ? { field } : {}),
    ...(version !== undefined ? { version } : {}),
  };
}

/** Secret names are letters, digits and /_+=.@-; an ARN adds `:` (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html). */
const AWS_SECRET_ID = /^[A-Za-z0-9/_+=.@:-]{1,2048}$/;

function parseAws(reference: string, rest: string): SecretReference {
  const hash = rest.indexOf('#');
  const field = hash >= 0 ? rest.slice(hash + 1) : undefined;
  const beforeHash = hash >= 0 ? rest.slice(0, hash) : rest;
  const question = beforeHash.indexOf('?');
  const secretId = question >= 0 ? beforeHash.slice(0, question) : beforeHash;
  if (!AWS_SECRET_ID.test(secretId)) throw invalid(reference, 'expected aws:secret-name#field (the name or ARN of a secret)');
  let version: { versionStage: string } | { versionId: string } | undefined;
  if (question >= 0) {
    const match = /^(versionStage=([A-Za-z0-9_-]{1,256})|versionId=([A-Za-z0-9-]{32,64}))$/.exec(beforeHash.slice(question + 1));
    if (!match) throw invalid(reference, 'the only options are ?versionStage=STAGE or ?versionId=ID');
    version = match[2] ? { versionStage: match[2] } : { versionId: match[3]! };
  }
  if (field !== undefined && (field === '' || field.length > 255)) throw invalid(reference, 'the field after # is empty or too long');
  return { store: 'aws', secretId, ...(field !== undefined ? { field } : {}), ...version };
}

export function parseSecretReference(reference: string): SecretReference {
  const colon = reference.indexOf(':');
  const scheme = colon > 0 ? reference.slice(0, colon) : '';
  const rest = reference.slice(colon + 1);
  switch (scheme) {
    case 'env':
      if (!ENV_NAME.test(rest)) throw invalid(reference, 'expected env:NAME (letters, digits and _)');
      return { store: 'env', name: rest };
    case 'file':
      if (rest === '' || rest.includes('\0')) throw invalid(reference, 'expected file:/path/to/file');
      return { store: 'file', path: rest };
    case 'vault':
      return parseVault(reference, rest);
    case 'aws':
      return parseAws(reference, rest);
    default:
      throw invalid(reference, 'it must start with env:, file:, vault: or aws:');
  }
}
