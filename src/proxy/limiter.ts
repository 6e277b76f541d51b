/**
 * Outbound rate limiting: Patchbay slows itself down before a provider has to say 429. One
 * counter per provider and credential (the manifest's or integration's `100/minute`), plus a
 * "hold" a provider can put on a key (Retry-After, or a rate-limit header saying nothing is left)
 * that every caller sharing the key honours. Counters live in memory, or in Redis when
 * `REDIS_URL` is set, so every process of a cluster shares them.
 */
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { systemClock, type Clock } from '../core/index.ts';

/** At most `limit` requests per `windowMs` (the shape connectors' `parseRateLimit` gives). */
export interface OutboundRateLimit {
  limit: number;
  windowMs: number;
}

/** Waits `ms` (or until `signal` aborts, rejecting with its reason). */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const realSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export interface OutboundLimiter {
  /**
   * Resolves when one more request under `key` may go: after any hold on the key, and within
   * `limit` when one is given. Returns how long it waited, in ms.
   */
  acquire(key: string, limit: OutboundRateLimit | undefined, signal?: AbortSignal): Promise<number>;
  /**
   * How long until one more request under `key` may go (0: now), consuming nothing. For a caller
   * that would rather not wait (a health check reports "rate limited" instead of queueing).
   */
  waitMs(key: string, limit: OutboundRateLimit | undefined): Promise<number>;
  /** Holds every request under `key` for `ms` from now (a longer hold already set is kept). */
  hold(key: string, ms: number): Promise<void>;
  /** What the last request under `key` used of its limit in the current window (none: no limit, or no request yet). */
  usage(key: string): QuotaUsage | undefined;
}

/** Requests counted in a window against its limit (with Redis: by every process of the cluster). */
export interface QuotaUsage {
  used: number;
  limit: number;
  /** When the window ends, in ms since the epoch. */
  resetAt: number;
}

/** Usage kept per key for `usage()`; past this many keys, ended windows are dropped first. */
const MAX_USAGES = 10_000;

export interface LimiterOptions {
  /** Shared counters; memory when absent. */
  redis?: Redis | undefined;
  clock?: Clock;
  sleep?: Sleep;
}

const PREFIX = 'pb:out';

/** Who shares a rate limit: provider and credential, one credential per connection. */
export const connectionLimitKey = (connectorKey: string, environmentId: string, connectionId: string): string => `${connectorKey}:${environmentId}:${connectionId}`;

export function createOutboundLimiter(options: LimiterOptions = {}): OutboundLimiter {
  const clock = options.clock ?? systemClock;
  const sleep = options.sleep ?? realSleep;
  const redis = options.redis;
  const limiters = new Map<string, RateLimiterAbstract>();
  const holds = new Map<string, number>();
  const usages = new Map<string, QuotaUsage>();
  const recordUsage = (key: string, limit: OutboundRateLimit, consumed: number, msBeforeNext: number): void => {
    const now = clock.now().getTime();
    if (usages.size >= MAX_USAGES && !usages.has(key)) {
      for (const [k, u] of usages) if (u.resetAt <= now) usages.delete(k);
      if (usages.size >= MAX_USAGES) usages.delete(usages.keys().next().value!);
    }
    usages.set(key, { used: consumed, limit: limit.limit, resetAt: now + Math.max(0, msBeforeNext) });
  };

  const limiterFor = (limit: OutboundRateLimit): RateLimiterAbstract => {
    const name = `${limit.limit}/${limit.windowMs}`;
    let limiter = limiters.get(name);
    if (!limiter) {
      // Windows are whole seconds in practice (`110/10 seconds`); never shorter than one.
      const settings = { points: limit.limit, duration: Math.max(1, Math.round(limit.windowMs / 1000)), keyPrefix: `${PREFIX}:${name}` };
      limiter = redis ? new RateLimiterRedis({ ...settings, storeClient: redis }) : new RateLimiterMemory(settings);
      limiters.set(name, limiter);
    }
    return limiter;
  };

  const heldUntil = async (key: string): Promise<number> => {
    if (!redis) {
      const until = holds.get(key) ?? 0;
      if (until && until <= clock.now().getTime()) holds.delete(key);
      return until;
    }
    const value = await redis.get(`${PREFIX}:hold:${key}`);
    return value ? Number(value) : 0;
  };

  return {
    async acquire(key, limit, signal) {
      let waited = 0;
      for (;;) {
        const holdMs = (await heldUntil(key)) - clock.now().getTime();
        if (holdMs > 0) {
          await sleep(holdMs, signal);
          waited += holdMs;
          continue;
        }
        if (!limit) return waited;
        try {
          const consumed = await limiterFor(limit).consume(key);
          recordUsage(key, limit, consumed.consumedPoints, consumed.msBeforeNext);
          return waited;
        } catch (err) {
          if (!(err instanceof RateLimiterRes)) throw err;
          // Waiters spread over the next window instead of all retrying on its first millisecond.
          const ms = Math.max(1, err.msBeforeNext) + Math.floor(Math.random() * 20);
          await sleep(ms, signal);
          waited += ms;
        }
      }
    },
    async waitMs(key, limit) {
      const holdMs = (await heldUntil(key)) - clock.now().getTime();
      if (holdMs > 0) return holdMs;
      if (!limit) return 0;
      const state = await limiterFor(limit).get(key);
      return state && state.consumedPoints >= limit.limit ? Math.max(1, state.msBeforeNext) : 0;
    },
    usage(key) {
      const found = usages.get(key);
      return found && found.resetAt > clock.now().getTime() ? found : undefined;
    },
    async hold(key, ms) {
      if (!(ms > 0)) return;
      const until = clock.now().getTime() + ms;
      if (!redis) {
        if ((holds.get(key) ?? 0) < until) holds.set(key, until);
        return;
      }
      const redisKey = `${PREFIX}:hold:${key}`;
      const current = Number((await redis.get(redisKey)) ?? 0);
      if (current < until) await redis.set(redisKey, String(until), 'PX', Math.ceil(ms));
    },
  };
}
