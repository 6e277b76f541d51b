/**
 * Contracts later issues implement on the same connector definition: syncs, metrics and inbound
 * webhooks. They are typed here so a connector can declare them; the syncs runner and the
 * inbound webhooks module (src/webhooks/inbound) run them.
 */
import type { Logger } from '../core/index.ts';
import type { ConnectorContext, ConfigRecord } from './sdk.ts';

/** One synced model (contacts, charges…), pulled from or pushed to the provider. */
export interface SyncDefinition<Config = ConfigRecord> {
  /** Record model name, e.g. `contact`. */
  model: string;
  description?: string;
  /** `every 1h` or a cron expression; absent means it runs only when triggered. */
  schedule?: string;
  /** Default `pull` (provider → Patchbay). */
  direction?: 'pull' | 'push';
  run(ctx: SyncContext<Config>): Promise<void>;
}

export interface SyncContext<Config = ConfigRecord> extends ConnectorContext<Config> {
  /** Where the previous run stopped (a cursor, an `updatedAt`), saved with the run. */
  readonly checkpoint: {
    get<T = unknown>(): Promise<T | undefined>;
    set(value: unknown): Promise<void>;
  };
  readonly records: {
    upsert(records: readonly SyncRecord[]): Promise<void>;
    remove(externalIds: readonly string[]): Promise<void>;
  };
  /** Aborted when the run is cancelled or its lease is lost. */
  readonly signal: AbortSignal;
}

export interface SyncRecord {
  externalId: string;
  data: Readonly<Record<string, unknown>>;
  /** The provider's modification time (ISO 8601), used for conflicts. */
  updatedAt?: string;
}

/** A number collected from the provider on a schedule (MRR, open incidents…). */
export interface MetricDefinition<Config = ConfigRecord> {
  key: string;
  name: string;
  unit?: string;
  kind: 'gauge' | 'counter';
  collect(ctx: ConnectorContext<Config>): Promise<MetricSample | readonly MetricSample[]>;
}

export interface MetricSample {
  value: number;
  /** ISO 8601; defaults to collection time. */
  at?: string;
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
