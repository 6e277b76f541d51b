export { createSyncEngine, RUN_MAX_ATTEMPTS, SYNC_TICK_JOB, type SyncEngine, type SyncEngineOptions } from './engine.ts';
export { noConnections, type ConnectionResolver, type ResolvedConnection, type ConnectionStatus, type Scope } from './connections.ts';
export {
  configureSync,
  getSync,
  listSyncs,
  triggerSync,
  triggerFromWebhook,
  getRun,
  listRuns,
  cancelRun,
  runDueSyncs,
  SYNC_RUN_JOB,
  METRICS_MODEL,
  type Sync,
  type SyncRun,
  type SyncSettings,
} from './syncs.ts';
export { checkFrequency, nextRunAt, isRealTime, FrequencyError } from './schedule.ts';
export { executeRun, type RunnerDeps, type AttemptInfo } from './runner/run.ts';
export { SyncPageError } from './runner/paginate.ts';
export { readChanges, encodeFeedCursor, decodeFeedCursor, FeedCursorError, type Change, type ChangePage } from './records/feed.ts';
export { saveRecords, deleteRecords, lockRecords, type RecordTarget, type IncomingRecord } from './records/store.ts';
export { syncs, syncRuns, records, recordVersions, mappings, conflicts, metricPoints } from './schema.ts';
export type { RunStatus, RunTrigger, RunError, ChangeType, ConflictStrategy, Direction, Source } from './schema.ts';
