/**
 * Contracts on the connector definition that other modules run: syncs and metrics (the syncs
 * module runs them) and inbound webhooks (the inbound module, src/webhooks/inbound). A connector
 * only declares them; it acts through the context it is handed.
 */
import type { Logger } from '../core/index.ts';
import type { TSchema } from 'typebox';
import type { ProviderRequest } from '../proxy/index.ts';
import type { ConnectorContext, ConfigRecord } from './sdk.ts';

/**
 * How a sync finds changes: `snapshot` reads everything each run and finds deletions by
 * difference; `events` continues from the checkpoint (deletions come from the provider);
 * `hybrid` runs small incremental syncs (webhook-triggered or scheduled) and a scheduled full
 * reconcile that repairs drift.
 */
export type DataStrategy = 'snapshot' | 'events' | 'hybrid';
export const DATA_STRATEGIES: readonly DataStrategy[] = ['snapshot', 'events', 'hybrid'];

/** One synced model (contacts, charges…), read from the provider into Patchbay's records. */
export interface SyncDefinition<Config = ConfigRecord> {
  /** Record model name, e.g. `contact`. Unique within the connector. */
  model: string;
  description?: string;
  /** JSON Schema (TypeBox) of a record's `data`; every saved record is checked against it. */
  schema: TSchema;
  /** Default schedule: `every 30m`, `hourly`, `daily`, `real-time` or a cron expression; absent: only when triggered. */
  frequency?: string;
  /** Default `events`. */
  dataStrategy?: DataStrategy;
  /**
   * Reads records: pages through the provider with `ctx.paginate`, saves each page with
   * `ctx.batchSave` and then its position with `ctx.checkpoint.save` — a run that dies resumes
   * from the last position saved.
   */
  exec(ctx: SyncContext<Config>): Promise<void>;
  /** Writes changed fields of one record back to the provider (export); absent: read-only model. */
  update?(ctx: ConnectorContext<Config>, change: RecordUpdate): Promise<void>;
}

export interface SyncContext<Config = ConfigRecord> extends ConnectorContext<Config> {
  readonly model: string;
  /**
   * True when this run reads everything: the first run, every snapshot run, a reconcile. The
   * checkpoint then holds only this run's own progress (for resuming it), never an older run's.
   */
  readonly full: boolean;
  /**
   * With no checkpoint to continue from: the oldest modification wanted — `historicalDays` back,
   * or the sync's creation when it does not backfill. Undefined: everything.
   */
  readonly since: Date | undefined;
  readonly checkpoint: {
    get<T = unknown>(): Promise<T | undefined>;
    /** Commits with the records saved before it, in one transaction. */
    save(value: unknown): Promise<void>;
  };
  /** Saves records (they commit with the next checkpoint, at least 1,000 at a time). */
  batchSave(records: readonly SyncRecord[]): Promise<void>;
  /** Marks records deleted at the provider. */
  batchDelete(externalIds: readonly string[]): Promise<void>;
  log(message: string, details?: Record<string, unknown>): void;
  /**
   * Pages through a list: each page's items, its number, and the position after it (save that
   * as the checkpoint; pass it back as `start` to resume). A page that is not the shape said
   * fails the run, naming the page.
   */
  paginate<T = unknown>(request: ProviderRequest, options: Pagination): AsyncGenerator<Page<T>>;
  /**
   * Counts one page read without `paginate` (a database query, a file) in the run's progress;
   * `paginate` counts its own pages.
   */
  countPage?(): void;
  /** Aborted when the run is cancelled or its worker stops. */
  readonly signal: AbortSignal;
}

/** A position in a list, as saved in a checkpoint: a cursor, an offset, a page number or a URL. */
export type PagePosition = string | number;

/** How a list pages. `results` is the dotted path of the items in the body (`''`: the body). */
export type Pagination =
  /** The next cursor is in the body at `cursorPath`; it goes back as `cursorParam` (query, or JSON body for POSTs). */
  | { type: 'cursor'; results: string; cursorPath: string; cursorParam: string; in?: 'query' | 'body'; start?: PagePosition | undefined }
  /** `offsetParam` grows by the items received; done when `morePath` is false (or a page is short). */
  | { type: 'offset'; results: string; offsetParam: string; limitParam: string; limit: number; morePath?: string; start?: PagePosition | undefined }
  /** Numbered pages from `first` (default 1); done on a short or empty page. */
  | { type: 'page'; results: string; pageParam: string; limitParam: string; limit: number; first?: number; start?: PagePosition | undefined }
  /** The last item's `idField` goes back as `param` while `morePath` is true (Stripe's `starting_after` and `has_more`). */
  | { type: 'last-id'; results: string; idField: string; param: string; morePath: string; start?: PagePosition | undefined }
  /** RFC 8288 `Link: <…>; rel="next"` headers (GitHub, Okta). */
  | { type: 'link'; results: string; start?: PagePosition | undefined }
  /** A URL or path of the next page in the body (Salesforce `nextRecordsUrl`); done when absent. */
  | { type: 'next-url'; results: string; nextPath: string; start?: PagePosition | undefined };

