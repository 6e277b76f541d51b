import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  customType,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgSequence,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { createdAt, timestamps } from '../db/columns.ts';
import type { DataStrategy } from '../connectors/index.ts';

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** PostgreSQL's 64-bit transaction id (`pg_current_xact_id()`), read as text. */
const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => 'xid8' });

export type SyncKind = 'records' | 'metrics';
export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export type RunTrigger = 'manual' | 'schedule' | 'webhook' | 'reconcile' | 'rollback';
/** `fetching` until the provider has been read; `deleting` while a full run removes what it did not see. */
export type RunPhase = 'fetching' | 'deleting';

export interface RunError {
  /** The page being read when it failed (1 for the first page of the run). */
  page: number | null;
  code: string;
  message: string;
  at: string;
}

/** One model (or the metrics) of one connection, kept in step on a schedule or on demand. */
export const syncs = pgTable(
  'syncs',
  {
    id: text('id').primaryKey(),
    organizationId: text('organization_id').notNull(),
    environmentId: text('environment_id').notNull(),
    connectionId: text('connection_id').notNull(),
    kind: text('kind').$type<SyncKind>().notNull().default('records'),
    /** The connector's model, or `$metrics`. */
    model: text('model').notNull(),
    /** `every 30m`, `hourly`, `daily`, `real-time`, a cron expression; null: only when triggered. */
    frequency: text('frequency'),
    dataStrategy: text('data_strategy').$type<DataStrategy>().notNull().default('events'),
    shouldBackfill: boolean('should_backfill').notNull().default(true),
    historicalDays: integer('historical_days'),
    enabled: boolean('enabled').notNull().default(true),
    /** Where the next incremental run continues, committed with the records before it. */
    checkpoint: jsonb('checkpoint').$type<unknown>(),
    nextRunAt: at('next_run_at'),
    lastRunId: text('last_run_id'),
    lastRunAt: at('last_run_at'),
    lastStatus: text('last_status').$type<RunStatus>(),
    /** A webhook asked for a run while one was running: run again when it ends. */
    rerunRequested: boolean('rerun_requested').notNull().default(false),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex('syncs_connection_model').on(t.environmentId, t.connectionId, t.model),
    index('syncs_scope').on(t.organizationId, t.environmentId, t.connectionId),
    index('syncs_due').on(t.nextRunAt).where(sql`enabled and next_run_at is not null`),
  ],
);

/** One run of a sync: its progress while it runs, its outcome after. */
export const syncRuns = pgTable(
  'sync_runs',
  {
    id: text('id').primaryKey(),
    organizationId: text('organization_id').notNull(),
    environmentId: text('environment_id').notNull(),
    syncId: text('sync_id').notNull(),
    connectionId: text('connection_id').notNull(),
    model: text('model').notNull(),
    status: text('status').$type<RunStatus>().notNull(),
    trigger: text('trigger').$type<RunTrigger>().notNull(),
    /** Reads everything (first run, snapshot, reconcile) rather than continuing from the checkpoint. */
    full: boolean('full').notNull(),
    phase: text('phase').$type<RunPhase>().notNull().default('fetching'),
    /** The sync's checkpoint when the run started (a rollback puts it back). */
    checkpointBefore: jsonb('checkpoint_before').$type<unknown>(),
    /** This run's own position, for resuming it. */
    checkpoint: jsonb('checkpoint').$type<unknown>(),
    pages: integer('pages').notNull().default(0),
    providerCalls: integer('provider_calls').notNull().default(0),
    added: integer('added').notNull().default(0),
    updated: integer('updated').notNull().default(0),
    deleted: integer('deleted').notNull().default(0),
    unchanged: integer('unchanged').notNull().default(0),
    conflicts: integer('conflicts').notNull().default(0),
    errors: jsonb('errors').$type<RunError[]>().notNull().default([]),
    attempts: integer('attempts').notNull().default(0),
    /** A rollback run names the run it reverts. */
    revertsRunId: text('reverts_run_id'),
    /** Set on a run that was reverted, to the rollback run. */
    rolledBackBy: text('rolled_back_by'),
    /** When retention pruned versions this run replaced: it can no longer be rolled back. */
    versionsPrunedAt: at('versions_pruned_at'),
    cancelRequestedAt: at('cancel_requested_at'),
    startedAt: at('started_at'),
    finishedAt: at('finished_at'),
    ...timestamps(),
  },
  (t) => [
    // One run per connection and model at a time.
    uniqueIndex('sync_runs_one_active').on(t.syncId).where(sql`status in ('queued', 'running')`),
    index('sync_runs_sync').on(t.syncId, t.id),
    index('sync_runs_scope').on(t.organizationId, t.environmentId, t.id),
    index('sync_runs_connection_active').on(t.environmentId, t.connectionId).where(sql`status in ('queued', 'running')`),
  ],
);

