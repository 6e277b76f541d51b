/**
 * The API's own upkeep: stored `Idempotency-Key` answers are forgotten hourly once they are past
 * their 24 h (before, they were only forgotten when the same key came again — or never).
 */
import { pruneIdempotencyKeys } from '../../api/idempotency.ts';
import type { HubModule } from '../context.ts';

export const PRUNE_IDEMPOTENCY_JOB = 'api.prune-idempotency';

export const apiModule: HubModule = {
  name: 'api',
  install(context) {
    context.queue.register(
      PRUNE_IDEMPOTENCY_JOB,
      async ({ logger }) => {
        const removed = await pruneIdempotencyKeys(context.database.db, context.clock.now());
        if (removed > 0) logger.info({ removed }, 'forgot expired idempotency keys');
      },
      { maxAttempts: 3 },
    );
    context.queue.schedule('api.prune-idempotency', '41 * * * *', PRUNE_IDEMPOTENCY_JOB);
  },
};
