/**
 * Contracts later issues implement on the same connector definition: syncs, metrics and inbound
 * webhooks. They are typed here so a connector can declare them today; nothing runs them yet
 * (the syncs runner and the inbound webhooks module will).
 */
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

/** How a provider's inbound webhooks are verified and routed. */
export interface InboundWebhookDefinition {
  /** Verifies the raw request against the source's secrets (constant time, stale timestamps refused). */
  verify(request: InboundWebhookRequest, secrets: readonly string[]): boolean | Promise<boolean>;
  /** The provider's event id (for deduplication), its type, and which connection it concerns. */
  route(request: InboundWebhookRequest): InboundWebhookRoute | Promise<InboundWebhookRoute>;
}

export interface InboundWebhookRequest {
  headers: Readonly<Record<string, string>>;
  rawBody: Buffer;
  receivedAt: Date;
}

export interface InboundWebhookRoute {
  eventId: string;
  eventType: string;
  /** The provider's account id (e.g. a Stripe `acct_…`) used to find the connection. */
  externalAccountId?: string;
  payload?: unknown;
}
