/**
 * Outbound webhooks: event types, endpoints, messages, one delivery per message and endpoint,
 * and every attempt. The delivery tables are the hot path (a row per message × endpoint, two
 * updates per attempt), so they carry no foreign keys and only partial indexes over the states
 * each query reads; deleting an endpoint or a message deletes its rows explicitly.
 */
import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, timestamps } from '../../db/columns.ts';
import type { TraceContext } from '../../core/tracing.ts';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** A JSON Schema as stored (an object; validated by Ajv when saved). */
export type JsonSchema = Record<string, unknown>;

/** Custom event types of an environment; the built-in ones live in code (event-types.ts). */
export const eventTypes = pgTable(
  'outbound_event_types',
  {
    id: text('id').primaryKey(),
    organizationId: text('organization_id').notNull(),
    environmentId: text('environment_id').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    /** The current version; each schema change adds one. */
    schemaVersion: integer('schema_version').notNull().default(1),
    /** Every version's schema by version number (`{"1": {...}, "2": {...}}`); absent: any object. */
    schemas: jsonb('schemas').$type<Record<string, JsonSchema>>().notNull().default({}),
    example: jsonb('example').$type<Record<string, unknown> | null>(),
    archivedAt: ts('archived_at'),
    ...timestamps(),
  },
  (t) => [uniqueIndex('outbound_event_types_name').on(t.environmentId, t.name), index('outbound_event_types_scope').on(t.organizationId, t.environmentId, t.id)],
);

export type SignatureType = 'v1' | 'v1a';
export type EndpointKind = 'http' | 'stream';
export type BackoffStrategy = 'default' | 'linear' | 'exponential' | 'explicit';

/** Per-endpoint retry policy, in the shape product teams already write (`retryDelay` in seconds). */
export interface RetryConfig {
  backoffStrategy: BackoffStrategy;
  /** Retries after the first attempt. Default: 7 (the default schedule), or the explicit schedule's length. */
  maxRetries?: number | undefined;
  /** Base delay in seconds for linear (`n · retryDelay`) and exponential (`retryDelay · 2^(n-1)`). */
  retryDelay?: number | undefined;
  /** Explicit delays in seconds, one per retry. */
  schedule?: number[] | undefined;
  /** ±fraction of random spread on every delay; 0.2 by default. */
  jitter?: number | undefined;
}

export const endpoints = pgTable(
  'outbound_endpoints',
  {
    id: text('id').primaryKey(),
    organizationId: text('organization_id').notNull(),
    environmentId: text('environment_id').notNull(),
    /** `http` endpoints are POSTed to; `stream` endpoints are temporary, fed to `patchbay listen` over SSE. */
    kind: text('kind').$type<EndpointKind>().notNull().default('http'),
    url: text('url').notNull(),
    description: text('description').notNull().default(''),
    /** Event type names (a trailing `.*` matches a prefix); null receives every type. */
    eventTypes: jsonb('event_types').$type<string[] | null>(),
    /** Channels this endpoint receives; null receives every message. */
    channels: jsonb('channels').$type<string[] | null>(),
    /** A MongoDB-style query over the event's `data` (see filter.ts for the operators allowed). */
    filter: jsonb('filter').$type<Record<string, unknown> | null>(),
    headers: jsonb('headers').$type<Record<string, string>>().notNull().default({}),
    signatureType: text('signature_type').$type<SignatureType>().notNull().default('v1'),
    /** The vault secret holding the signing keys (current and, during a rotation, previous). */
    secretId: text('secret_id').notNull(),
    /** Bumped on every rotation: workers cache decrypted keys per version. */
    secretVersion: integer('secret_version').notNull().default(1),
    timeoutMs: integer('timeout_ms').notNull().default(10_000),
    /** Messages per second; null: no limit. */
    rateLimit: integer('rate_limit'),
    /** Requests in flight at once, across all workers. */
    maxConcurrency: integer('max_concurrency').notNull().default(20),
    /** Strict ordering: the next message waits until the previous one succeeded or failed for good. */
    fifo: boolean('fifo').notNull().default(false),
    retryConfig: jsonb('retry_config').$type<RetryConfig>().notNull().default({ backoffStrategy: 'default' }),
    enabled: boolean('enabled').notNull().default(true),
    disabledReason: text('disabled_reason'),
    disabledAt: ts('disabled_at'),
    /** Stream endpoints: when their listener last showed it is alive. */
    streamSeenAt: ts('stream_seen_at'),
    /** Made by an automation platform (Zapier, Make) through the REST Hooks API, and removed by it. */
    restHook: boolean('rest_hook').notNull().default(false),
    ...timestamps(),
  },
  (t) => [index('outbound_endpoints_scope').on(t.organizationId, t.environmentId, t.id)],
);

/**
 * What delivery changes about an endpoint, kept apart from its configuration. One dispatch run at
 * a time holds the endpoint (`dispatcher_id` until `dispatcher_until`), so its concurrency cap,
 * rate limit and FIFO order are kept by that one process, exactly, without locks per claim.
 */
export const endpointState = pgTable('outbound_endpoint_state', {
  endpointId: text('endpoint_id').primaryKey(),
  /** The dispatch run holding the endpoint, and until when (a dead worker's hold expires). */
  dispatcherId: text('dispatcher_id'),
  dispatcherUntil: ts('dispatcher_until'),
  /** The first failure after the last success; null while the endpoint succeeds. */
  failingSince: ts('failing_since'),
  /** No attempt before this instant (a `Retry-After` from the endpoint). */
  pausedUntil: ts('paused_until'),
  /** Rate limit: a one-second window and the claims made in it. */
  windowStart: ts('window_start'),
  windowCount: integer('window_count').notNull().default(0),
});

