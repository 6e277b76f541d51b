/**
 * The inbound webhooks module put together: the ingestor behind `/webhooks/in/{sourceId}`, the
 * processing job, the recurring clean-up of expired deduplication claims, and what is erased of
 * an end customer who is erased (erase.ts).
 *
 * @example
 * const inbound = createInbound({ database, vault, clock, logger, publicUrl, lookupConnection });
 * inbound.register(queue);
 * const reply = await inbound.ingestor.handle({ sourceId, method: 'POST', path, query: '', headers, rawBody, remoteIp });
 */
import type { Clock, Logger } from '../../core/index.ts';
import type { Database } from '../../db/index.ts';
import type { Vault } from '../../credentials/index.ts';
import { onEndCustomerErased } from '../../connections/index.ts';
import { exponentialBackoff, type Queue } from '../../queue/index.ts';
import { eraseInboundEventsOf } from './erase.ts';
import { Ingestor, type IngestorOptions } from './ingest.ts';
import { createProcessor, PROCESS_MAX_ATTEMPTS, type ConnectionLookup, type SyncTrigger } from './process.ts';
import { dispatchBatch, DISPATCH_JOB, type DispatchBatchPayload, pruneDedupe, pruneInboundEvents, PROCESS_JOB } from './store.ts';

export const PRUNE_JOB = 'inbound.prune';

export interface InboundOptions {
  database: Database;
  vault: Vault;
  clock: Clock;
  logger: Logger;
  publicUrl: string;
  /** How a provider account id becomes a connection id; none found until the connections module is wired. */
  lookupConnection?: ConnectionLookup;
  /** The `sync` action; refused (not retried) while no sync runner is wired. */
  triggerSync?: SyncTrigger;
  groupCommit?: IngestorOptions['groupCommit'];
  rejectedPerMinute?: number;
  /** JSON bodies nesting deeper are refused at the door (64 by default). */
  maxJsonDepth?: number;
  /** Settled events older than this are deleted, headers, body and all (30 by default). */
  retentionDays?: number;
}

export interface Inbound {
  readonly ingestor: Ingestor;
  /** Registers the processing and clean-up jobs with a worker queue, and the end-customer eraser. */
  register(queue: Queue): void;
}

export function createInbound(options: InboundOptions): Inbound {
  const ingestor = new Ingestor({
    database: options.database,
    vault: options.vault,
    clock: options.clock,
    logger: options.logger.child({ module: 'inbound' }),
    publicUrl: options.publicUrl,
    groupCommit: options.groupCommit,
    rejectedPerMinute: options.rejectedPerMinute,
    maxJsonDepth: options.maxJsonDepth,
  });
  const processor = createProcessor({
    database: options.database,
    clock: options.clock,
    lookupConnection: options.lookupConnection ?? (async () => undefined),
    triggerSync: options.triggerSync,
  });
  return {
    ingestor,
    register(queue) {
      onEndCustomerErased('inbound', eraseInboundEventsOf);
      // 5 s, 10 s, 20 s … about 10 minutes over 8 attempts, then the event is dead-lettered.
      queue.register(PROCESS_JOB, processor.run, { maxAttempts: PROCESS_MAX_ATTEMPTS, backoff: exponentialBackoff({ baseMs: 5_000, maxMs: 5 * 60_000 }), timeoutMs: 60_000 });
      queue.register<DispatchBatchPayload>(DISPATCH_JOB, async ({ job }) => {
        await dispatchBatch(options.database.db, job.payload.eventIds, job.payload.traces);
      });
      const retentionMs = (options.retentionDays ?? 30) * 86_400_000;
      queue.register(PRUNE_JOB, async ({ logger }) => {
        const now = options.clock.now();
        await pruneDedupe(options.database.db, now);
        const pruned = await pruneInboundEvents(options.database.db, new Date(now.getTime() - retentionMs), undefined, now);
        if (pruned > 0) logger.info({ pruned }, 'deleted inbound events past their retention');
      });
      queue.schedule(PRUNE_JOB, '17 * * * *', PRUNE_JOB);
    },
  };
}
