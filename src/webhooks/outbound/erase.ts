/**
 * When events are erased (an end customer's, see events/erase.ts), their messages go too: the
 * message row with its signed payload, every delivery (a pending one is never sent) and every
 * attempt with the response it logged. A delivery in flight at that moment may still log its
 * attempt; it finds no delivery to move.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/index.ts';
import type { EventsErasedListener } from '../../events/index.ts';

export const eraseMessagesOf: EventsErasedListener = async (tx: Db, scope, eventIds) => {
  await tx.execute(sql`with erased as (
      delete from outbound_messages
      where organization_id = ${scope.organizationId} and environment_id = ${scope.environmentId}
        and event_id in (select jsonb_array_elements_text(${JSON.stringify(eventIds)}::jsonb))
      returning id
    ),
    deliveries as (delete from outbound_deliveries where message_id in (select id from erased))
    delete from outbound_attempts where message_id in (select id from erased)`);
};
