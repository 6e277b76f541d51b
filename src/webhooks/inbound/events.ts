/** Reading inbound events, and reprocessing them (one, or many by filter). */
import { and, desc, eq, getTableColumns, gte, inArray, lt, lte, sql, type SQL } from 'drizzle-orm';
import { problems, sqlState, type Clock } from '../../core/index.ts';
import type { Db } from '../../db/index.ts';
import { enqueueMany } from '../../queue/index.ts';
import { withBody } from './body-objects.ts';
import { inboundEvents, type InboundEvent, type InboundStatus } from './schema.ts';
import type { Scope } from './sources.ts';
import { PROCESS_JOB } from './store.ts';

export interface InboundEventQuery {
  status?: InboundStatus | undefined;
  sourceId?: string | undefined;
  eventType?: string | undefined;
  providerEventId?: string | undefined;
  receivedAfter?: Date | undefined;
  receivedBefore?: Date | undefined;
}

function where(scope: Scope, query: InboundEventQuery): SQL[] {
  return [
    eq(inboundEvents.organizationId, scope.organizationId),
    eq(inboundEvents.environmentId, scope.environmentId),
    ...(query.status ? [eq(inboundEvents.status, query.status)] : []),
    ...(query.sourceId ? [eq(inboundEvents.sourceId, query.sourceId)] : []),
    ...(query.eventType ? [eq(inboundEvents.eventType, query.eventType)] : []),
    ...(query.providerEventId ? [eq(inboundEvents.providerEventId, query.providerEventId)] : []),
    ...(query.receivedAfter ? [gte(inboundEvents.receivedAt, query.receivedAfter)] : []),
    ...(query.receivedBefore ? [lte(inboundEvents.receivedAt, query.receivedBefore)] : []),
  ];
}

/** Newest first; the body stays out of lists (see `getInboundEvent`). */
export async function listInboundEvents(db: Db, scope: Scope, query: InboundEventQuery & { limit: number; before?: string | undefined }): Promise<(Omit<InboundEvent, 'body' | 'bodyObject' | 'bodySize'> & { bodySize: number })[]> {
  const { body, bodyObject: _object, bodySize, ...columns } = getTableColumns(inboundEvents);
  return db
    .select({ ...columns, bodySize: sql<number>`coalesce(${bodySize}, octet_length(${body}))::int` })
    .from(inboundEvents)
    .where(and(...where(scope, query), query.before ? lt(inboundEvents.id, query.before) : undefined))
    .orderBy(desc(inboundEvents.id))
    .limit(query.limit);
}

/** One event with its body (read from its large object when it has one). */
export async function getInboundEvent(db: Db, scope: Scope, id: string): Promise<InboundEvent | undefined> {
  const row = await findInboundEvent(db, scope, id);
  try {
    return row && (await withBody(db, row));
  } catch (err) {
    // Deleted (pruned, erased) between reading its row and its body's chunks: it is gone.
    if (sqlState(err) === UNDEFINED_OBJECT) return undefined;
    throw err;
  }
}

const UNDEFINED_OBJECT = '42704';

/** One event as its row holds it: `body` is empty when the body is in a large object. */
async function findInboundEvent(db: Db, scope: Scope, id: string): Promise<InboundEvent | undefined> {
  const [row] = await db
    .select()
    .from(inboundEvents)
    .where(and(eq(inboundEvents.organizationId, scope.organizationId), eq(inboundEvents.environmentId, scope.environmentId), eq(inboundEvents.id, id)));
  return row;
}

/** Statuses an operator may reprocess: never `rejected` (unverified), never one in flight. */
export const REPROCESSABLE: InboundStatus[] = ['processed', 'failed', 'duplicate'];

/** Sends one event through processing again. 404 unknown, 409 in flight, 422 rejected. */
export async function reprocessInboundEvent(tx: Db, clock: Clock, scope: Scope, id: string): Promise<InboundEvent> {
  const existing = await findInboundEvent(tx, scope, id);
  if (!existing) throw problems.notFound('Inbound event', id);
  if (existing.status === 'rejected') throw problems.unprocessable('A rejected event was never verified; it cannot be processed.');
  if (!REPROCESSABLE.includes(existing.status)) throw problems.conflict(`The event is ${existing.status}; it will be processed without being asked.`);
  const [event] = await requeue(tx, clock, [existing.id]);
  return event!;
}

/** Reprocesses up to `limit` events matching the query (processed, failed or duplicate ones only). */
export async function reprocessInboundEvents(tx: Db, clock: Clock, scope: Scope, query: InboundEventQuery & { limit: number }): Promise<string[]> {
  if (query.status && !REPROCESSABLE.includes(query.status)) throw problems.unprocessable(`Only ${REPROCESSABLE.join(', ')} events can be reprocessed.`);
  const ids = await tx
    .select({ id: inboundEvents.id })
    .from(inboundEvents)
    .where(and(...where(scope, query), query.status ? undefined : inArray(inboundEvents.status, REPROCESSABLE)))
    .orderBy(inboundEvents.id)
    .limit(query.limit)
    .for('update', { skipLocked: true });
  const events = await requeue(tx, clock, ids.map((r) => r.id));
  return events.map((e) => e.id);
}

async function requeue(tx: Db, clock: Clock, ids: string[]): Promise<InboundEvent[]> {
  if (ids.length === 0) return [];
  const events = await tx
    .update(inboundEvents)
    .set({ status: 'received', lastError: null, processedAt: null, duplicateOf: null, updatedAt: clock.now() })
    .where(and(inArray(inboundEvents.id, ids), inArray(inboundEvents.status, REPROCESSABLE)))
    .returning();
  await enqueueMany(
    tx,
    events.map((e) => ({ type: PROCESS_JOB, payload: { eventId: e.id }, key: `inbound:${e.id}`, organizationId: e.organizationId, environmentId: e.environmentId })),
    { clock },
  );
  return events;
}
