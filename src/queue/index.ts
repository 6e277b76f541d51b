export { enqueue, enqueueMany, type EnqueueOptions } from './enqueue.ts';
export { createQueue, DEFAULT_MAX_ATTEMPTS, type Queue, type QueueOptions, type JobHandler, type JobContext, type JobTypeOptions } from './queue.ts';
export { exponentialBackoff, defaultBackoff, type Backoff, type ExponentialBackoffOptions } from './backoff.ts';
export { listJobs, getJob, retryJob, type JobScope, type ListJobsInput, type JobPage } from './admin.ts';
export { JobAbortedError, type AbortReason } from './errors.ts';
export { jobs, jobSchedules, type JobState } from './schema.ts';
export type { Job, JobSpec } from './job.ts';
