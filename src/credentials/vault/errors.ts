import { ProblemError } from '../../core/index.ts';

/** No such secret in this organization and environment. A 404 when it reaches the API. */
export class SecretNotFoundError extends ProblemError {
  constructor(readonly target: string) {
    super('not-found', 404, 'Not found', { detail: `Secret ${target} not found.` });
    this.name = 'SecretNotFoundError';
  }
}

/** The owner already has a secret of that name; `replace` it instead. A 409 at the API. */
export class SecretConflictError extends ProblemError {
  constructor(readonly target: string) {
    super('conflict', 409, 'Conflict', { detail: `Secret ${target} already exists.` });
    this.name = 'SecretConflictError';
  }
}

/**
 * A secret is wrapped under a master key this process does not have. Operational, not the
 * caller's fault: the message says which key and what to do.
 */
export class MasterKeyNotConfiguredError extends Error {
  constructor(
    readonly keyIds: string[],
    detail?: string,
  ) {
    const list = keyIds.map((id) => `"${id}"`).join(', ');
    super(
      `${detail ?? 'Secrets are'} encrypted under master key ${list}, which PATCHBAY_SECRET_KEYS does not list. ` +
        'Add it back after the current key (keyId:base64, comma-separated), then run `patchbay vault rotate` to re-wrap those secrets under the current key before dropping it.',
    );
    this.name = 'MasterKeyNotConfiguredError';
  }
}

/**
 * The ciphertext does not authenticate: it was altered, copied from another row, or wrapped under
 * a different key with the same id. The message never carries any part of the value.
 */
export class SecretDecryptionError extends Error {
  constructor(readonly secretId: string) {
    super(`Secret ${secretId} could not be decrypted: its ciphertext was altered or does not belong to this row.`);
    this.name = 'SecretDecryptionError';
  }
}
