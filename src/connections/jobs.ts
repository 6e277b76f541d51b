/**
 * Background work of the connections module: every minute, one process (the queue's schedule
 * runs each tick once in the cluster) finds OAuth tokens expiring within the refresh margin and
 * enqueues one renewal job per connection (keyed, so they do not pile up); each job renews
 * through `refreshConnectionTokens` and is retried with backoff when the provider cannot be
 * reached. The same tick clears expired connect sessions and authorization states.
 */
import { and, inArray, isNotNull, lte, ne, sql } from 'drizzle-orm';
import { ProblemError, type Clock, type Logger } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import type { Vault } from '../credentials/index.ts';
import { deleteExpiredConnectSessions, deleteExpiredStates, OAuthError } from '../credentials/oauth/index.ts';
import { enqueueMany, exponentialBackoff, type Queue } from '../queue/index.ts';
import { deleteExpiredEmbedTokens } from './embed.ts';
import { connections } from './schema.ts';
import { REFRESH_JOB, REFRESH_MAX_ATTEMPTS, refreshConnectionTokens, refreshJob } from './refresh.ts';

export const REFRESH_SCAN_JOB = 'connections.refresh-due';
const SCAN_BATCH = 500;

export interface ConnectionJobsDeps {
  db: Db;
  vault: Vault;
  queue: Queue;
  clock: Clock;
  logger: Logger;
  /** Tokens expiring within this are renewed ahead of time. */
  refreshMarginSeconds: number;
}

interface RefreshPayload {
  organizationId: string;
  environmentId: string;
  connectionId: string;
}

/** Enqueues a renewal for every OAuth connection whose token expires within the margin. */
export async function enqueueDueRefreshes(db: Db, clock: Clock, marginMs: number): Promise<number> {
  const horizon = new Date(clock.now().getTime() + marginMs);
  const due = await db
    .select({ organizationId: connections.organizationId, environmentId: connections.environmentId, id: connections.id })
    .from(connections)
    .where(
      and(
        inArray(connections.credentialType, ['oauth2', 'clientCredentials']),
        isNotNull(connections.tokenExpiresAt),
        lte(connections.tokenExpiresAt, horizon),
        ne(connections.status, 'disconnected'),
        // Given up on: only the end customer reconnecting helps.
        sql`(${connections.status} <> 'error' or ${connections.statusReason} is distinct from 'refresh_failed')`,
      ),
    )
    .orderBy(connections.tokenExpiresAt)
    .limit(SCAN_BATCH);
  if (due.length > 0) await enqueueMany(db, due.map((c) => refreshJob(c, c.id)), { clock });
  return due.length;
}

export function installConnectionJobs(deps: ConnectionJobsDeps): void {
  const { db, vault, queue, clock } = deps;
  const marginMs = deps.refreshMarginSeconds * 1000;

  queue.register<RefreshPayload>(
    REFRESH_JOB,
    async ({ job, logger }) => {
      const { organizationId, environmentId, connectionId } = job.payload;
      const final = job.attempts >= (job.maxAttempts ?? REFRESH_MAX_ATTEMPTS);
      try {
        await refreshConnectionTokens(db, vault, { organizationId, environmentId }, connectionId, { clock, logger, marginMs, job: { final } });
      } catch (err) {
        // Deleted meanwhile, or no longer OAuth: nothing to renew.
        if (err instanceof ProblemError && err.status === 404) return;
        // Recorded on the connection (status refresh_failed): retrying cannot help.
        if (err instanceof OAuthError && (err.permanent || final)) return;
        throw err;
      }
    },
    { maxAttempts: REFRESH_MAX_ATTEMPTS, backoff: exponentialBackoff({ baseMs: 30_000, maxMs: 30 * 60_000 }), timeoutMs: 120_000 },
  );

  queue.register(
    REFRESH_SCAN_JOB,
    async ({ logger }) => {
      const enqueued = await enqueueDueRefreshes(db, clock, marginMs);
      const sessions = await deleteExpiredConnectSessions(db, clock);
      const states = await deleteExpiredStates(db, clock);
      await deleteExpiredEmbedTokens(db, clock);
      if (enqueued + sessions + states > 0) logger.debug({ enqueued, expiredSessions: sessions, expiredStates: states }, 'token renewals enqueued');
    },
    { maxAttempts: 3 },
  );
  queue.schedule(REFRESH_SCAN_JOB, '* * * * *', REFRESH_SCAN_JOB);
}
