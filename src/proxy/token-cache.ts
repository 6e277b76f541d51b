/**
 * A small cache of short-lived values (tokens a connector exchanged a stored credential for),
 * each until a little before it expires. Concurrent callers of one key share one load, so a burst
 * of proxied requests exchanges the credential once; a failed load is not kept. Per process: each
 * process exchanges for itself, which the providers allow, so nothing here needs sharing.
 */

export interface CachedValue<T> {
  value: T;
  /** True when this call loaded it (a refusal of a fresh value is not the cache's fault). */
  fresh: boolean;
}

export interface TokenCache<T> {
  /** The value of `key`, loading it when absent or about to expire. */
  get(key: string, load: () => Promise<{ value: T; ttlMs: number }>): Promise<CachedValue<T>>;
  /** Forgets `key` (the provider refused its value); with `value`, only while that is the one kept. */
  delete(key: string, value?: T): void;
  readonly size: number;
}

export interface TokenCacheOptions {
  /** Default 10,000; the oldest entry goes first past it. */
  maxEntries?: number;
  now?: () => number;
}

/** A value is used until this much before its expiry: a tenth of its life, at most a minute. */
export function expirySkewMs(ttlMs: number): number {
  return Math.min(60_000, Math.floor(ttlMs / 10));
}

export function createTokenCache<T>(options: TokenCacheOptions = {}): TokenCache<T> {
  const now = options.now ?? Date.now;
  const max = options.maxEntries ?? 10_000;
  const entries = new Map<string, { value: T; usableUntil: number }>();
  const loading = new Map<string, Promise<T>>();

  return {
    async get(key, load) {
      const hit = entries.get(key);
      if (hit && hit.usableUntil > now()) return { value: hit.value, fresh: false };
      let pending = loading.get(key);
      if (!pending) {
        pending = load().then(({ value, ttlMs }) => {
          entries.delete(key);
          entries.set(key, { value, usableUntil: now() + ttlMs - expirySkewMs(ttlMs) });
          if (entries.size > max) entries.delete(entries.keys().next().value!);
          return value;
        });
        loading.set(key, pending);
        const settled = (): void => {
          if (loading.get(key) === pending) loading.delete(key);
        };
        pending.then(settled, settled);
      }
      return { value: await pending, fresh: true };
    },
    delete(key, value) {
      if (value === undefined || entries.get(key)?.value === value) entries.delete(key);
    },
    get size() {
      return entries.size;
    },
  };
}