export type ChangeType = 'ADDED' | 'UPDATED' | 'DELETED';
export type LocalChanges = Record<string, { value: unknown; base: unknown; at: string }>;

/**
 * Change feed order: every change to a record takes the next number. Numbers only order changes
 * within one transaction (the feed orders by transaction first), so each session may cache a
 * block of them.
 */
export const recordChangeSeq = pgSequence('record_change_seq', { cache: 1000 });

/**
 * The current state of every synced record. A change (added, updated, deleted) takes a new
 * `version`, moves the replaced version to `record_versions`, and takes a new feed position
 * (`change_txid`, `change_seq`); an unchanged record (same content hash) keeps all three.
 */
export const records = pgTable(
  'records',
  {
    organizationId: text('organization_id').notNull(),
    environmentId: text('environment_id').notNull(),
    connectionId: text('connection_id').notNull(),
    model: text('model').notNull(),
    externalId: text('external_id').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    /** md5 of the data as the provider last sent it (after mapping): equal means unchanged. */
    hash: text('hash').notNull(),
    version: integer('version').notNull(),
    providerUpdatedAt: at('provider_updated_at'),
    firstSeenAt: at('first_seen_at').notNull(),
    lastSeenAt: at('last_seen_at').notNull(),
    deletedAt: at('deleted_at'),
    createdRunId: text('created_run_id'),
    /** The run (or null: the API) that made the current version. */
    lastRunId: text('last_run_id'),
    /** The last full run that saw it: a full run deletes what it did not see. */
    seenRunId: text('seen_run_id'),
    /** What the current version was, for the change feed. */
    lastChange: text('last_change').$type<ChangeType>().notNull().default('ADDED'),
    /**
     * Patchbay-side edits the provider has not confirmed yet: `{ field: { value, base, at } }`,
     * `base` being the provider's value when the edit was made (a different one later is a conflict).
     */
    localChanges: jsonb('local_changes').$type<LocalChanges>(),
    /** The writing transaction and the change's number: the feed's order. */
    changeTxid: xid8('change_txid').notNull().default(sql`pg_current_xact_id()`),
    changeSeq: bigint('change_seq', { mode: 'number' }).notNull().default(sql`nextval('record_change_seq')`),
  },
  (t) => [
    // Connection ids are unique per environment: the environment leads every key.
    primaryKey({ columns: [t.environmentId, t.connectionId, t.model, t.externalId] }),
    // The feed's order per connection. Keyed by an expression, so that a lookup of records by
    // environment and connection can only use the primary key: with statistics taken before a
    // large first sync, the planner would otherwise take this index and scan it for every row.
    index('records_feed').on(sql`(${t.environmentId} || '/' || ${t.connectionId})`, t.changeTxid, t.changeSeq),
  ],
);

