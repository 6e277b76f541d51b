/**
 * Metric families read from the database when Prometheus scrapes, for what other processes do
 * too (a worker delivers, another API process ingests): every process reports the same totals.
 * Labels are states and types, never ids. Each query is one aggregate over an indexed column.
 */
import { Gauge, type Registry } from 'prom-client';
import { sql } from 'drizzle-orm';
import { rows, type Db } from '../db/index.ts';

const registered = new WeakSet<Registry>();

function gauge(registry: Registry, db: Db, name: string, help: string, labelNames: string[], query: ReturnType<typeof sql>): void {
  new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    async collect() {
      const found = await rows<Record<string, string | number>>(db, query).catch(() => undefined);
      if (!found) return; // a table another branch has not created, or a lost connection: report nothing rather than zeros
      this.reset();
      for (const row of found) {
        const labels = Object.fromEntries(labelNames.map((l) => [l, String(row[l] ?? '')]));
        this.set(labels, Number(row.value ?? 0));
      }
    },
  });
}

/** Registers the database-read families once per registry. */
export function registerStateMetrics(registry: Registry | undefined, db: Db): void {
  if (!registry || registered.has(registry)) return;
  registered.add(registry);
  gauge(registry, db, 'patchbay_queue_oldest_job_age_seconds', 'Age of the oldest due, unclaimed job by type (how far behind the workers are)', ['type'],
    sql`select type, extract(epoch from (now() - min(run_at)))::float8 as value from jobs where state = 'pending' and run_at <= now() group by type`);
  gauge(registry, db, 'patchbay_outbound_deliveries', 'Outbound deliveries (a message at an endpoint) by state', ['state'],
    sql`select state, count(*)::int as value from outbound_deliveries group by state`);
  gauge(registry, db, 'patchbay_outbound_attempts', 'Outbound delivery attempts kept in the delivery log, by outcome', ['outcome'],
    sql`select case when succeeded then 'succeeded' else 'failed' end as outcome, count(*)::int as value from outbound_attempts group by 1`);
  gauge(registry, db, 'patchbay_outbound_retries', 'Outbound attempts after the first (retries and resends)', [],
    sql`select count(*)::int as value from outbound_attempts where attempt > 1`);
  gauge(registry, db, 'patchbay_outbound_endpoints_disabled', 'Endpoints that are disabled', [],
    sql`select count(*)::int as value from outbound_endpoints where not enabled`);
  gauge(registry, db, 'patchbay_inbound_events', 'Inbound webhook events kept, by status (received, processed, rejected, duplicate, failed…)', ['status'],
    sql`select status, count(*)::int as value from inbound_events group by status`);
  gauge(registry, db, 'patchbay_sync_runs', 'Sync runs by status', ['status'],
    sql`select status, count(*)::int as value from sync_runs group by status`);
  gauge(registry, db, 'patchbay_sync_records_written', 'Records sync runs added, updated or deleted', [],
    sql`select coalesce(sum(added + updated + deleted), 0)::int as value from sync_runs`);
  gauge(registry, db, 'patchbay_connections', 'Connections by status', ['status'],
    sql`select status, count(*)::int as value from connections group by status`);
}
