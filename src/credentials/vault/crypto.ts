/**
 * Envelope encryption, format 1.
 * - The value is encrypted with AES-256-GCM under a fresh random 32-byte data key, with a random
 *   96-bit IV. Its AAD binds it to its row: id, organization, environment, owner, name and
 *   version — a ciphertext copied into another row (or an older version copied back) fails.
 * - The data key is wrapped with AES-256-GCM under a master key; that AAD binds it to the row id
 *   and the master key id. Re-wrapping (master-key rotation) touches only the wrapped key.
 * A data key lives in memory only while one value is sealed or opened, and is zeroed after.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { MasterKey } from '../../core/index.ts';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const FORMAT = 1;

/** What a value's ciphertext is bound to. */
export interface ValueBinding {
  id: string;
  organizationId: string;
  environmentId: string;
  ownerType: string;
  ownerId: string;
  name: string;
  version: number;
}

export interface SealedValue {
  ciphertext: Buffer;
  iv: Buffer;
  authTag: Buffer;
  wrappedKey: Buffer;
  masterKeyId: string;
}

// JSON arrays: unambiguous (no field can run into the next), and readable when debugging.
const valueAad = (b: ValueBinding): Buffer =>
  Buffer.from(JSON.stringify(['patchbay/secret/1', b.id, b.organizationId, b.environmentId, b.ownerType, b.ownerId, b.name, b.version]));
const keyAad = (secretId: string, masterKeyId: string): Buffer =>
  Buffer.from(JSON.stringify(['patchbay/data-key/1', secretId, masterKeyId]));

function encrypt(key: Buffer, plaintext: Buffer, aad: Buffer): { iv: Buffer; ciphertext: Buffer; authTag: Buffer } {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, ciphertext, authTag: cipher.getAuthTag() };
}

/** Throws (Node's "Unsupported state or unable to authenticate data") when anything does not match. */
function decrypt(key: Buffer, iv: Buffer, ciphertext: Buffer, authTag: Buffer, aad: Buffer): Buffer {
  const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(authTag);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}

export function wrapDataKey(master: MasterKey, dataKey: Buffer, secretId: string): Buffer {
  const { iv, ciphertext, authTag } = encrypt(master.key, dataKey, keyAad(secretId, master.id));
  return Buffer.concat([iv, ciphertext, authTag]);
}

export function unwrapDataKey(master: MasterKey, wrapped: Buffer, secretId: string): Buffer {
  const iv = wrapped.subarray(0, IV_BYTES);
  const authTag = wrapped.subarray(wrapped.length - TAG_BYTES);
  const ciphertext = wrapped.subarray(IV_BYTES, wrapped.length - TAG_BYTES);
  return decrypt(master.key, iv, ciphertext, authTag, keyAad(secretId, master.id));
}

export function sealValue(master: MasterKey, plaintext: Buffer, binding: ValueBinding): SealedValue {
  const dataKey = randomBytes(32);
  try {
    const { iv, ciphertext, authTag } = encrypt(dataKey, plaintext, valueAad(binding));
    return { ciphertext, iv, authTag, wrappedKey: wrapDataKey(master, dataKey, binding.id), masterKeyId: master.id };
  } finally {
    dataKey.fill(0);
  }
}

export function openValue(master: MasterKey, sealed: Omit<SealedValue, 'masterKeyId'>, binding: ValueBinding): Buffer {
  const dataKey = unwrapDataKey(master, sealed.wrappedKey, binding.id);
  try {
    return decrypt(dataKey, sealed.iv, sealed.ciphertext, sealed.authTag, valueAad(binding));
  } finally {
    dataKey.fill(0);
  }
}

/** Moves a wrapped data key from one master key to another; the value's ciphertext is untouched. */
export function rewrapDataKey(from: MasterKey, to: MasterKey, wrapped: Buffer, secretId: string): Buffer {
  const dataKey = unwrapDataKey(from, wrapped, secretId);
  try {
    return wrapDataKey(to, dataKey, secretId);
  } finally {
    dataKey.fill(0);
  }
}
