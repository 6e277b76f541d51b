/**
 * Erasing the events of one end customer (`DELETE /end-customers/{id}`, a data-protection
 * request). An event is theirs when its `data` names them (`endCustomerId`, as every
 * `connection.*` event does) or one of their connections (`connectionId`: syncs, inbound
 * forwards, the publisher's own events) — the connections being erased, and those deleted
 * earlier that one of their `connection.*` events tied to them.
 *
 * Consumers that keep copies of events (outbound messages, their deliveries and attempts)
 * register with `onEventsErased` and erase theirs in the same transaction; `events` knows none
 * of them.
 */
import { sql } from 'drizzle-orm';
import { rows, type Db } from '../db/index.ts';

export interface EventScope {
  organizationId: string;
  environmentId: string;
}

export interface EventsOwner extends EventScope {
  endCustomerId: string;
  /** Their connections known to the caller (erased ones included). */
  connectionIds: readonly string[];
}

/** Erases a consumer's copies of the given events (all of one environment), in the erasing transaction. */
export type EventsErasedListener = (tx: Db, scope: EventScope, eventIds: readonly string[]) => Promise<void>;
const listeners = new Map<string, EventsErasedListener>();

/** Registers (by name, once per process) what a consumer erases when events are erased. */
export function onEventsErased(name: string, listener: EventsErasedListener): void {
  listeners.set(name, listener);
}

/**
 * Deletes every event of one end customer in its environment, then lets the consumers erase
 * their copies; returns how many events went. The environment's events are scanned once (there
 * is no index on `data`): erasure is rare, and a publish pays nothing for it.
 *
 * @example
 * await db.transaction((tx) => eraseEventsOf(tx, { organizationId, environmentId, endCustomerId: 'cust_42', connectionIds: ['conn_…'] }));
 */
export async function eraseEventsOf(tx: Db, owner: EventsOwner): Promise<number> {
  const scope = sql`organization_id = ${owner.organizationId} and environment_id = ${owner.environmentId}`;
  const erased = await rows<{ id: string }>(
    tx,
    sql`with connections as (
        select jsonb_array_elements_text(${JSON.stringify(owner.connectionIds)}::jsonb) as id
        union
        select data->>'connectionId' from events where ${scope} and data->>'endCustomerId' = ${owner.endCustomerId} and data->>'connectionId' is not null
      )
      delete from events where ${scope}
        and (data->>'endCustomerId' = ${owner.endCustomerId} or data->>'connectionId' in (select id from connections))
      returning id`,
  );
  const ids = erased.map((e) => e.id);
  if (ids.length > 0) {
    const { organizationId, environmentId } = owner;
    for (const listener of listeners.values()) await listener(tx, { organizationId, environmentId }, ids);
  }
  return ids.length;
}
