import { sql } from 'drizzle-orm';
import { pgTable, text, integer, jsonb, timestamp, index, primaryKey, customType, uniqueIndex } from 'drizzle-orm/pg-core';
import { bytea, timestamps } from '../../db/columns.ts';
import { tenantColumns } from '../../auth/schema.ts';

export const INBOUND_STATUSES = ['received', 'rejected', 'duplicate', 'processing', 'processed', 'failed'] as const;
export type InboundStatus = (typeof INBOUND_STATUSES)[number];

/** How a generic source checks requests (presets verify in their connector file instead). */
export type GenericVerification =
  | {
      type: 'hmac';
      header: string;
      algorithm: 'sha1' | 'sha256' | 'sha512';
      encoding: 'hex' | 'base64';
      prefix?: string;
      template?: string;
      timestampHeader?: string;
      timestampUnit?: 'seconds' | 'milliseconds' | 'iso';
    }
  | { type: 'basic'; username: string }
  | { type: 'header'; header: string; scheme?: string }
  | { type: 'none' };

/** What a processed event does; filters may pick another action per event. */
export type SourceAction = { type: 'forward'; eventType?: string; eventTypes?: Record<string, string> } | { type: 'sync'; model?: string } | { type: 'handler' } | { type: 'none' };

export interface SourceFilter {
  /** A MongoDB-style query over `{ type, payload, headers, externalAccountId, connectionId }`. */
  match: Record<string, unknown>;
  /** `drop` ends processing; an action replaces the source's. */
  then: 'drop' | SourceAction;
}

export interface SourceResponse {
  status: number;
  body?: string;
  contentType?: string;
}

/**
 * An inbound URL (`/webhooks/in/{id}`) for one provider preset (a connector key) or a generic
 * configuration, in one environment. Its signing secrets live in the vault (owner `source`).
 */
export const sources = pgTable(
  'inbound_sources',
  {
    id: text('id').primaryKey(),
    ...tenantColumns(),
    name: text('name').notNull(),
    /** A connector with a `webhooks` extension, or null for a generic source. */
    connectorKey: text('connector_key'),
    integrationId: text('integration_id'),
    verification: jsonb('verification').$type<GenericVerification>().notNull().default({ type: 'none' }),
    settings: jsonb('settings').$type<Record<string, string>>().notNull().default({}),
    allowedIps: jsonb('allowed_ips').$type<string[]>().notNull().default([]),
    toleranceSeconds: integer('tolerance_seconds').notNull().default(300),
    allowedMethods: jsonb('allowed_methods').$type<string[]>().notNull().default(['POST']),
    maxBodyBytes: integer('max_body_bytes')
      .notNull()
      .default(10 * 1024 * 1024),
    response: jsonb('response').$type<SourceResponse>().notNull().default({ status: 200 }),
    dedupeWindowSeconds: integer('dedupe_window_seconds')
      .notNull()
      .default(7 * 24 * 3600),
    /** Generic sources: where the sender puts its event id. */
    eventIdHeader: text('event_id_header'),
    eventIdPointer: text('event_id_pointer'),
    action: jsonb('action').$type<SourceAction>().notNull().default({ type: 'forward' }),
    filters: jsonb('filters').$type<SourceFilter[]>().notNull().default([]),
    /** How many secrets are held (the values are in the vault). */
    secretCount: integer('secret_count').notNull().default(0),
    disabledAt: timestamp('disabled_at', { withTimezone: true, mode: 'date' }),
    ...timestamps(),
  },
  (t) => [index('inbound_sources_env').on(t.organizationId, t.environmentId, t.id)],
);

/** A PostgreSQL object id (here: of a large object), as a number. */
const oid = customType<{ data: number; driverData: number | string }>({ dataType: () => 'oid', fromDriver: (value) => Number(value) });

/**
 * Every request a source received, stored before it is acknowledged: the raw bytes, what we made
 * of them, and how processing went.
 */
export const inboundEvents = pgTable(
  'inbound_events',
  {
    id: text('id').primaryKey(),
    organizationId: text('organization_id').notNull(),
    environmentId: text('environment_id').notNull(),
    sourceId: text('source_id')
      .notNull()
      .references(() => sources.id, { onDelete: 'cascade' }),
    status: text('status').$type<InboundStatus>().notNull(),
    method: text('method').notNull(),
    path: text('path').notNull(),
    query: text('query').notNull().default(''),
    /** Lower-case names; credentials (authorization, cookies, a source's key header) are redacted. */
    headers: jsonb('headers').$type<Record<string, string>>().notNull(),
    /** Empty when the body is held in a large object (see body-objects.ts). */
    body: bytea('body').notNull(),
    /** The large object holding a large body on the embedded database; it is unlinked with the row. */
    bodyObject: oid('body_object'),
    /** The body's length when it is in a large object. */
    bodySize: integer('body_size'),
    remoteIp: text('remote_ip'),
    receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date' }).notNull(),
    /** `null` when verified; otherwise why it was rejected. */
    rejectionReason: text('rejection_reason'),
    providerEventId: text('provider_event_id'),
    /**
     * Set while this event holds its source's claim on `providerEventId`: until then a repeat is a
     * duplicate of it (store.ts). Cleared when a later event takes over a claim whose window ended.
     */
    dedupeExpiresAt: timestamp('dedupe_expires_at', { withTimezone: true, mode: 'date' }),
    duplicateOf: text('duplicate_of'),
    eventType: text('event_type'),
    connectionId: text('connection_id'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    processingMs: integer('processing_ms'),
    processedAt: timestamp('processed_at', { withTimezone: true, mode: 'date' }),
    /** What processing did: forwarded event id, dropped by a filter, sync triggered… */
    outcome: jsonb('outcome').$type<Record<string, unknown>>(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    index('inbound_events_env').on(t.organizationId, t.environmentId, t.id),
    index('inbound_events_source').on(t.sourceId, t.id),
    index('inbound_events_status').on(t.organizationId, t.environmentId, t.status, t.id),
    // The deduplication claims, in the event rows themselves: one tuple and one index entry fewer
    // per webhook than a claim row of its own (bench/inbound.bench.ts).
    uniqueIndex('inbound_events_dedupe')
      .on(t.sourceId, t.providerEventId)
      .where(sql`dedupe_expires_at is not null`),
  ],
);

/**
 * Claims on provider event ids that outlive their event row (deleted by retention or erasure
 * inside its window), until their window ends; claims of events still stored are held by the
 * rows themselves (`inbound_events.dedupe_expires_at`).
 */
export const inboundDedupe = pgTable(
  'inbound_dedupe',
  {
    sourceId: text('source_id').notNull(),
    key: text('key').notNull(),
    eventId: text('event_id').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.sourceId, t.key] }), index('inbound_dedupe_expires').on(t.expiresAt)],
);

export type Source = typeof sources.$inferSelect;
export type InboundEvent = typeof inboundEvents.$inferSelect;
