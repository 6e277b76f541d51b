import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { quotaByProvider } from './quota.ts';

/** What the proxy counts, per provider (connector key): calls, their outcome and latency, retries, waits. */
export interface ProxyMetrics {
  call(provider: string, method: string, outcome: string, seconds: number): void;
  retry(provider: string, reason: string): void;
  waited(provider: string, seconds: number): void;
  circuit(host: string, state: 'closed' | 'half-open' | 'open'): void;
}

const byRegistry = new WeakMap<Registry, ProxyMetrics>();

const CIRCUIT_STATES = { closed: 0, 'half-open': 1, open: 2 } as const;

/** One set of metrics per registry (a registry refuses a name twice). */
export function proxyMetrics(registry: Registry | undefined): ProxyMetrics {
  if (!registry) return NO_METRICS;
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const calls = new Counter({
    name: 'patchbay_provider_requests_total',
    help: 'Provider HTTP attempts by provider, method and outcome (2xx, 4xx, 429, 5xx, network, circuit_open)',
    labelNames: ['provider', 'method', 'outcome'] as const,
    registers,
  });
  const duration = new Histogram({
    name: 'patchbay_provider_request_duration_seconds',
    help: 'Provider HTTP attempt latency',
    labelNames: ['provider'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const retries = new Counter({
    name: 'patchbay_provider_retries_total',
    help: 'Provider requests sent again, by reason',
    labelNames: ['provider', 'reason'] as const,
    registers,
  });
  const waits = new Counter({
    name: 'patchbay_provider_rate_limit_wait_seconds_total',
    help: 'Time requests waited for the outbound rate limit or a provider hold',
    labelNames: ['provider'] as const,
    registers,
  });
  const circuits = new Gauge({
    name: 'patchbay_provider_circuit_state',
    help: 'Circuit breaker per provider host: 0 closed, 1 half-open, 2 open',
    labelNames: ['host'] as const,
    registers,
  });
  new Gauge({
    name: 'patchbay_provider_quota_used_ratio',
    help: "Highest share of a rate limit any connection of a provider used in its current window (0-1), as this process's proxies saw it",
    labelNames: ['provider'] as const,
    registers,
    collect() {
      this.reset();
      for (const [provider, ratio] of quotaByProvider(Date.now())) this.set({ provider }, ratio);
    },
  });
  const metrics: ProxyMetrics = {
    call(provider, method, outcome, seconds) {
      calls.inc({ provider, method, outcome });
      duration.observe({ provider }, seconds);
    },
    retry: (provider, reason) => retries.inc({ provider, reason }),
    waited: (provider, seconds) => waits.inc({ provider }, seconds),
    circuit: (host, state) => circuits.set({ host }, CIRCUIT_STATES[state]),
  };
  byRegistry.set(registry, metrics);
  return metrics;
}

const NO_METRICS: ProxyMetrics = { call() {}, retry() {}, waited() {}, circuit() {} };
