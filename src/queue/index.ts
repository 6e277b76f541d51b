export { enqueue, enqueueMany, type EnqueueOptions } from './enqueue.ts';
export { createQueue, type Queue, type QueueOptions } from './queue.ts';
export { DEFAULT_MAX_ATTEMPTS, type JobHandler, type JobContext, type JobTypeOptions } from './handler.ts';
export { exponentialBackoff, defaultBackoff, type Backoff, type ExponentialBackoffOptions } from './backoff.ts';
export { listJobs, getJob, retryJob, type JobScope, type ListJobsInput, type JobPage } from './admin.ts';
export { JobAbortedError, type AbortReason } from './errors.ts';
export { jobs, jobSchedules, type JobState } from './schema.ts';
export type { Job, JobSpec } from './job.ts';
