/**
 * API rate limits per API key (or user) and per organization, with a burst window (a minute) and
 * a sustained one (an hour), by route class. Counters live in memory, or in Redis when REDIS_URL
 * is set so that every API process shares them. Answers carry `RateLimit-*` headers; a 429 carries
 * `Retry-After`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { problems } from '../core/index.ts';
import { routeOf, type RateClass } from './context.ts';

export interface Window {
  perMinute: number;
  perHour: number;
}

/** Defaults per route class, per key; an organization gets ten times its key's allowance. */
export const RATE_CLASSES: Record<RateClass, Window> = {
  management: { perMinute: 100, perHour: 1_000 },
  publish: { perMinute: 60_000, perHour: 1_000_000 },
  ingest: { perMinute: 60_000, perHour: 1_000_000 },
  proxy: { perMinute: 6_000, perHour: 100_000 },
  login: { perMinute: 10, perHour: 100 },
};
/**
 * A person in the dashboard reads several resources per screen and polls live ones, so people get
 * a larger management allowance than API keys; it is counted apart from the keys' organization
 * allowance so that a busy dashboard never starves the product's own integration (and back).
 */
export const PEOPLE_CLASSES: Partial<Record<RateClass, Window>> = {
  management: { perMinute: 1_200, perHour: 30_000 },
};
const ORGANIZATION_FACTOR = 10;

interface Check {
  key: string;
  window: Window;
}

const windowsOf = (window: Window) =>
  [
    [window.perMinute, 60],
    [window.perHour, 3600],
  ] as const;

/** The headers of an answer: the tightest window's, and the policy of all of them. */
class Answer {
  #limit = 0;
  #remaining = Infinity;
  #msBeforeNext = 0;
  readonly #policy: string[] = [];

  took(points: number, duration: number, remaining: number, msBeforeNext: number): void {
    this.#policy.push(`${points};w=${duration}`);
    if (remaining < this.#remaining) {
      this.#limit = points;
      this.#remaining = remaining;
      this.#msBeforeNext = msBeforeNext;
    }
  }

  refuse(reply: FastifyReply, points: number, msBeforeNext: number): never {
    const retryAfter = Math.max(1, Math.ceil(msBeforeNext / 1000));
    reply.header('ratelimit-limit', points).header('ratelimit-remaining', 0).header('ratelimit-reset', retryAfter);
    throw problems.rateLimited(retryAfter);
  }

  send(reply: FastifyReply): void {
    if (this.#policy.length === 0) return;
    reply
      .header('ratelimit-limit', this.#limit)
      .header('ratelimit-remaining', Math.max(0, this.#remaining))
      .header('ratelimit-reset', Math.ceil(this.#msBeforeNext / 1000))
      .header('ratelimit-policy', this.#policy.join(', '));
  }
}

/**
 * Fixed windows in this process's memory, as RateLimiterMemory keeps them (a window opens with its
 * first request and lasts its duration), but synchronous: no promise per window per request.
 * Expired windows are swept once a minute instead of a timer each.
 */
class MemoryWindows {
  readonly #windows = new Map<string, { consumed: number; resetAt: number }>();
  #nextSweep = 0;

  take(key: string, durationMs: number, now: number): { consumed: number; msBeforeNext: number } {
    if (now >= this.#nextSweep) {
      for (const [k, w] of this.#windows) if (w.resetAt <= now) this.#windows.delete(k);
      this.#nextSweep = now + 60_000;
    }
    let window = this.#windows.get(key);
    if (!window || window.resetAt <= now) this.#windows.set(key, (window = { consumed: 0, resetAt: now + durationMs }));
    window.consumed++;
    return { consumed: window.consumed, msBeforeNext: window.resetAt - now };
  }
}

export class RateLimits {
  readonly #limiters = new Map<string, RateLimiterAbstract>();
  readonly #memory = new MemoryWindows();
  constructor(readonly redis: Redis | undefined) {}

  #limiter(points: number, duration: number): RateLimiterAbstract {
    const name = `${points}/${duration}`;
    let limiter = this.#limiters.get(name);
    if (!limiter) {
      const options = { points, duration, keyPrefix: `pb:rl:${name}` };
      limiter = this.redis ? new RateLimiterRedis({ ...options, storeClient: this.redis }) : new RateLimiterMemory(options);
      this.#limiters.set(name, limiter);
    }
    return limiter;
  }

  /** Takes one request from every window that applies; throws a 429 problem when one is spent. */
  async consume(reply: FastifyReply, checks: Check[]): Promise<void> {
    if (!this.redis) return this.consumeInMemory(reply, checks);
    const answer: Answer = new Answer();
    for (const { key, window } of checks) {
      for (const [points, duration] of windowsOf(window)) {
        let res: RateLimiterRes;
        try {
          res = await this.#limiter(points, duration).consume(key);
        } catch (err) {
          if (!(err instanceof RateLimiterRes)) throw err;
          answer.refuse(reply, points, err.msBeforeNext);
        }
        answer.took(points, duration, res.remainingPoints, res.msBeforeNext);
      }
    }
    answer.send(reply);
  }

  /** The same without Redis, synchronously (the counters are this process's: see MemoryWindows). */
  consumeInMemory(reply: FastifyReply, checks: Check[]): void {
    const answer: Answer = new Answer();
    const now = Date.now();
    for (const { key, window } of checks) {
      for (const [points, duration] of windowsOf(window)) {
        const { consumed, msBeforeNext } = this.#memory.take(`${points}/${duration}:${key}`, duration * 1000, now);
        if (consumed > points) answer.refuse(reply, points, msBeforeNext);
        answer.took(points, duration, points - consumed, msBeforeNext);
      }
    }
    answer.send(reply);
  }
}

/** The windows a request takes from, or undefined on routes without a rate class. */
function checksOf(request: FastifyRequest): Check[] | undefined {
  const { config } = routeOf(request);
  const rateClass = config.rateClass ?? (config.public ? undefined : 'management');
  if (!rateClass) return undefined;
  const principal = request.principal;
  const defaults = (principal?.kind === 'user' ? PEOPLE_CLASSES[rateClass] : undefined) ?? RATE_CLASSES[rateClass];
  // Public classes (login, ingest) are limited per client address.
  if (!principal) return [{ key: `${rateClass}:ip:${request.ip}`, window: defaults }];
  const own = principal.rateLimits[rateClass];
  return [
    { key: `${rateClass}:${principal.kind}:${principal.id}`, window: { perMinute: own?.perMinute ?? defaults.perMinute, perHour: own?.perHour ?? defaults.perHour } },
    {
      key: `${rateClass}:org:${principal.kind}:${principal.organizationId}`,
      window: { perMinute: defaults.perMinute * ORGANIZATION_FACTOR, perHour: defaults.perHour * ORGANIZATION_FACTOR },
    },
  ];
}

export function registerRateLimits(app: FastifyInstance, limits: RateLimits): void {
  // A callback hook: in memory (no Redis) the check is synchronous, so no promise per request.
  app.addHook('onRequest', (request, reply, done) => {
    let checks: Check[] | undefined;
    try {
      checks = checksOf(request);
      if (!checks) return done();
      if (!limits.redis) {
        limits.consumeInMemory(reply, checks);
        return done();
      }
    } catch (err) {
      return done(err as Error);
    }
    limits.consume(reply, checks).then(() => done(), done);
  });
}
