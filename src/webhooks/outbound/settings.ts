import type { Resolver } from '../../core/index.ts';
import type { Db } from '../../db/index.ts';

export type LoopGuard = (url: URL, db: Db) => Promise<string | undefined>;

export interface BreakerSettings {
  /** The failure-rate window. */
  windowMs: number;
  buckets: number;
  /** Attempts in the window before the rate can open the circuit. */
  volumeThreshold: number;
  /** Opens above this failure rate (percent). */
  errorThresholdPercentage: number;
  /** Open this long, then one probe (half-open). */
  resetMs: number;
}

/** Delivery knobs; the defaults are what a production hub runs with. */
export interface OutboundSettings {
  /** Message payloads and attempt bodies older than this are pruned. */
  retentionDays: number;
  /** An endpoint that only failed for this long is disabled (`endpoint.disabled`). */
  autoDisableAfterMs: number;
  /** A delivery's lease: its endpoint's timeout plus this. Past it, another worker retries it. */
  leaseMarginMs: number;
  /** A dispatch job yields its worker slot after this long (and queues its continuation). */
  dispatchBudgetMs: number;
  /** Most deliveries one claim takes. */
  claimBatch: number;
  /** How long a dispatch run with nothing left waits for more before it ends (see window.ts). */
  lingerMs: number;
  breaker: BreakerSettings;
  /** Keep-alive sockets per origin in the delivery pool. */
  connectionsPerOrigin: number;
  keepAliveTimeoutMs: number;
  /** How long a `patchbay listen` stream may go unseen before its endpoint is removed. */
  streamTtlMs: number;
  userAgent: string;
  /** Recurring jobs (UTC cron). */
  sweepCron: string;
  pruneCron: string;
  /** Tests stand in their own DNS. */
  resolve?: Resolver | undefined;
  /**
   * Why an endpoint may not use a URL that leads back into this hub (one of its own inbound
   * sources: delivering there would be forwarded out again, in a loop), or undefined. Installed
   * by the hub, which knows its addresses and its sources; outbound knows neither.
   */
  loopGuard?: LoopGuard | undefined;
  /** Jitter source; tests pin it. */
  random?: (() => number) | undefined;
}

export const DEFAULT_SETTINGS: OutboundSettings = {
  retentionDays: 30,
  autoDisableAfterMs: 5 * 24 * 60 * 60 * 1000,
  leaseMarginMs: 30_000,
  dispatchBudgetMs: 5_000,
  claimBatch: 100,
  lingerMs: 100,
  breaker: { windowMs: 60_000, buckets: 6, volumeThreshold: 10, errorThresholdPercentage: 50, resetMs: 30_000 },
  connectionsPerOrigin: 64,
  keepAliveTimeoutMs: 10_000,
  streamTtlMs: 10 * 60_000,
  userAgent: 'Patchbay-Webhooks/1',
  sweepCron: '* * * * *',
  pruneCron: '17 3 * * *',
};

export function resolveSettings(overrides: Partial<OutboundSettings> = {}): OutboundSettings {
  return { ...DEFAULT_SETTINGS, ...overrides, breaker: { ...DEFAULT_SETTINGS.breaker, ...overrides.breaker } };
}
