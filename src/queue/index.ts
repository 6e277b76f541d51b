/**
 * The one job queue: rows in `jobs`, claimed with `FOR UPDATE SKIP LOCKED` under leases, on PGlite
 * and PostgreSQL alike. Producers call `enqueue(tx, …)` inside their own transaction; each
 * process runs one `createQueue(…)` that knows only the job types registered with it.
 *
 * @example
 * const queue = createQueue({ database, logger, concurrency: config.workerConcurrency, leaseSeconds: config.jobLeaseSeconds, registry });
 * queue.register<{ messageId: string }>('webhook.deliver', async ({ job, logger, signal }) => { … }, { maxAttempts: 8, timeoutMs: 15_000 });
 * queue.schedule('health-checks', '*\/5 * * * *', 'connection.health-check');
 * await queue.start();
 * // elsewhere, in a request's transaction:
 * await enqueue(tx, { type: 'webhook.deliver', payload: { messageId }, organizationId, environmentId });
 * // at shutdown:
 * await queue.stop({ graceMs: 10_000 });
 */
export { enqueue, enqueueMany, type EnqueueOptions } from './enqueue.ts';
export { createQueue, type Queue, type QueueOptions } from './queue.ts';
export { DEFAULT_MAX_ATTEMPTS, type JobHandler, type JobContext, type JobTypeOptions } from './handler.ts';
export { exponentialBackoff, defaultBackoff, type Backoff, type ExponentialBackoffOptions } from './backoff.ts';
export { listJobs, getJob, retryJob, type JobScope, type ListJobsInput, type JobPage } from './admin.ts';
export { JobAbortedError, type AbortReason } from './errors.ts';
export { jobs, jobSchedules, type JobState } from './schema.ts';
export type { Job, JobSpec } from './job.ts';
