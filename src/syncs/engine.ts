/**
 * The syncs engine: what the hub installs. It registers the `sync.run` job (one attempt of a
 * run, records or metrics), the `records.export` job (write-back of edited records) and the
 * scheduler's tick (every minute, once in the cluster) on the queue, and what syncs erase of an
 * end customer who is erased (erase.ts).
 */
import { systemClock, type Clock, type Logger } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import { onEndCustomerErased } from '../connections/index.ts';
import { exponentialBackoff, type Queue } from '../queue/index.ts';
import type { ProviderProxy } from '../proxy/index.ts';
import { cachingResolver, type ConnectionResolver } from './connections.ts';
import { EXPORT_JOB } from './conflicts.ts';
import { eraseSyncDataOf } from './erase.ts';
import { exportRecord, type ExportPayload } from './export.ts';
import { runMappingFor } from './mapping/run.ts';
import { collectMetrics } from './metrics.ts';
import { executeRun, type RunnerDeps } from './runner/run.ts';
import { runDueSyncs, SYNC_RUN_JOB } from './syncs.ts';
import { pruneRecordVersions, PRUNE_RECORD_VERSIONS_JOB } from './prune.ts';

export const SYNC_TICK_JOB = 'syncs.tick';
/** Attempts of one run: transient failures resume from the checkpoint up to this many times. */
export const RUN_MAX_ATTEMPTS = 5;

export interface SyncEngineOptions {
  db: Db;
  logger: Logger;
  clock?: Clock;
  proxy: ProviderProxy;
  resolver: ConnectionResolver;
  /** Records per write transaction. Default 1,000. */
  batchSize?: number;
  /** How often a running run checks for a cancellation. Default 1 s. */
  cancelCheckMs?: number;
  /**
   * How long the API (the public proxy above all) may reuse a resolved connection. Default 2 s;
   * 0 resolves on every request. Runs always resolve afresh.
   */
  connectionCacheMs?: number;
  /** Record versions replaced longer ago than this are pruned (PATCHBAY_RETENTION_DAYS). Default 30. */
  retentionDays?: number;
}

/** What the API needs from the engine: connections, and the proxy to reach their providers. */
export interface SyncServices {
  readonly resolver: ConnectionResolver;
  readonly proxy: ProviderProxy;
}

export interface SyncEngine {
  readonly deps: RunnerDeps;
  readonly services: SyncServices;
  /** Registers the job handlers, the scheduler's tick and the end-customer eraser. */
  install(queue: Queue): void;
}

export function createSyncEngine(options: SyncEngineOptions): SyncEngine {
  const clock = options.clock ?? systemClock;
  const deps: RunnerDeps = {
    db: options.db,
    clock,
    logger: options.logger,
    proxy: options.proxy,
    resolver: options.resolver,
    batchSize: options.batchSize ?? 1_000,
    cancelCheckMs: options.cancelCheckMs ?? 1_000,
    mappingFor: (db, connection, model) => runMappingFor(db, clock, connection, model),
    runMetrics: (run, sync, connection, ctx) => collectMetrics(options.db, clock, run, sync, connection, ctx),
  };
  return {
    deps,
    services: {
      resolver: options.connectionCacheMs === 0 ? options.resolver : cachingResolver(options.resolver, { ttlMs: options.connectionCacheMs ?? 2_000 }),
      proxy: options.proxy,
    },
    install(queue) {
      onEndCustomerErased('syncs', eraseSyncDataOf);
      queue.register<{ runId: string }>(
        SYNC_RUN_JOB,
        ({ job, logger, signal }) =>
          executeRun(deps, job.payload.runId, { attempt: job.attempts, maxAttempts: job.maxAttempts ?? RUN_MAX_ATTEMPTS, signal, logger, jobId: job.id }),
        // A run's attempts resume where the last one committed; waits grow from 10 s to 5 min.
        { maxAttempts: RUN_MAX_ATTEMPTS, backoff: exponentialBackoff({ baseMs: 10_000, maxMs: 300_000 }) },
      );
      queue.register<ExportPayload>(
        EXPORT_JOB,
        async ({ job, logger }) => {
          await exportRecord(deps, { organizationId: job.organizationId!, environmentId: job.environmentId! }, job.payload, logger, job.id);
        },
        { maxAttempts: 8, backoff: exponentialBackoff({ baseMs: 5_000, maxMs: 600_000 }) },
      );
      queue.register(SYNC_TICK_JOB, async ({ logger }) => {
        const runs = await runDueSyncs(deps.db, clock);
        if (runs.length > 0) logger.info({ runs: runs.length }, 'scheduled sync runs queued');
      }, { maxAttempts: 1 });
      queue.schedule('syncs-tick', '* * * * *', SYNC_TICK_JOB);
      queue.register(PRUNE_RECORD_VERSIONS_JOB, async ({ logger }) => {
        const report = await pruneRecordVersions(deps.db, clock, { retentionDays: options.retentionDays ?? 30 });
        if (report.deleted > 0) logger.info(report, 'pruned record versions past retention');
      }, { maxAttempts: 3 });
      // Hourly, at a minute of its own (not with every other job at :00).
      queue.schedule('syncs-prune-versions', '17 * * * *', PRUNE_RECORD_VERSIONS_JOB);
    },
  };
}
