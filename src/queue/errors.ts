export type AbortReason = 'shutdown' | 'lease-lost' | 'timeout';

/** The reason a running job's `signal` was aborted. */
export class JobAbortedError extends Error {
  constructor(
    readonly reason: AbortReason,
    message: string,
  ) {
    super(message);
    this.name = 'JobAbortedError';
  }
}
