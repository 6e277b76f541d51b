import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { sql } from 'drizzle-orm';
import { rows, type Db } from '../db/index.ts';

export type JobOutcome = 'completed' | 'retried' | 'failed';

export interface QueueMetrics {
  observe(type: string, outcome: JobOutcome, seconds: number): void;
}

const noMetrics: QueueMetrics = { observe: () => undefined };

/** A metric registered once per registry, however many queues share it. */
function once<M>(registry: Registry, name: string, make: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? make();
}

/**
 * `patchbay_queue_jobs{type,state}` (queue depth, counted when scraped),
 * `patchbay_job_duration_seconds{type,outcome}` and `patchbay_jobs_total{type,outcome}`.
 */
export function queueMetrics(registry: Registry | undefined, db: Db): QueueMetrics {
  if (!registry) return noMetrics;
  once(
    registry,
    'patchbay_queue_jobs',
    () =>
      new Gauge({
        name: 'patchbay_queue_jobs',
        help: 'Jobs in the queue by type and state (completed jobs are deleted).',
        labelNames: ['type', 'state'],
        registers: [registry],
        async collect() {
          const counts = await rows<{ type: string; state: string; n: number }>(
            db,
            sql`select type, state, count(*)::int as n from jobs group by type, state`,
          );
          this.reset();
          for (const c of counts) this.set({ type: c.type, state: c.state }, c.n);
        },
      }),
  );
  const duration = once(
    registry,
    'patchbay_job_duration_seconds',
    () =>
      new Histogram({
        name: 'patchbay_job_duration_seconds',
        help: 'Time a job handler ran, by type and outcome.',
        labelNames: ['type', 'outcome'],
        buckets: [0.001, 0.005, 0.025, 0.1, 0.5, 1, 2.5, 10, 30, 120, 600],
        registers: [registry],
      }),
  );
  const outcomes = once(
    registry,
    'patchbay_jobs_total',
    () =>
      new Counter({
        name: 'patchbay_jobs_total',
        help: 'Job attempts finished, by type and outcome (completed, retried, failed for good).',
        labelNames: ['type', 'outcome'],
        registers: [registry],
      }),
  );
  return {
    observe(type, outcome, seconds) {
      duration.observe({ type, outcome }, seconds);
      outcomes.inc({ type, outcome });
    },
  };
}
