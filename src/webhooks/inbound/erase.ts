/**
 * Erasing an end customer (`DELETE /end-customers/{id}`, see connections/delete.ts) erases the
 * inbound requests routed to their connections — raw body, headers and all, since the row is
 * what a provider sent about them — with the duplicates of those requests, which carry the
 * same body. The deduplication claims stay (a provider id and an event id, until their window
 * ends), so a provider retrying an erased event is still answered as a duplicate: an erased event
 * leaves its live claim in `inbound_dedupe`, under that table's lock (see `lockClaims`: ingestion
 * waits while the erasing transaction runs on; erasure is rare).
 *
 * The environment's inbound events are scanned (there is no index on `connection_id`): erasure
 * is rare, and ingestion pays nothing for it. A request still waiting to be processed has no
 * connection yet; processed after the erasure, it finds none.
 */
import { sql } from 'drizzle-orm';
import { rows, type Db } from '../../db/index.ts';
import type { EndCustomerSubject } from '../../connections/index.ts';
import { keepClaims, lockClaims } from './store.ts';

/** Deletes the inbound events routed to the subject's connections, in the erasing transaction. */
export async function eraseInboundEventsOf(tx: Db, subject: EndCustomerSubject): Promise<{ inboundEvents: number }> {
  if (subject.connectionIds.length === 0) return { inboundEvents: 0 };
  const scope = sql`organization_id = ${subject.organizationId} and environment_id = ${subject.environmentId}`;
  await lockClaims(tx);
  const [erased] = await rows<{ n: number }>(
    tx,
    sql`with routed as (
        delete from inbound_events
        where ${scope} and connection_id in (select jsonb_array_elements_text(${JSON.stringify(subject.connectionIds)}::jsonb))
        returning id, source_id, provider_event_id, dedupe_expires_at
      ),
      ${keepClaims(sql`routed`, null)},
      copies as (delete from inbound_events where ${scope} and duplicate_of in (select id from routed) returning id)
      select ((select count(*) from routed) + (select count(*) from copies))::int as n`,
  );
  return { inboundEvents: erased?.n ?? 0 };
}