/** One per published event: the exact body sent (the signed bytes), until retention prunes it. */
export const messages = pgTable(
  'outbound_messages',
  {
    id: text('id').primaryKey(),
    organizationId: text('organization_id').notNull(),
    environmentId: text('environment_id').notNull(),
    /** The `events` row this message carries. */
    eventId: text('event_id').notNull(),
    /** The publisher's idempotency id (`eventId` in the API), if any. */
    externalId: text('external_id'),
    eventType: text('event_type').notNull(),
    schemaVersion: integer('schema_version').notNull(),
    channels: jsonb('channels').$type<string[]>().notNull().default([]),
    /** The envelope JSON exactly as signed and sent; null once pruned. */
    payload: text('payload'),
    occurredAt: ts('occurred_at').notNull(),
    createdAt: ts('created_at').notNull(),
    prunedAt: ts('pruned_at'),
    /** The W3C trace context of the publish (tracing on): each delivery attempt joins that trace. */
    traceContext: jsonb('trace_context').$type<TraceContext>(),
  },
  (t) => [
    uniqueIndex('outbound_messages_event').on(t.eventId),
    index('outbound_messages_scope').on(t.organizationId, t.environmentId, t.id),
    // Retention: payloads not yet pruned, oldest first.
    index('outbound_messages_prune').on(t.createdAt).where(sql`payload is not null`),
  ],
);

export type DeliveryState = 'pending' | 'delivering' | 'succeeded' | 'failed';
export const DELIVERY_STATES: readonly DeliveryState[] = ['pending', 'delivering', 'succeeded', 'failed'];

/** A message on its way to one endpoint. `failed` is the dead letter. */
export const deliveries = pgTable(
  'outbound_deliveries',
  {
    messageId: text('message_id').notNull(),
    endpointId: text('endpoint_id').notNull(),
    organizationId: text('organization_id').notNull(),
    environmentId: text('environment_id').notNull(),
    state: text('state').$type<DeliveryState>().notNull().default('pending'),
    /** Attempts claimed so far (counted at claim, like the job queue). */
    attempts: integer('attempts').notNull().default(0),
    /** `attempts` when the current retry schedule began (a resend starts a fresh schedule). */
    scheduleStart: integer('schedule_start').notNull().default(0),
    /** The endpoint's FIFO setting, copied here so only FIFO deliveries pay for the FIFO index. */
    fifo: boolean('fifo').notNull().default(false),
    /** What started the current schedule: `event`, `resend`, `recover`, `retry`, `test`. */
    trigger: text('trigger').notNull().default('event'),
    nextAttemptAt: ts('next_attempt_at'),
    /** The claim's lease while `delivering`: past it, another worker may take the delivery. */
    lockedUntil: ts('locked_until'),
    lastAttemptAt: ts('last_attempt_at'),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.messageId, t.endpointId] }),
    // The claim: due deliveries of one endpoint, oldest due first — in index order, so a claim
    // reads only the rows it takes (message_id breaks ties of a batch published together).
    index('outbound_deliveries_due').on(t.endpointId, t.nextAttemptAt, t.messageId).where(sql`state = 'pending'`),
    // In flight per endpoint (the concurrency cap) and expired leases.
    index('outbound_deliveries_inflight').on(t.endpointId, t.lockedUntil).where(sql`state = 'delivering'`),
    // FIFO endpoints: the oldest unfinished message.
    index('outbound_deliveries_fifo').on(t.endpointId, t.messageId).where(sql`fifo and state in ('pending', 'delivering')`),
    // Dead letters by environment and endpoint (list, bulk retry, recover).
    index('outbound_deliveries_dead').on(t.organizationId, t.environmentId, t.endpointId, t.messageId).where(sql`state = 'failed'`),
  ],
);

export type ErrorClass = 'http_status' | 'redirect' | 'timeout' | 'connection' | 'tls' | 'ssrf' | 'circuit_open' | 'gone' | 'internal';

/** Every HTTP try, kept: the operator's delivery log. */
export const attempts = pgTable(
  'outbound_attempts',
  {
    /** `att_…`: how the API names an attempt (the key is message, endpoint and attempt number). */
    id: text('id').notNull(),
    organizationId: text('organization_id').notNull(),
    environmentId: text('environment_id').notNull(),
    messageId: text('message_id').notNull(),
    endpointId: text('endpoint_id').notNull(),
    /** 1 for the first attempt of this message at this endpoint. */
    attempt: integer('attempt').notNull(),
    trigger: text('trigger').notNull(),
    startedAt: ts('started_at').notNull(),
    durationMs: integer('duration_ms').notNull(),
    succeeded: boolean('succeeded').notNull(),
    statusCode: integer('status_code'),
    responseHeaders: jsonb('response_headers').$type<Record<string, string> | null>(),
    /** The first 4 KiB of the response body; null once pruned. */
    responseBody: text('response_body'),
    errorClass: text('error_class').$type<ErrorClass | null>(),
    error: text('error'),
    /** When the next attempt is due; null after a success or the last failure. */
    nextAttemptAt: ts('next_attempt_at'),
    createdAt: createdAt(),
  },
  (t) => [
    // An attempt's number is unique per message and endpoint (counted at claim): the natural key,
    // which also lists a message's attempts — one index fewer to write per attempt.
    primaryKey({ columns: [t.messageId, t.endpointId, t.attempt] }),
    // Statistics and retention, per endpoint.
    index('outbound_attempts_endpoint').on(t.endpointId, t.startedAt),
  ],
);

export type EventTypeRow = typeof eventTypes.$inferSelect;
export type EndpointRow = typeof endpoints.$inferSelect;
export type MessageRow = typeof messages.$inferSelect;
export type DeliveryRow = typeof deliveries.$inferSelect;
export type AttemptRow = typeof attempts.$inferSelect;
