import { randomBytes } from 'node:crypto';

// Crockford base32: ids sort by time as plain strings (like ULIDs), and read well in logs.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

let lastTime = 0;
let lastRandom: Uint8Array = new Uint8Array(10);

function encode(bytes: Uint8Array, chars: number): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out.slice(0, chars);
}

function encodeTime(ms: number): string {
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[ms % 32] + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

/** Increments the random part so two ids made in the same millisecond still sort in order. */
function increment(bytes: Uint8Array): Uint8Array {
  const next = new Uint8Array(bytes);
  for (let i = next.length - 1; i >= 0; i--) {
    if (next[i]! < 255) {
      next[i]!++;
      return next;
    }
    next[i] = 0;
  }
  return next;
}

/**
 * A prefixed id that sorts by creation time: `newId('conn')` → `conn_01hx…`.
 * 10 characters of millisecond time, 16 of randomness (80 bits).
 */
export function newId(prefix: string): string {
  const now = Date.now();
  if (now <= lastTime) {
    lastRandom = increment(lastRandom);
  } else {
    lastTime = now;
    lastRandom = randomBytes(10);
  }
  return `${prefix}_${encodeTime(lastTime)}${encode(lastRandom, 16)}`;
}

/** A high-entropy opaque token (for API keys, session ids, state values): base32, no padding. */
export function randomToken(bytes = 32): string {
  return encode(randomBytes(bytes), Math.ceil((bytes * 8) / 5));
}
