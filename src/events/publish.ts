import { and, eq } from 'drizzle-orm';
import { newId } from '../core/index.ts';
import type { Db } from '../db/index.ts';
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
  const row = {
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
  for (const listener of listeners.values()) await listener(tx, event);
  return { event, created: true };
}
