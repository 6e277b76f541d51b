/**
 * How long a failed job waits before its next attempt: the one place retry delays are computed.
 * `attempt` is the attempt that just failed (1 for the first).
 */
export type Backoff = (attempt: number, error: Error) => number;

export interface ExponentialBackoffOptions {
  /** Delay after the first failure. */
  baseMs?: number;
  factor?: number;
  maxMs?: number;
  /** ±fraction of random spread, so jobs that failed together do not retry together. */
  jitter?: number;
  random?: () => number;
}

/**
 * `baseMs · factor^(attempt-1)`, capped at `maxMs`, spread by ±`jitter`. The defaults give
 * 2 s, 4 s, 8 s … up to an hour, ±20 %.
 */
export function exponentialBackoff(options: ExponentialBackoffOptions = {}): Backoff {
  const { baseMs = 2_000, factor = 2, maxMs = 3_600_000, jitter = 0.2, random = Math.random } = options;
  return (attempt) => {
    const delay = Math.min(maxMs, baseMs * factor ** Math.max(0, attempt - 1));
    return Math.max(0, Math.round(delay * (1 + jitter * (2 * random() - 1))));
  };
}

export const defaultBackoff: Backoff = exponentialBackoff();
