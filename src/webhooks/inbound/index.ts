export { createInbound, PRUNE_JOB, type Inbound, type InboundOptions } from './inbound.ts';
export { Ingestor, MAX_INGEST_BODY_BYTES, unverified, jsonPointer, type IngestRequest, type IngestReply } from './ingest.ts';
export { createSource, getSource, listSources, updateSource, deleteSource, newSourceId, type Scope, type SourceInput } from './sources.ts';
export { listInboundEvents, getInboundEvent, reprocessInboundEvent, reprocessInboundEvents, REPROCESSABLE, type InboundEventQuery } from './events.ts';
export { filterErrors } from './filters.ts';
export { inboundLoopGuard, type LoopGuardOptions } from './loop-guard.ts';
export { verificationErrors, sourceVerification, isUnverified, isProductionEnvironment, isCredentialHeader, presetVerification, type PresetVerification, type VerificationChoice } from './verification.ts';
export { parseCidr, ipAllowed, verifyGeneric } from './generic.ts';
export { createProcessor, mapEventType, PROCESS_MAX_ATTEMPTS, type ConnectionLookup, type SyncTrigger } from './process.ts';
export { PROCESS_JOB, DISPATCH_JOB, dispatchBatch, pruneDedupe, pruneInboundEvents } from './store.ts';
export { readBody, bodySizeOf, BODY_OBJECT_BYTES } from './body-objects.ts';
export {
  sources,
  inboundEvents,
  inboundDedupe,
  INBOUND_STATUSES,
  type InboundStatus,
  type InboundEvent,
  type Source,
  type SourceAction,
  type SourceFilter,
  type SourceResponse,
  type GenericVerification,
} from './schema.ts';
