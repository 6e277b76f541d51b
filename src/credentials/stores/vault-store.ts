/**
 * HashiCorp Vault, KV secrets engine version 2, over its HTTP API
 * (https://developer.hashicorp.com/vault/api-docs/secret/kv/kv-v2, "Read secret version"):
 * `GET /v1/{mount}/data/{path}?version=N` with `X-Vault-Token`; the secret is `data.data`,
 * its version `data.metadata.version`. Errors are `{"errors": [...]}` (api-docs, "Error
 * response"); 403 is a refused token, 404 a missing path — or a deleted or destroyed version,
 * in which case `data.metadata` says which.
 */
import { request, type Dispatcher } from 'undici';
import { assertPublicUrl, createGuardedDispatcher, toError, type Resolver } from '../../core/index.ts';
import type { SecretValue } from '../vault/index.ts';
import type { SecretStore } from './secret-store.ts';
import { parseSecretReference, SecretStoreError } from './reference.ts';

export interface VaultStoreOptions {
  /** `https://vault.example.com:8200`; passes the SSRF guard, like every configured URL. */
  address: string;
  /** Read when a reference is resolved, so a replaced token takes effect at once. */
  token: () => Promise<string>;
  namespace?: string;
  allowPrivateNetworks: boolean;
  timeoutMs?: number;
  /** Tests stand in DNS; the dispatcher is then built with the same resolver. */
  resolve?: Resolver;
  dispatcher?: Dispatcher;
}

const MAX_BODY = 1024 * 1024;

// One guarded connection pool per setting, shared by every environment's store (and the AWS store).
const sharedDispatchers = new Map<boolean, Dispatcher>();
export function guarded(allowPrivateNetworks: boolean): Dispatcher {
  let dispatcher = sharedDispatchers.get(allowPrivateNetworks);
  if (!dispatcher) sharedDispatchers.set(allowPrivateNetworks, (dispatcher = createGuardedDispatcher({ allowPrivateNetworks })));
  return dispatcher;
}

interface KvV2Body {
  errors?: unknown[];
  data?: { data?: Record<string, unknown> | null; metadata?: { version?: number; deletion_time?: string; destroyed?: boolean } | null } | null;
}

/** A JSON object body of at most 1 MiB, or undefined (too large, not JSON, not an object). Shared with the AWS store. */
export async function readJson<T extends object = KvV2Body>(body: Dispatcher.ResponseData['body']): Promise<T | undefined> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) {
      body.destroy();
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return parsed && typeof parsed === 'object' ? (parsed as T) : undefined;
  } catch {
    return undefined;
  }
}

const vaultErrors = (body: KvV2Body | undefined): string =>
  (Array.isArray(body?.errors) ? body.errors : []).map((e) => String(e).slice(0, 200)).join('; ');

export function createVaultSecretStore(options: VaultStoreOptions): SecretStore {
  const timeout = options.timeoutMs ?? 10_000;
  const dispatcher =
    options.dispatcher ??
    (options.resolve ? createGuardedDispatcher({ allowPrivateNetworks: options.allowPrivateNetworks, resolve: options.resolve }) : guarded(options.allowPrivateNetworks));

  return {
    async resolve(reference): Promise<SecretValue> {
      const ref = parseSecretReference(reference);
      if (ref.store !== 'vault') throw new SecretStoreError('invalid_reference', reference, `${reference} is not a vault: reference.`);
      const base = await assertPublicUrl(options.address, {
        allowPrivateNetworks: options.allowPrivateNetworks,
        ...(options.resolve ? { resolve: options.resolve } : {}),
      }).catch((err: unknown) => {
        throw new SecretStoreError('not_allowed', reference, `The Vault address is refused: ${toError(err).message}`, { cause: err });
      });
      const where = `${ref.mount}/${ref.path}${ref.version ? ` (version ${ref.version})` : ''} in Vault at ${base.origin}`;
      const url = new URL(base);
      const segments = [ref.mount, 'data', ...ref.path.split('/')].map(encodeURIComponent);
      url.pathname = `${url.pathname.replace(/\/$/, '')}/v1/${segments.join('/')}`;
      url.search = ref.version ? `?version=${ref.version}` : '';
      url.hash = '';

      const token = await options.token();
      let response: Dispatcher.ResponseData;
      try {
        response = await request(url, {
          method: 'GET',
          headers: {
            'x-vault-token': token,
            'x-vault-request': 'true',
            ...(options.namespace ? { 'x-vault-namespace': options.namespace } : {}),
          },
          dispatcher,
          headersTimeout: timeout,
          bodyTimeout: timeout,
        });
      } catch (err) {
        throw new SecretStoreError('unavailable', reference, `Could not reach Vault at ${base.origin}: ${toError(err).message}`, { cause: err });
      }
      const body = await readJson(response.body);
      const status = response.statusCode;

      if (status === 403) {
        throw new SecretStoreError(
          'forbidden',
          reference,
          `Vault refused the token for ${where} (403 ${vaultErrors(body) || 'permission denied'}). Check the environment's secret-store token and its policy (it needs read on ${ref.mount}/data/${ref.path}).`,
        );
      }
      if (status === 404) {
        const metadata = body?.data?.metadata;
        if (metadata?.destroyed) throw new SecretStoreError('not_found', reference, `The secret at ${where} was destroyed.`);
        if (metadata?.deletion_time) throw new SecretStoreError('not_found', reference, `The secret at ${where} was deleted (at ${metadata.deletion_time}).`);
        throw new SecretStoreError('not_found', reference, `No secret at ${where}, or the mount is not a KV version 2 engine.`);
      }
      if (status !== 200) {
        throw new SecretStoreError('unavailable', reference, `Vault answered ${status} for ${where}${vaultErrors(body) ? `: ${vaultErrors(body)}` : ''}.`);
      }
      const data = body?.data?.data;
      if (!data || typeof data !== 'object') throw new SecretStoreError('invalid_response', reference, `Vault's answer for ${where} has no data.data object.`);
      if (ref.field === undefined) return data;
      const value = data[ref.field];
      if (value === undefined || value === null) {
        throw new SecretStoreError('not_found', reference, `The secret at ${where} has no field "${ref.field}" (fields: ${Object.keys(data).join(', ') || 'none'}).`);
      }
      return typeof value === 'string' ? value : typeof value === 'object' ? value : String(value);
    },
  };
}
