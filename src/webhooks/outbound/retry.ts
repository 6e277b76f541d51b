/**
 * When a failed delivery is tried again: the one place retry delays are computed. A policy is
 * the endpoint's `retryConfig`; `Retry-After` from the endpoint can only lengthen a delay.
 */
import type { RetryConfig } from './schema.ts';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (the delays before retries 1–7). */
export const DEFAULT_SCHEDULE_MS: readonly number[] = [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR];
export const DEFAULT_JITTER = 0.2;
/** Longest delay any computed schedule reaches (exponential growth stops here). */
export const MAX_DELAY_MS = 24 * HOUR;
/** Longest `Retry-After` honoured for one message; longer ones are cut to this. */
export const MAX_RETRY_AFTER_MS = 24 * HOUR;
/** Longest pause of a whole endpoint after a `Retry-After`. */
export const MAX_PAUSE_MS = HOUR;
export const MAX_RETRIES = 50;

export const DEFAULT_RETRY_CONFIG: RetryConfig = { backoffStrategy: 'default' };

/** Retries after the first attempt that a policy allows. */
export function maxRetries(config: RetryConfig): number {
  if (config.maxRetries !== undefined) return config.maxRetries;
  if (config.backoffStrategy === 'explicit') return config.schedule?.length ?? 0;
  return DEFAULT_SCHEDULE_MS.length;
}

/** The delay before retry `n` (1 for the first retry), before jitter. */
function baseDelay(config: RetryConfig, n: number): number {
  switch (config.backoffStrategy) {
    case 'linear':
      return Math.min(MAX_DELAY_MS, (config.retryDelay ?? 60) * SECOND * n);
    case 'exponential':
      return Math.min(MAX_DELAY_MS, (config.retryDelay ?? 5) * SECOND * 2 ** Math.min(n - 1, 40));
    case 'explicit': {
      const schedule = config.schedule ?? [];
      return (schedule[Math.min(n, schedule.length) - 1] ?? 60) * SECOND;
    }
    default:
      return DEFAULT_SCHEDULE_MS[Math.min(n, DEFAULT_SCHEDULE_MS.length) - 1]!;
  }
}

export interface NextAttemptInput {
  config: RetryConfig;
  /** Attempts made in the current schedule, the failed one included (1 after the first failure). */
  attemptsInSchedule: number;
  /** From the response, already bounded; lengthens the delay, never shortens it. */
  retryAfterMs?: number | undefined;
  random?: () => number;
}

/** Milliseconds until the next attempt, or null when the policy has no retry left (dead letter). */
export function nextDelay(input: NextAttemptInput): number | null {
  const retry = input.attemptsInSchedule; // the retry about to be scheduled
  if (retry > maxRetries(input.config)) return null;
  const jitter = input.config.jitter ?? DEFAULT_JITTER;
  const random = input.random ?? Math.random;
  const delay = Math.round(baseDelay(input.config, retry) * (1 + jitter * (2 * random() - 1)));
  return Math.max(0, delay, input.retryAfterMs ?? 0);
}

/**
 * `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP date; undefined when absent
 * or unreadable; bounded by `max`.
 */
export function parseRetryAfter(value: string | string[] | undefined, now: Date, max = MAX_RETRY_AFTER_MS): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  const trimmed = text.trim();
  let ms: number;
  if (/^\d+$/.test(trimmed)) ms = Number(trimmed) * SECOND;
  else {
    const at = Date.parse(trimmed);
    if (Number.isNaN(at)) return undefined;
    ms = at - now.getTime();
  }
  return Math.min(Math.max(0, ms), max);
}
