/**
 * AWS Secrets Manager over its JSON API
 * (https://docs.aws.amazon.com/secretsmanager/latest/apireference/Welcome.html): a signed POST to
 * `https://secretsmanager.{region}.amazonaws.com/` with `Content-Type: application/x-amz-json-1.1`
 * and `X-Amz-Target: secretsmanager.{Operation}`; errors are 400 (or 5xx) with
 * `{"__type": "ResourceNotFoundException", "message": "…"}` (API reference, "Common Errors" and each
 * operation's "Errors"). Requests are signed with SigV4 (sigv4.ts).
 *
 * The store reads with GetSecretValue; PutSecretValue and CreateSecret are here for the operator
 * tools and tests that write secrets.
 */
import { randomUUID } from 'node:crypto';
import { request, type Dispatcher } from 'undici';
import { assertPublicUrl, createGuardedDispatcher, toError, type Resolver } from '../../core/index.ts';
import type { SecretValue } from '../vault/index.ts';
import type { SecretStore } from './secret-store.ts';
import { parseSecretReference, SecretStoreError } from './reference.ts';
import { signRequest, type AwsCredentials } from './sigv4.ts';
import { guarded, readJson } from './vault-store.ts';

export interface SecretsManagerOptions {
  /** `eu-west-1` */
  region: string;
  /** Default `https://secretsmanager.{region}.amazonaws.com`; a VPC endpoint (or a simulator). Passes the SSRF guard. */
  endpoint?: string;
  /** Read for each request, so rotated keys take effect at once. */
  credentials: () => Promise<AwsCredentials>;
  allowPrivateNetworks: boolean;
  timeoutMs?: number;
  resolve?: Resolver;
  dispatcher?: Dispatcher;
  /** The signing clock (tests). */
  now?: () => Date;
}

/** An error answer of Secrets Manager: its `__type` (without a namespace prefix) and message. */
export class SecretsManagerError extends Error {
  constructor(
    readonly type: string,
    readonly status: number,
    message: string,
  ) {
    super(`${type}: ${message}`);
    this.name = 'SecretsManagerError';
  }
}

export interface SecretValueOutput {
  ARN?: string;
  Name?: string;
  VersionId?: string;
  SecretString?: string;
  SecretBinary?: string;
  VersionStages?: string[];
}

export interface SecretsManagerClient {
  readonly endpoint: Promise<URL>;
  getSecretValue(input: { SecretId: string; VersionStage?: string; VersionId?: string }): Promise<SecretValueOutput>;
  putSecretValue(input: { SecretId: string; SecretString: string; ClientRequestToken?: string }): Promise<{ ARN?: string; Name?: string; VersionId?: string; VersionStages?: string[] }>;
  createSecret(input: { Name: string; SecretString: string; Description?: string; ClientRequestToken?: string }): Promise<{ ARN?: string; Name?: string; VersionId?: string }>;
}

export function createSecretsManagerClient(options: SecretsManagerOptions): SecretsManagerClient {
  const timeout = options.timeoutMs ?? 10_000;
  const dispatcher =
    options.dispatcher ??
    (options.resolve ? createGuardedDispatcher({ allowPrivateNetworks: options.allowPrivateNetworks, resolve: options.resolve }) : guarded(options.allowPrivateNetworks));
  const endpoint = assertPublicUrl(options.endpoint ?? `https://secretsmanager.${options.region}.amazonaws.com`, {
    allowPrivateNetworks: options.allowPrivateNetworks,
    ...(options.resolve ? { resolve: options.resolve } : {}),
  });
  // An unused rejected promise must not crash the process before a call awaits it.
  endpoint.catch(() => undefined);

  async function call<T>(operation: string, input: Record<string, unknown>): Promise<T> {
    const url = new URL(await endpoint);
    const body = JSON.stringify(input);
    const headers = signRequest(
      { method: 'POST', url, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `secretsmanager.${operation}` }, body },
      await options.credentials(),
      { region: options.region, service: 'secretsmanager', ...(options.now ? { now: options.now() } : {}) },
    );
    // undici sets Host from the URL; sending ours too would duplicate it.
    delete headers.host;
    const send = () => request(url, { method: 'POST', headers, body, dispatcher, headersTimeout: timeout, bodyTimeout: timeout });
    let response: Dispatcher.ResponseData;
    try {
      response = await send();
    } catch (err) {
      // A pooled connection the server had just closed: a read is safe to send once more (a write is not).
      if (!(operation === 'GetSecretValue' && isReset(err))) throw err;
      response = await send();
    }
    const parsed = await readJson<Record<string, unknown>>(response.body);
    if (response.statusCode === 200 && parsed) return parsed as T;
    const rawType = typeof parsed?.__type === 'string' ? parsed.__type : `HTTP ${response.statusCode}`;
    const message = String(parsed?.message ?? parsed?.Message ?? '').slice(0, 300);
    throw new SecretsManagerError(rawType.slice(rawType.lastIndexOf('#') + 1), response.statusCode, message);
  }

  return {
    endpoint,
    getSecretValue: (input) => call('GetSecretValue', input),
    putSecretValue: (input) => call('PutSecretValue', { ClientRequestToken: randomUUID(), ...input }),
    createSecret: (input) => call('CreateSecret', { ClientRequestToken: randomUUID(), ...input }),
  };
}