export interface Page<T> {
  items: T[];
  /** 1 for the first page of this call. */
  number: number;
  /** Where the next page starts; undefined after the last. */
  next: PagePosition | undefined;
}

export interface SyncRecord {
  externalId: string;
  data: Readonly<Record<string, unknown>>;
  /** The provider's modification time (ISO 8601), used for conflicts. */
  updatedAt?: string | undefined;
}

/** Fields of one record to write back, by their provider names. */
export interface RecordUpdate {
  externalId: string;
  changes: Readonly<Record<string, unknown>>;
}

/**
 * Something a connector does on request, beyond HTTP passthrough: send an email over SMTP. The
 * `actions` capability. Its input is checked against `input` before `run` is called.
 */
export interface ActionDefinition<Config = ConfigRecord> {
  description: string;
  /** JSON Schema (TypeBox) of the input. */
  input: TSchema;
  /** Does it; what it returns is JSON-safe (e.g. the provider's message id). Failures throw as in `testConnection`. */
  run(ctx: ConnectorContext<Config>, input: Record<string, unknown>): Promise<Record<string, unknown>>;
}

/** A number a connector can report over time (MRR, incidents opened…). */
export interface MetricDefinition {
  id: string;
  name: string;
  unit?: string;
  description?: string;
  /** How points combine in a rollup (a day into a week): `sum` for flows, `last` for levels. */
  aggregation: 'sum' | 'avg' | 'min' | 'max' | 'last';
}

export interface MetricQuery {
  metricIds: readonly string[];
  startDate: Date;
  endDate: Date;
}

export interface MetricPoint {
  metricId: string;
  /** ISO 8601: the start of the period the value is for. */
  time: string;
  value: number;
  dimensions?: Readonly<Record<string, string>>;
}

/**
 * How a provider's inbound webhooks are verified, identified and routed. The inbound webhooks
 * module calls these on the raw request; helpers for the usual schemes are in
 * `webhook-verification.ts`.
 */
export interface InboundWebhookDefinition {
  /**
   * Verifies the raw request against the source's secrets (several during a rotation), in
   * constant time, refusing timestamps older than `options.toleranceSeconds`.
   */
  verify(request: InboundWebhookRequest, secrets: readonly string[], options: VerifyOptions): VerifyResult | Promise<VerifyResult>;
  /** The provider's own id of this delivery, for deduplication (a header or a body field). */
  eventId(request: InboundWebhookRequest): string | undefined;
  /** The event's type and the provider account it concerns (to find the connection). */
  route(request: InboundWebhookRequest): InboundWebhookRoute | Promise<InboundWebhookRoute>;
  /**
   * A provider's set-up handshake (Slack's `url_verification`, Okta's one-time challenge): the
   * answer to give, or undefined for an ordinary delivery. Runs after `verify` succeeded.
   */
  handshake?(request: InboundWebhookRequest): InboundWebhookReply | undefined;
  /** Methods besides POST the provider uses (Okta verifies with a GET). */
  methods?: readonly string[];
  /** Runs the connector's own handling of a routed event (the source's `handler` action). */
  handle?(event: InboundWebhookEvent, ctx: InboundHandlerContext): Promise<void>;
}

export interface InboundWebhookRequest {
  method: string;
  /** The URL the provider called, as it saw it: the hub's public URL, path and query. */
  url: string;
  /** Header names in lower case; a repeated header's values joined with `, `. */
  headers: Readonly<Record<string, string>>;
  rawBody: Buffer;
  receivedAt: Date;
}

export interface VerifyOptions {
  /** Refuse signatures whose timestamp is further than this from `receivedAt` (300 by default). */
  toleranceSeconds: number;
  /** Per-source settings of the preset (e.g. Okta's authorization header name). */
  settings: Readonly<Record<string, string>>;
}

export type VerifyResult = { ok: true } | { ok: false; reason: string };

export interface InboundWebhookRoute {
  eventType: string;
  /** The provider's account id (e.g. a Stripe `acct_…`, a HubSpot `portalId`) used to find the connection. */
  externalAccountId?: string | undefined;
  /** The parsed body, as filters and forwarding see it. */
  payload: unknown;
}

export interface InboundWebhookReply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface InboundWebhookEvent extends InboundWebhookRoute {
  /** Our inbound event id (`inb_…`). */
  id: string;
  connectionId: string | undefined;
}

export interface InboundHandlerContext {
  logger: Logger;
  /** Publishes an event of ours (forwarded to endpoints by the outbound module). */
  publish(type: string, data: Record<string, unknown>): Promise<void>;
  signal: AbortSignal;
}
