export { createSyncEngine, RUN_MAX_ATTEMPTS, SYNC_TICK_JOB, type SyncEngine, type SyncEngineOptions, type SyncServices } from './engine.ts';
export { noConnections, cachingResolver, type ConnectionResolver, type ResolvedConnection, type ConnectionStatus, type Scope } from './connections.ts';
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
export { latestRun, type RunProgress } from './latest-run.ts';
export { executeRun, type RunnerDeps, type AttemptInfo } from './runner/run.ts';
export { SyncPageError } from './runner/paginate.ts';
export { readChanges, encodeFeedCursor, decodeFeedCursor, FeedCursorError, type Change, type ChangePage } from './records/feed.ts';
export { saveRecords, deleteRecords, lockRecords, type RecordTarget, type IncomingRecord } from './records/store.ts';
export { syncs, syncRuns, records, recordVersions, mappings, conflicts, metricPoints } from './schema.ts';
export type { RunStatus, RunTrigger, RunError, ChangeType, ConflictStrategy, Direction, Source } from './schema.ts';
export { rollbackRun, RollbackError } from './rollback.ts';
export { pruneRecordVersions, PRUNE_RECORD_VERSIONS_JOB, type VersionPruneReport } from './prune.ts';
export { getRecord, listVersions, updateRecord, type StoredRecord, type RecordVersion, type UpdateResult } from './records/records.ts';
export { createMapping, updateMapping, deleteMapping, getMapping, listMappings, mappingFor, type Mapping, type MappingInput } from './mapping/store.ts';
export { validateMapping } from './mapping/validate.ts';
export { importRecord, exportChanges, MappingValueError } from './mapping/apply.ts';
export { previewMapping, sampleRecords, type PreviewItem } from './mapping/preview.ts';
export { FieldMappingSchema, ConflictRuleSchema, TransformSchema, DirectionSchema, type FieldMapping, type ConflictRule, type Transform } from './mapping/types.ts';
export { listConflicts, getConflict, resolveConflict, ConflictStateError, EXPORT_JOB, type Conflict } from './conflicts.ts';
export { exportRecord, ExportError, type ExportPayload } from './export.ts';
export { collectMetrics, readSeries, type Rollup, type SeriesPoint } from './metrics.ts';
export { providerContext } from './provider.ts';
export type { LocalChanges, SyncKind } from './schema.ts';
