/**
 * Operations as one service: health checks (planner, checks, pruning), alert evaluation and
 * notifications, their job handlers on the queue, and the functions the API and CLI call.
 *
 * @example
 * const ops = createOperations({ database, vault, clock, logger, publicUrl, retentionDays: 30, health: HEALTH_DEFAULTS });
 * ops.install(queue);           // registers the jobs and schedules them
 * await ops.planChecks();       // what the 5-second schedule does (tests call it after moving a ManualClock)
 */
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import { exponentialBackoff, type Queue } from '../queue/index.ts';
import type { Clock, Logger } from '../core/index.ts';
import type { Database } from '../db/index.ts';
import type { Vault } from '../credentials/index.ts';
import { onEndCustomerErased } from '../connections/index.ts';
import { createProviderProxy, type ProviderProxy } from '../proxy/index.ts';
import { runHealthCheck, type HealthCheckDeps } from './health/check.ts';
import { eraseHealthChecksOf, HEALTH_CHECK_JOB, HEALTH_PLAN_JOB, HEALTH_PRUNE_JOB, planHealthChecks, pruneHealthChecks, type CheckPayload } from './health/planner.ts';
import type { HealthDefaults } from './health/settings.ts';
import { EVALUATE_JOB, evaluateAlerts } from './evaluate.ts';
import { NOTIFY_JOB, type NotifyPayload } from './notify-plan.ts';
import { notifyChannel, sendTestNotification, type NotifyDeps } from './notify.ts';
import { operationsMetrics } from './metrics.ts';
import { registerStateMetrics } from './state-metrics.ts';

export interface OperationsOptions {
  database: Database;
  vault: Vault;
  clock: Clock;
  logger: Logger;
  publicUrl: string;
  retentionDays: number;
  health: HealthDefaults;
  redis?: Redis | undefined;
  registry?: Registry | undefined;
  /** Per request to a channel's provider. Default 10 s. */
  channelTimeoutMs?: number;
  /** Tests pass one with its own breaker settings. */
  proxy?: ProviderProxy;
}

export interface Operations {
  readonly health: HealthCheckDeps;
  readonly notify: NotifyDeps;
  install(queue: Queue): void;
  planChecks(): Promise<number>;
  evaluate(): Promise<{ opened: number; resolved: number }>;
  sendTest(scope: { organizationId: string; environmentId: string }, channelId: string): Promise<{ ok: boolean; error: string | null }>;
  stop(): Promise<void>;
}

const NOTIFY_ATTEMPTS = 8;

export function createOperations(options: OperationsOptions): Operations {
  const { database, vault, clock, logger } = options;
  const db = database.db;
  const ownProxy = !options.proxy;
  const proxy = options.proxy ?? createProviderProxy({ logger, redis: options.redis, registry: options.registry, clock });
  const metrics = operationsMetrics(options.registry, db);
  registerStateMetrics(options.registry, db);
  const health: HealthCheckDeps = { db, vault, clock, logger, proxy, defaults: options.health };
  const notify: NotifyDeps = { db, vault, clock, logger, publicUrl: options.publicUrl, timeoutMs: options.channelTimeoutMs ?? 10_000 };

  return {
    health,
    notify,
    install(queue) {
      queue.register<CheckPayload>(
        HEALTH_CHECK_JOB,
        async ({ job }) => {
          const scope = { organizationId: job.organizationId!, environmentId: job.environmentId! };
          const result = await runHealthCheck(health, scope, job.payload, job.id);
          if (result) metrics.checked(result.outcome, result.latencyMs / 1000);
        },
        { maxAttempts: 1, timeoutMs: 60_000 },
      );
      queue.register(HEALTH_PLAN_JOB, async () => void (await planHealthChecks(db, clock, options.health)), { maxAttempts: 1 });
      // An erased end customer's checks still waiting go in the erasing transaction.
      onEndCustomerErased('healthChecks', eraseHealthChecksOf);
      queue.register(HEALTH_PRUNE_JOB, async () => void (await pruneHealthChecks(db, clock.now(), options.retentionDays)), { maxAttempts: 3 });
      queue.register(EVALUATE_JOB, async () => void (await evaluateAlerts({ db, clock, logger, vault, thresholds: options.health.thresholds })), { maxAttempts: 1, timeoutMs: 120_000 });
      queue.register<NotifyPayload>(
        NOTIFY_JOB,
        async ({ job }) => {
          await notifyChannel(notify, job.payload, { number: job.attempts, last: job.attempts >= (job.maxAttempts ?? NOTIFY_ATTEMPTS) });
          metrics.notified(job.payload.action);
        },
        { maxAttempts: NOTIFY_ATTEMPTS, backoff: exponentialBackoff({ baseMs: 10_000, maxMs: 3_600_000 }), timeoutMs: 60_000 },
      );
      queue.schedule('health-plan', '*/5 * * * * *', HEALTH_PLAN_JOB);
      queue.schedule('health-prune', '41 * * * *', HEALTH_PRUNE_JOB);
      queue.schedule('alerts-evaluate', '* * * * *', EVALUATE_JOB);
    },
    planChecks: () => planHealthChecks(db, clock, options.health),
    evaluate: () => evaluateAlerts({ db, clock, logger, vault, thresholds: options.health.thresholds }),
    sendTest: (scope, channelId) => sendTestNotification(notify, scope, channelId),
    async stop() {
      if (ownProxy) await proxy.close();
    },
  };
}