/** Versions of records that were replaced, with the run that replaced them: what rollback restores. */
export const recordVersions = pgTable(
  'record_versions',
  {
    organizationId: text('organization_id').notNull(),
    environmentId: text('environment_id').notNull(),
    connectionId: text('connection_id').notNull(),
    model: text('model').notNull(),
    externalId: text('external_id').notNull(),
    version: integer('version').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    hash: text('hash').notNull(),
    deletedAt: at('deleted_at'),
    /** The run whose change replaced this version; null for a change through the API. */
    replacedByRunId: text('replaced_by_run_id'),
    replacedAt: at('replaced_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.environmentId, t.connectionId, t.model, t.externalId, t.version] }),
    index('record_versions_run').on(t.replacedByRunId),
  ],
);

export type ConflictStrategy = 'last_modified' | 'source_priority' | 'manual_review';
export type Direction = 'import' | 'export' | 'bidirectional';
export type Source = 'provider' | 'patchbay';

/** Declarative field mapping for a model, per integration or per connection (which wins). */
export const mappings = pgTable(
  'mappings',
  {
    id: text('id').primaryKey(),
    organizationId: text('organization_id').notNull(),
    environmentId: text('environment_id').notNull(),
    integrationId: text('integration_id'),
    connectionId: text('connection_id'),
    model: text('model').notNull(),
    /** FieldMapping[] (mapping/types.ts), validated when saved. */
    fields: jsonb('fields').$type<unknown[]>().notNull(),
    conflictStrategy: text('conflict_strategy').$type<ConflictStrategy>().notNull().default('last_modified'),
    /** Who wins under `source_priority` (and per-field rules that name none). */
    sourcePriority: text('source_priority').$type<Source>().notNull().default('provider'),
    /** `{ field, prioritySource, mergeStrategy }[]`. */
    conflictRules: jsonb('conflict_rules').$type<unknown[]>().notNull().default([]),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex('mappings_integration_model').on(t.environmentId, t.integrationId, t.model).where(sql`connection_id is null`),
    uniqueIndex('mappings_connection_model').on(t.environmentId, t.connectionId, t.model).where(sql`connection_id is not null`),
    index('mappings_scope').on(t.organizationId, t.environmentId, t.id),
  ],
);

export type ConflictStatus = 'pending' | 'accepted' | 'rejected';

/** A field both sides changed, held for a person to decide (`manual_review`). */
export const conflicts = pgTable(
  'conflicts',
  {
    id: text('id').primaryKey(),
    organizationId: text('organization_id').notNull(),
    environmentId: text('environment_id').notNull(),
    connectionId: text('connection_id').notNull(),
    model: text('model').notNull(),
    externalId: text('external_id').notNull(),
    field: text('field').notNull(),
    patchbayValue: jsonb('patchbay_value').$type<unknown>(),
    providerValue: jsonb('provider_value').$type<unknown>(),
    patchbayModifiedAt: at('patchbay_modified_at'),
    providerModifiedAt: at('provider_modified_at'),
    runId: text('run_id'),
    status: text('status').$type<ConflictStatus>().notNull().default('pending'),
    resolvedAt: at('resolved_at'),
    resolvedBy: text('resolved_by'),
    createdAt: createdAt(),
  },
  (t) => [
    index('conflicts_scope').on(t.organizationId, t.environmentId, t.status, t.id),
    uniqueIndex('conflicts_pending_field').on(t.environmentId, t.connectionId, t.model, t.externalId, t.field).where(sql`status = 'pending'`),
  ],
);

/** Metric time series: one value per connection, metric, period start and dimensions. */
export const metricPoints = pgTable(
  'metric_points',
  {
    organizationId: text('organization_id').notNull(),
    environmentId: text('environment_id').notNull(),
    connectionId: text('connection_id').notNull(),
    metricId: text('metric_id').notNull(),
    time: at('time').notNull(),
    /** Sorted `k=v` pairs joined by `&` ('' for none): part of the key. */
    dimensionsKey: text('dimensions_key').notNull().default(''),
    dimensions: jsonb('dimensions').$type<Record<string, string>>().notNull().default({}),
    value: doublePrecision('value').notNull(),
    runId: text('run_id'),
  },
  (t) => [primaryKey({ columns: [t.environmentId, t.connectionId, t.metricId, t.time, t.dimensionsKey] })],
);
