/** The job types outbound registers with the queue, and how its jobs are keyed. */
import type { JobSpec } from '../../queue/index.ts';

export const DISPATCH_JOB = 'outbound.dispatch';
export const SWEEP_JOB = 'outbound.sweep';
export const PRUNE_JOB = 'outbound.prune';
/** NOTIFY channel that wakes `patchbay listen` streams (payload: the stream endpoint's id). */
export const STREAM_CHANNEL = 'patchbay_outbound_stream';

export interface DispatchPayload {
  endpointId: string;
}

/**
 * A dispatch job for an endpoint. Jobs due now share one key per endpoint, so a burst of events
 * adds one job; a job for later is keyed by its second, so it never hides a job due sooner.
 */
export function dispatchJob(endpoint: { id: string; organizationId: string; environmentId: string }, runAt?: Date): JobSpec<DispatchPayload> {
  return {
    type: DISPATCH_JOB,
    payload: { endpointId: endpoint.id },
    key: runAt ? `${DISPATCH_JOB}:${endpoint.id}@${Math.floor(runAt.getTime() / 1000)}` : `${DISPATCH_JOB}:${endpoint.id}`,
    runAt,
    organizationId: endpoint.organizationId,
    environmentId: endpoint.environmentId,
  };
}
