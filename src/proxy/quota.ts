/**
 * Quota usage as this process's proxies saw it: per limit key (`connector:environment:connection`),
 * the requests counted in the current window against the rate limit (the manifest's or the
 * integration's). With `REDIS_URL` the counts are the cluster's; the board itself is this
 * process's view, read by the `quota_usage` alert rule and the quota gauge.
 */
import type { QuotaUsage } from './limiter.ts';

export interface QuotaSnapshot extends QuotaUsage {
  provider: string;
}

const MAX_KEYS = 10_000;
const board = new Map<string, QuotaSnapshot>();

export function recordQuota(limitKey: string, provider: string, usage: QuotaUsage, now: number): void {
  if (board.size >= MAX_KEYS && !board.has(limitKey)) {
    for (const [key, snapshot] of board) if (snapshot.resetAt <= now) board.delete(key);
    if (board.size >= MAX_KEYS) board.delete(board.keys().next().value!);
  }
  board.set(limitKey, { ...usage, provider });
}

/** The usage of a key in its current window, if a request used it. */
export function quotaUsage(limitKey: string, now: number): QuotaSnapshot | undefined {
  const found = board.get(limitKey);
  return found && found.resetAt > now ? found : undefined;
}

/** The highest share of its limit any key of each provider uses in its current window (0–1). */
export function quotaByProvider(now: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const snapshot of board.values()) {
    if (snapshot.resetAt <= now) continue;
    out.set(snapshot.provider, Math.max(out.get(snapshot.provider) ?? 0, snapshot.used / snapshot.limit));
  }
  return out;
}
