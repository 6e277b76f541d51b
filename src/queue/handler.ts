/** What a job handler is given, and how one attempt of it runs. */
import { scrubString, toError, type LogContext, type Logger } from '../core/index.ts';
import { defaultBackoff, type Backoff } from './backoff.ts';
import { JobAbortedError } from './errors.ts';
import type { Job } from './job.ts';

export interface JobContext<P = unknown> {
  job: Job<P>;
  /**
   * The worker's logger. Every line logged while the job runs — through this logger or any
   * other — carries jobId, jobType, organizationId, environmentId and the ids its payload names.
   */
  logger: Logger;
  /** Aborted at shutdown (after the grace period), when the lease is lost, or at the timeout. */
  signal: AbortSignal;
}

export type JobHandler<P = unknown> = (context: JobContext<P>) => Promise<void> | void;

export interface JobTypeOptions {
  /** Attempts before the job is kept as `failed`; a job's own `maxAttempts` wins. Default 10. */
  maxAttempts?: number;
  /** Delay before each retry; exponential with ±20 % jitter by default (see backoff.ts). */
  backoff?: Backoff;
  /** The attempt fails (and `signal` aborts) after this long. */
  timeoutMs?: number;
}

export const DEFAULT_MAX_ATTEMPTS = 10;

/** A registered job type, its options settled. */
export interface JobType {
  handler: JobHandler;
  maxAttempts: number;
  backoff: Backoff;
  timeoutMs: number | undefined;
}

export function jobType(name: string, handler: JobHandler, options: JobTypeOptions): JobType {
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new TypeError(`maxAttempts of ${name} must be a whole number ≥ 1`);
  if (options.timeoutMs !== undefined && !(options.timeoutMs > 0)) throw new TypeError(`timeoutMs of ${name} must be positive`);
  return { handler, maxAttempts, backoff: options.backoff ?? defaultBackoff, timeoutMs: options.timeoutMs };
}

// Ids a payload may name at its top level; a job about one of them logs it on every line.
const PAYLOAD_IDS = ['connectionId', 'integrationId', 'endpointId', 'sourceId', 'messageId', 'eventId', 'syncId', 'runId', 'alertId'] as const;

/** What every line logged while the job runs carries (see core/log-context.ts). */
export function jobLogContext(job: Job): LogContext {
  const fields: LogContext = { jobId: job.id, jobType: job.type };
  if (job.organizationId) fields.organizationId = job.organizationId;
  if (job.environmentId) fields.environmentId = job.environmentId;
  const payload = job.payload;
  if (payload !== null && typeof payload === 'object') {
    for (const key of PAYLOAD_IDS) {
      const value = (payload as Record<string, unknown>)[key];
      if (typeof value === 'string') fields[key] = value;
    }
  }
  return fields;
}

/**
 * Runs one attempt; resolves with its error, if any — it never rejects. At the timeout the
 * signal aborts and the attempt counts as failed, though the handler may still be running.
 */
export async function runAttempt(type: JobType, context: JobContext, controller: AbortController): Promise<Error | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const run = Promise.resolve().then(() => type.handler(context));
    if (type.timeoutMs === undefined) {
      await run;
      return undefined;
    }
    const ms = type.timeoutMs;
    run.catch(() => undefined); // it may still settle after the timeout
    await Promise.race([
      run,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const timeout = new JobAbortedError('timeout', `timed out after ${ms} ms`);
          controller.abort(timeout);
          reject(timeout);
        }, ms);
      }),
    ]);
    return undefined;
  } catch (err) {
    return toError(err);
  } finally {
    clearTimeout(timer);
  }
}

/** `last_error`: the error's name and message, without secrets or personal data, bounded. */
export function describeError(error: Error): string {
  const text = `${error.name}: ${error.message}`;
  return scrubString(text.length > 2_000 ? `${text.slice(0, 2_000)}…` : text);
}
