/** Operations metrics: health-check outcomes and latency, notifications sent, alerts open by severity. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { sql } from 'drizzle-orm';
import { rows, type Db } from '../db/index.ts';
import type { CheckOutcome } from './schema.ts';

export interface OperationsMetrics {
  checked(outcome: CheckOutcome, seconds: number): void;
  notified(action: string): void;
}

const byRegistry = new WeakMap<Registry, OperationsMetrics>();
const NONE: OperationsMetrics = { checked: () => undefined, notified: () => undefined };

export function operationsMetrics(registry: Registry | undefined, db: Db): OperationsMetrics {
  if (!registry) return NONE;
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const checks = new Counter({ name: 'patchbay_health_checks_total', help: 'Connection health checks by outcome', labelNames: ['outcome'] as const, registers });
  const latency = new Histogram({
    name: 'patchbay_health_check_duration_seconds',
    help: 'Connection health check latency',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const notifications = new Counter({ name: 'patchbay_alert_notifications_total', help: 'Alert notifications sent to channels, by action', labelNames: ['action'] as const, registers });
  new Gauge({
    name: 'patchbay_alerts_open',
    help: 'Unresolved alerts by severity',
    labelNames: ['severity'] as const,
    registers,
    async collect() {
      const counts = await rows<{ severity: string; n: number }>(db, sql`select severity, count(*)::int as n from alerts where status <> 'resolved' group by severity`).catch(() => []);
      this.reset();
      for (const severity of ['info', 'warning', 'critical']) this.set({ severity }, counts.find((c) => c.severity === severity)?.n ?? 0);
    },
  });
  const metrics: OperationsMetrics = {
    checked(outcome, seconds) {
      checks.inc({ outcome });
      latency.observe(seconds);
    },
    notified: (action) => notifications.inc({ action }),
  };
  byRegistry.set(registry, metrics);
  return metrics;
}
