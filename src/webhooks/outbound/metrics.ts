/**
 * The outbound attempt-latency histogram, observed as each attempt ends (the totals by outcome
 * are read from the database at scrape time: see alerts/state-metrics.ts). Labels are bounded:
 * the outcome and the status class, never an endpoint or message id.
 */
import { Histogram, type Registry } from 'prom-client';
import type { SendResult } from './sender.ts';

export interface OutboundMetrics {
  attempted(result: SendResult): void;
}

const NONE: OutboundMetrics = { attempted: () => undefined };
const byRegistry = new WeakMap<Registry, OutboundMetrics>();

/** One histogram per registry (a registry refuses a name twice); nothing without one. */
export function outboundMetrics(registry: Registry | undefined): OutboundMetrics {
  if (!registry) return NONE;
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const latency = new Histogram({
    name: 'patchbay_outbound_attempt_duration_seconds',
    help: 'Outbound delivery attempt latency by outcome (succeeded, failed) and status class (2xx…5xx, none)',
    labelNames: ['outcome', 'status_class'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  // The labelled children, made once each (a few dozen at most): observe() with a label object
  // hashes the labels on every call.
  const children = new Map<string, Histogram.Internal<'outcome' | 'status_class'>>();
  const metrics: OutboundMetrics = {
    attempted(result) {
      const ok = result.errorClass === null && result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
      const statusClass = result.statusCode === null ? 'none' : `${Math.floor(result.statusCode / 100)}xx`;
      const key = ok ? statusClass : `failed ${statusClass}`;
      let child = children.get(key);
      if (!child) {
        child = latency.labels({ outcome: ok ? 'succeeded' : 'failed', status_class: statusClass });
        children.set(key, child);
      }
      child.observe(result.durationMs / 1000);
    },
  };
  byRegistry.set(registry, metrics);
  return metrics;
}
