/**
 * API rate limits per API key (or user) and per organization, with a burst window (a minute) and
 * a sustained one (an hour), by route class. Counters live in memory, or in Redis when REDIS_URL
 * is set so that every API process shares them. Answers carry `RateLimit-*` headers; a 429 carries
 * `Retry-After`.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { problems } from '../core/index.ts';
import type { RateClass } from './context.ts';

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

export class RateLimits {
  readonly #limiters = new Map<string, RateLimiterAbstract>();
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
  async consume(reply: FastifyReply, checks: { key: string; window: Window }[]): Promise<void> {
    let tightest: { limit: number; res: RateLimiterRes } | undefined;
    const policy: string[] = [];
    for (const { key, window } of checks) {
      for (const [points, duration] of [
        [window.perMinute, 60],
        [window.perHour, 3600],
      ] as const) {
        policy.push(`${points};w=${duration}`);
        try {
          const res = await this.#limiter(points, duration).consume(key);
          if (!tightest || res.remainingPoints < tightest.res.remainingPoints) tightest = { limit: points, res };
        } catch (err) {
          if (!(err instanceof RateLimiterRes)) throw err;
          const retryAfter = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
          reply.header('ratelimit-limit', points).header('ratelimit-remaining', 0).header('ratelimit-reset', retryAfter);
          throw problems.rateLimited(retryAfter);
        }
      }
    }
    if (tightest) {
      reply
        .header('ratelimit-limit', tightest.limit)
        .header('ratelimit-remaining', Math.max(0, tightest.res.remainingPoints))
        .header('ratelimit-reset', Math.ceil(tightest.res.msBeforeNext / 1000))
        .header('ratelimit-policy', policy.join(', '));
    }
  }
}

export function registerRateLimits(app: FastifyInstance, limits: RateLimits): void {
  app.addHook('onRequest', async (request, reply) => {
    const rateClass = request.routeOptions.config.rateClass ?? (request.routeOptions.config.public ? undefined : 'management');
    if (!rateClass) return;
    const principal = request.principal;
    const defaults = (principal?.kind === 'user' ? PEOPLE_CLASSES[rateClass] : undefined) ?? RATE_CLASSES[rateClass];
    if (!principal) {
      // Public classes (login, ingest) are limited per client address.
      await limits.consume(reply, [{ key: `${rateClass}:ip:${request.ip}`, window: defaults }]);
      return;
    }
    const own = principal.rateLimits[rateClass];
    const window = { perMinute: own?.perMinute ?? defaults.perMinute, perHour: own?.perHour ?? defaults.perHour };
    await limits.consume(reply, [
      { key: `${rateClass}:${principal.kind}:${principal.id}`, window },
      {
        key: `${rateClass}:org:${principal.kind}:${principal.organizationId}`,
        window: { perMinute: defaults.perMinute * ORGANIZATION_FACTOR, perHour: defaults.perHour * ORGANIZATION_FACTOR },
      },
    ]);
  });
}
