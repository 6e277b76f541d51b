/**
 * One circuit breaker (opossum) per provider host. Network failures and 5xx answers count as
 * failures; 4xx and 429 do not (the host is up, it is refusing this caller). Once half of the
 * calls in a 10 s window fail (at least 10 calls), the host gets no request for `resetMs`, then
 * one trial call decides whether it opens again.
 */
import CircuitBreaker from 'opossum';
import type { ProviderResponse } from './client.ts';
import { ProviderRequestError } from './errors.ts';
import type { ProxyMetrics } from './metrics.ts';

export interface BreakerOptions {
  /** How long an open circuit refuses calls. Default 30 s. */
  resetMs?: number;
  /** Failure percentage that opens it. Default 50. */
  errorThresholdPercentage?: number;
  /** Calls in the window before it may open. Default 10. */
  volumeThreshold?: number;
  /** The window failures are counted over. Default 10 s. */
  windowMs?: number;
}

/** A 5xx answer, thrown inside the breaker so it counts as a failure, then unwrapped. */
class ServerErrorAnswer extends Error {
  constructor(readonly response: ProviderResponse) {
    super(`HTTP ${response.status}`);
  }
}

type Call = () => Promise<ProviderResponse>;

export interface Breakers {
  /** Runs `call` through the host's breaker; an open circuit rejects with a `circuit-open` error. */
  run(host: string, url: string, call: Call): Promise<ProviderResponse>;
  shutdown(): void;
}

export function createBreakers(options: BreakerOptions, metrics: ProxyMetrics): Breakers {
  const breakers = new Map<string, CircuitBreaker<[Call], ProviderResponse>>();

  const breakerFor = (host: string): CircuitBreaker<[Call], ProviderResponse> => {
    let breaker = breakers.get(host);
    if (!breaker) {
      breaker = new CircuitBreaker<[Call], ProviderResponse>(
        async (call) => {
          const response = await call();
          if (response.status >= 500) throw new ServerErrorAnswer(response);
          return response;
        },
        {
          name: host,
          timeout: false, // the client has its own timeout
          resetTimeout: options.resetMs ?? 30_000,
          errorThresholdPercentage: options.errorThresholdPercentage ?? 50,
          volumeThreshold: options.volumeThreshold ?? 10,
          rollingCountTimeout: options.windowMs ?? 10_000,
          // A call the caller cancelled says nothing about the host.
          errorFilter: (err: unknown) => err instanceof ProviderRequestError && err.kind === 'aborted',
        },
      );
      breaker.on('open', () => metrics.circuit(host, 'open'));
      breaker.on('halfOpen', () => metrics.circuit(host, 'half-open'));
      breaker.on('close', () => metrics.circuit(host, 'closed'));
      breakers.set(host, breaker);
    }
    return breaker;
  };

  return {
    async run(host, url, call) {
      try {
        return await breakerFor(host).fire(call);
      } catch (err) {
        if (err instanceof ServerErrorAnswer) return err.response;
        if ((err as { code?: string }).code === 'EOPENBREAKER') {
          throw new ProviderRequestError('circuit-open', url, `requests to ${host} are paused after repeated failures (circuit open)`, {
            cause: err,
            host,
            reachedProvider: false,
          });
        }
        throw err;
      }
    },
    shutdown() {
      for (const breaker of breakers.values()) breaker.shutdown();
      breakers.clear();
    },
  };
}