function isReset(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE';
}

const REFUSED = new Set(['AccessDeniedException', 'UnrecognizedClientException', 'InvalidSignatureException', 'SignatureDoesNotMatch', 'IncompleteSignature', 'ExpiredTokenException', 'InvalidClientTokenId', 'DecryptionFailure']);

/** The store of `aws:` references: GetSecretValue, then the field asked for. */
export function createAwsSecretStore(options: SecretsManagerOptions): SecretStore {
  const client = createSecretsManagerClient(options);
  return {
    async resolve(reference): Promise<SecretValue> {
      const ref = parseSecretReference(reference);
      if (ref.store !== 'aws') throw new SecretStoreError('invalid_reference', reference, `${reference} is not an aws: reference.`);
      const base = await client.endpoint.catch((err: unknown) => {
        throw new SecretStoreError('not_allowed', reference, `The Secrets Manager endpoint is refused: ${toError(err).message}`, { cause: err });
      });
      const version = ref.versionId ? ` (version ${ref.versionId})` : ref.versionStage ? ` (${ref.versionStage})` : '';
      const where = `${ref.secretId}${version} in AWS Secrets Manager (${options.region}, ${base.host})`;
      let output: SecretValueOutput;
      try {
        output = await client.getSecretValue({ SecretId: ref.secretId, ...(ref.versionStage ? { VersionStage: ref.versionStage } : {}), ...(ref.versionId ? { VersionId: ref.versionId } : {}) });
      } catch (err) {
        if (err instanceof SecretStoreError) throw err;
        if (!(err instanceof SecretsManagerError)) throw new SecretStoreError('unavailable', reference, `Could not reach AWS Secrets Manager at ${base.host}: ${toError(err).message}`, { cause: err });
        if (err.type === 'ResourceNotFoundException') throw new SecretStoreError('not_found', reference, `No secret ${where}.`);
        if (REFUSED.has(err.type)) {
          throw new SecretStoreError('forbidden', reference, `AWS refused the environment's credentials for ${where} (${err.type}). Check the access key and its policy (it needs secretsmanager:GetSecretValue on this secret).`);
        }
        if (err.type === 'InvalidRequestException') throw new SecretStoreError('not_found', reference, `AWS cannot read ${where}: ${err.message}`);
        throw new SecretStoreError('unavailable', reference, `AWS Secrets Manager answered ${err.status} ${err.type} for ${where}.`);
      }
      if (typeof output.SecretString !== 'string') {
        throw new SecretStoreError('invalid_response', reference, `${where} has no SecretString (a binary secret cannot be a credential).`);
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(output.SecretString);
      } catch {
        parsed = undefined;
      }
      const object = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
      if (ref.field === undefined) return object ?? output.SecretString;
      if (!object) throw new SecretStoreError('not_found', reference, `${where} is not a JSON object, so it has no field "${ref.field}".`);
      const value = object[ref.field];
      if (value === undefined || value === null) {
        throw new SecretStoreError('not_found', reference, `${where} has no field "${ref.field}" (fields: ${Object.keys(object).join(', ') || 'none'}).`);
      }
      return typeof value === 'string' ? value : typeof value === 'object' ? value : String(value);
    },
  };
}
