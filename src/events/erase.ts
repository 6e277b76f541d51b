/**
 * Erasing the events of one end customer (`DELETE /end-customers/{id}`, a data-protection
 * request). An event is theirs when its `data` names them (`endCustomerId`, as every
 * `connection.*` event does) or one of their connections (`connectionId`: syncs, inbound
 * forwards, the publisher's own events) — the connections being erased, and those deleted
 * earlier that one of their `connection.*` events tied to them (`formerConnectionsOf`, which
 * other modules' erasers use too, before the events are gone).
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
  /** Every connection of theirs: the ones being erased and those `formerConnectionsOf` found. */
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
 * The connections that events tie to one end customer (a `connection.*` event names both), the
 * ones deleted long ago included: nothing else remembers whose a deleted connection was. Ask
 * before `eraseEventsOf`, which erases those events.
 */
export async function formerConnectionsOf(tx: Db, owner: EventScope & { endCustomerId: string }): Promise<string[]> {
  const found = await rows<{ id: string }>(
    tx,
    sql`select distinct data->>'connectionId' as id from events
      where organization_id = ${owner.organizationId} and environment_id = ${owner.environmentId}
        and data->>'endCustomerId' = ${owner.endCustomerId} and data->>'connectionId' is not null
      order by 1`,
  );
  return found.map((r) => r.id);
}

/**
 * Deletes every event of one end customer in its environment, then lets the consumers erase
 * their copies; returns how many events went. The environment's events are scanned (here and in
 * `formerConnectionsOf`; there is no index on `data`): erasure is rare, and a publish pays
 * nothing for it.
 *
 * @example
 * const former = await formerConnectionsOf(tx, { organizationId, environmentId, endCustomerId: 'cust_42' });
 * await eraseEventsOf(tx, { organizationId, environmentId, endCustomerId: 'cust_42', connectionIds: ['conn_…', ...former] });
 */
export async function eraseEventsOf(tx: Db, owner: EventsOwner): Promise<number> {
  const erased = await rows<{ id: string }>(
    tx,
    sql`delete from events
      where organization_id = ${owner.organizationId} and environment_id = ${owner.environmentId}
        and (data->>'endCustomerId' = ${owner.endCustomerId}
          or data->>'connectionId' in (select jsonb_array_elements_text(${JSON.stringify(owner.connectionIds)}::jsonb)))
      returning id`,
  );
  const ids = erased.map((e) => e.id);
  if (ids.length > 0) {
    const { organizationId, environmentId } = owner;
    for (const listener of listeners.values()) await listener(tx, { organizationId, environmentId }, ids);
  }
  return ids.length;
}
