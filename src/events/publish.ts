import { and, eq, inArray, sql } from 'drizzle-orm';
import { newId } from '../core/index.ts';
import { rows, type Db } from '../db/index.ts';
import { events } from './schema.ts';

export type Event = typeof events.$inferSelect;

export interface PublishInput {
  organizationId: string;
  environmentId: string;
  type: string;
  data: Record<string, unknown>;
  /** The publisher's idempotency id; a repeat returns the event stored first. */
  externalId?: string | undefined;
  occurredAt?: Date | undefined;
  channels?: string[] | undefined;
  schemaVersion?: number | undefined;
  origin?: string | undefined;
}

export interface PublishResult {
  event: Event;
  /** False when `externalId` matched an event published before. */
  created: boolean;
}

/**
 * Consumers that must act in the publishing transaction (outbound fan-out, for one) register
 * here, by name, once per process. `events` itself knows none of them.
 */
export type EventListener = (tx: Db, event: Event) => Promise<void>;
const listeners = new Map<string, EventListener>();

export function onEventPublished(name: string, listener: EventListener): void {
  listeners.set(name, listener);
}

/**
 * The same hook for consumers that work set-wise: called once per `publish` (with one event) and
 * once per `publishMany` (with every event it stored), so a batch of 1,000 costs them one round
 * of statements instead of 1,000.
 */
export type EventBatchListener = (tx: Db, events: Event[]) => Promise<void>;
const batchListeners = new Map<string, EventBatchListener>();

export function onEventsPublished(name: string, listener: EventBatchListener): void {
  batchListeners.set(name, listener);
}

async function notify(tx: Db, stored: Event[]): Promise<void> {
  if (stored.length === 0) return;
  for (const event of stored) for (const listener of listeners.values()) await listener(tx, event);
  for (const listener of batchListeners.values()) await listener(tx, stored);
}

/**
 * Stores an event in the caller's transaction and runs the in-transaction listeners, so the
 * event and everything it causes commit (or roll back) together.
 *
 * @example
 * await db.transaction(async (tx) => {
 *   await tx.insert(connections).values(row);
 *   await publish(tx, { organizationId, environmentId, type: 'connection.created', data: { connectionId } });
 * });
 */
export async function publish(tx: Db, input: PublishInput): Promise<PublishResult> {
  const row = toRow(input);
  const inserted = await tx.insert(events).values(row).onConflictDoNothing().returning();
  const event = inserted[0];
  if (!event) {
    const [first] = await tx
      .select()
      .from(events)
      .where(and(eq(events.environmentId, input.environmentId), eq(events.externalId, input.externalId ?? '')));
    if (!first) throw new Error(`event ${input.externalId} conflicted but could not be read back`);
    return { event: first, created: false };
  }
  await notify(tx, [event]);
  return { event, created: true };
}

interface EventRow {
  id: string;
  organization_id: string;
  environment_id: string;
  type: string;
  schema_version: number;
  data: Record<string, unknown>;
  external_id: string | null;
  channels: string[];
  origin: string;
  occurred_at: Date | string;
  created_at: Date | string;
}

const fromRow = (r: EventRow): Event => ({
  id: r.id,
  organizationId: r.organization_id,
  environmentId: r.environment_id,
  type: r.type,
  schemaVersion: r.schema_version,
  data: r.data,
  externalId: r.external_id,
  channels: r.channels,
  origin: r.origin,
  occurredAt: new Date(r.occurred_at),
  createdAt: new Date(r.created_at),
});

function toRow(input: PublishInput) {
  return {
    id: newId('evt'),
    organizationId: input.organizationId,
    environmentId: input.environmentId,
    type: input.type,
    data: input.data,
    externalId: input.externalId ?? null,
    channels: input.channels ?? [],
    schemaVersion: input.schemaVersion ?? 1,
    origin: input.origin ?? 'system',
    occurredAt: input.occurredAt ?? new Date(),
  };
}

/**
 * `publish` for many events in one statement (all in the caller's transaction); results in input
 * order. An `externalId` seen before — or earlier in the same call — returns the event stored first.
 */
export async function publishMany(tx: Db, inputs: readonly PublishInput[]): Promise<PublishResult[]> {
  if (inputs.length === 0) return [];
  const prepared = inputs.map(toRow);
  // One JSON parameter instead of ten per row: a batch of 1,000 is one small statement to plan.
  const values = prepared.map((r) => ({
    id: r.id,
    organization_id: r.organizationId,
    environment_id: r.environmentId,
    type: r.type,
    schema_version: r.schemaVersion,
    data: r.data,
    external_id: r.externalId,
    channels: r.channels,
    origin: r.origin,
    occurred_at: r.occurredAt.toISOString(),
  }));
  const inserted = (
    await rows<EventRow>(tx, sql`insert into ${events} (id, organization_id, environment_id, type, schema_version, data, external_id, channels, origin, occurred_at)
      select id, organization_id, environment_id, type, schema_version, data, external_id, channels, origin, occurred_at
      from jsonb_to_recordset(${JSON.stringify(values)}::jsonb) as e(id text, organization_id text, environment_id text, type text,
        schema_version int, data jsonb, external_id text, channels jsonb, origin text, occurred_at timestamptz)
      on conflict do nothing
      returning id, organization_id, environment_id, type, schema_version, data, external_id, channels, origin, occurred_at, created_at`)
  ).map(fromRow);
  const byId = new Map(inserted.map((e) => [e.id, e]));
  const results: (PublishResult | undefined)[] = prepared.map((row) => {
    const event = byId.get(row.id);
    return event ? { event, created: true } : undefined;
  });
  const missing = prepared.filter((_, i) => !results[i]);
  if (missing.length > 0) {
    // Conflicts are on (environment, externalId): read the first events back, per environment.
    const firsts = new Map<string, Event>();
    for (const environmentId of new Set(missing.map((r) => r.environmentId))) {
      const ids = missing.filter((r) => r.environmentId === environmentId).map((r) => r.externalId!);
      for (const e of await tx.select().from(events).where(and(eq(events.environmentId, environmentId), inArray(events.externalId, ids)))) {
        firsts.set(`${environmentId}\u0000${e.externalId}`, e);
      }
    }
    prepared.forEach((row, i) => {
      if (results[i]) return;
      const first = firsts.get(`${row.environmentId}\u0000${row.externalId}`);
      if (!first) throw new Error(`event ${row.externalId} conflicted but could not be read back`);
      results[i] = { event: first, created: false };
    });
  }
  await notify(tx, inserted);
  return results as PublishResult[];
}
