import { describeFailure, ProviderFailureError, ProviderHttpError, ProviderRequestError, type FailureSubject } from '../../proxy/index.ts';
import { JobAbortedError } from '../../queue/index.ts';
import { SyncPageError } from './paginate.ts';

/** The run was cancelled (through the API) while it ran. */
export class SyncCancelledError extends Error {
  constructor() {
    super('the run was cancelled');
    this.name = 'SyncCancelledError';
  }
}

/** A record the connector produced does not fit its model's schema. */
export class RecordValidationError extends Error {
  constructor(
    readonly model: string,
    readonly externalId: string,
    readonly problems: string,
  ) {
    super(`record ${externalId} of ${model} does not fit the model's schema: ${problems}`);
    this.name = 'RecordValidationError';
  }
}

export interface ClassifiedError {
  code: string;
  message: string;
  /** Worth another attempt of the run (it resumes from its checkpoint). */
  transient: boolean;
  page: number | null;
}

const TRANSIENT_STATUS = (status: number): boolean => status === 429 || status === 408 || status >= 500;

/** What a failed run's log says, and whether the run should be tried again. */
export function classifyRunError(err: unknown, subject: FailureSubject, page: number | null): ClassifiedError {
  if (err instanceof SyncPageError) {
    if (err.code === 'malformed_page') return { code: 'malformed_page', message: err.message, transient: false, page: err.page };
    const failure = describeFailure(err.cause, subject);
    return { code: failure.code, message: `${err.message}: ${failure.message}`, transient: TRANSIENT_STATUS(failure.status ?? 0), page: err.page };
  }
  if (err instanceof RecordValidationError) return { code: 'invalid_record', message: err.message, transient: false, page };
  if (err instanceof ProviderRequestError) {
    const failure = describeFailure(err, subject);
    return { code: failure.code, message: failure.message, transient: err.kind !== 'aborted', page };
  }
  if (err instanceof ProviderHttpError || err instanceof ProviderFailureError) {
    const failure = describeFailure(err, subject);
    const transient = failure.code === 'rate_limited' || failure.code === 'provider_error' || failure.code === 'timeout';
    return { code: failure.code, message: failure.message, transient, page };
  }
  const failure = describeFailure(err, subject);
  return { code: failure.code, message: failure.message, transient: false, page };
}

export const isShutdown = (reason: unknown): boolean => reason instanceof JobAbortedError;
