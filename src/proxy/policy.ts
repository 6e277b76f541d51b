/**
 * When a provider request is tried again, and after how long: the one place the proxy's retry
 * rules live.
 *
 * - 429, 502, 503, 504 and network failures are retried, up to the integration's `retryAttempts`
 *   (default 3), after 1, 2, 4, 8, 16 s (±20 % jitter) — never sooner than the provider's
 *   `Retry-After`.
 * - A request that is not idempotent (POST, PATCH) is retried only when repeating it cannot apply
 *   it twice: after a 429 (the provider refused it), after a failure that never reached the
 *   provider (refused, DNS, connect timeout), or when it carries an `Idempotency-Key` (or the
 *   connector marks it idempotent). Never after a 5xx or a timeout that may have been applied.
 */
import type { HttpMethod, ProviderRequest } from './client.ts';
import { ssrfRefusal, type ProviderRequestError } from './errors.ts';
import { retryAfterSeconds } from './failures.ts';

export const DEFAULT_RETRY_ATTEMPTS = 3;
export const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);
const BASE_DELAY_MS = 1_000;
const MAX_DELAY_MS = 16_000;
const JITTER = 0.2;
const IDEMPOTENT_METHODS: ReadonlySet<HttpMethod> = new Set<HttpMethod>(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
const RETRIED_KINDS: ReadonlySet<string> = new Set(['timeout', 'dns', 'refused', 'reset', 'network']);

/** Whether sending the request twice has the effect of sending it once. */
export function isIdempotent(request: ProviderRequest): boolean {
  if (IDEMPOTENT_METHODS.has(request.method ?? 'GET') || request.idempotent === true) return true;
  return Object.keys(request.headers ?? {}).some((name) => name.toLowerCase() === 'idempotency-key');
}

/** Delay before retry number `retry` (1 for the first): 1, 2, 4, 8, 16 s, ±20 %. */
export function backoffMs(retry: number, random: () => number = Math.random): number {
  const delay = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, retry - 1));
  return Math.round(delay * (1 + JITTER * (2 * random() - 1)));
}

export type RetryReason = 'rate_limited' | 'server_error' | 'network';

/** Why an answer may be retried (before counting attempts), or undefined. */
export function retryableResponse(request: ProviderRequest, status: number, headers: Readonly<Record<string, string>>): RetryReason | undefined {
  // GitHub's secondary limits and Salesforce's spent allowance come as 403 with Retry-After.
  if (status === 429 || (status === 403 && headers['retry-after'] !== undefined)) return 'rate_limited';
  if (!RETRY_STATUSES.has(status)) return undefined;
  return isIdempotent(request) ? 'server_error' : undefined;
}

/** Why a failure without an answer may be retried, or undefined. */
export function retryableFailure(request: ProviderRequest, error: ProviderRequestError): RetryReason | undefined {
  if (ssrfRefusal(error) || !RETRIED_KINDS.has(error.kind)) return undefined;
  if (!error.reachedProvider) return 'network';
  return isIdempotent(request) ? 'network' : undefined;
}

// Rate-limit headers providers send before they refuse: how many requests are left, and when the
// window starts again. Names are lower case (the client lower-cases response headers).
const REMAINING_HEADERS = ['x-hubspot-ratelimit-remaining', 'x-ratelimit-remaining', 'x-rate-limit-remaining', 'ratelimit-remaining'];
const INTERVAL_HEADERS = ['x-hubspot-ratelimit-interval-milliseconds'];

/**
 * How long every request under this provider key should wait, from a successful answer's
 * headers: when a provider says nothing is left in its window (`X-HubSpot-RateLimit-Remaining:
 * 0`, `X-RateLimit-Remaining: 0` with a reset), the rest of the window; otherwise 0.
 */
export function providerHoldMs(headers: Readonly<Record<string, string>>, now = Date.now()): number {
  const remaining = REMAINING_HEADERS.map((name) => headers[name]).find((v) => v !== undefined);
  if (remaining === undefined || Number(remaining) > 0 || !/^\s*\d+\s*$/.test(remaining)) return 0;
  const interval = INTERVAL_HEADERS.map((name) => headers[name]).find((v) => v !== undefined);
  if (interval !== undefined && /^\d+$/.test(interval.trim())) return Number(interval);
  const seconds = retryAfterSeconds(headers, now);
  return seconds === undefined ? 1_000 : seconds * 1000;
}
