/** Reading the delivery log: messages, their deliveries per endpoint, attempts, dead letters. */
import { and, asc, desc, eq, gte, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import { problems } from '../../core/index.ts';
import type { Db } from '../../db/index.ts';
import type { Envelope } from './fanout.ts';
import { attempts, deliveries, messages, type AttemptRow, type DeliveryRow, type DeliveryState, type MessageRow } from './schema.ts';
import type { Scope } from './scope.ts';

const inScope = (scope: Scope) => and(eq(messages.organizationId, scope.organizationId), eq(messages.environmentId, scope.environmentId));

/** A message by its id (`msg_…`) or its event's id (`evt_…`). */
export async function getMessage(db: Db, scope: Scope, id: string): Promise<MessageRow> {
  const [row] = await db
    .select()
    .from(messages)
    .where(and(inScope(scope), or(eq(messages.id, id), eq(messages.eventId, id))));
  if (!row) throw problems.notFound('Message', id);
  return row;
}

/** The envelope's `data`, or null once retention pruned the payload. */
export function dataOf(message: MessageRow): Record<string, unknown> | null {
  return message.payload === null ? null : (JSON.parse(message.payload) as Envelope).data;
}

export interface MessageFilter {
  eventType?: string | undefined;
  channel?: string | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
}

/** Newest first. */
export async function listMessages(db: Db, scope: Scope, filter: MessageFilter, page: { limit: number; before?: string | undefined }): Promise<MessageRow[]> {
  const conditions: (SQL | undefined)[] = [inScope(scope)];
  if (page.before) conditions.push(lt(messages.id, page.before));
  if (filter.eventType) conditions.push(eq(messages.eventType, filter.eventType));
  if (filter.channel) conditions.push(sql`${messages.channels} @> ${JSON.stringify([filter.channel])}::jsonb`);
  if (filter.since) conditions.push(gte(messages.createdAt, filter.since));
  if (filter.until) conditions.push(lte(messages.createdAt, filter.until));
  return db.select().from(messages).where(and(...conditions)).orderBy(desc(messages.id)).limit(page.limit);
}

export async function deliveriesOf(db: Db, scope: Scope, messageId: string): Promise<DeliveryRow[]> {
  return db
    .select()
    .from(deliveries)
    .where(and(eq(deliveries.organizationId, scope.organizationId), eq(deliveries.environmentId, scope.environmentId), eq(deliveries.messageId, messageId)))
    .orderBy(asc(deliveries.endpointId));
}

/** One attempt of one message. */
export async function getAttempt(db: Db, scope: Scope, messageId: string, attemptId: string): Promise<AttemptRow> {
  const [row] = await db
    .select()
    .from(attempts)
    .where(and(eq(attempts.organizationId, scope.organizationId), eq(attempts.environmentId, scope.environmentId), eq(attempts.messageId, messageId), eq(attempts.id, attemptId)));
  if (!row) throw problems.notFound('Attempt', attemptId);
  return row;
}

/** Attempts of one message (optionally at one endpoint), oldest first. */
export async function listAttempts(db: Db, scope: Scope, messageId: string, options: { endpointId?: string | undefined; limit: number; after?: string | undefined }): Promise<AttemptRow[]> {
  const conditions = [eq(attempts.organizationId, scope.organizationId), eq(attempts.environmentId, scope.environmentId), eq(attempts.messageId, messageId)];
  if (options.endpointId) conditions.push(eq(attempts.endpointId, options.endpointId));
  if (options.after) conditions.push(sql`${attempts.id} > ${options.after}`);
  return db.select().from(attempts).where(and(...conditions)).orderBy(asc(attempts.id)).limit(options.limit);
}

export interface DeadLetterFilter {
  endpointId?: string | undefined;
  eventType?: string | undefined;
  /** Messages created at or after this instant. */
  since?: Date | undefined;
  until?: Date | undefined;
}

export interface DeadLetter {
  delivery: DeliveryRow;
  eventType: string;
}

export function deadLetterConditions(scope: Scope, filter: DeadLetterFilter, state: DeliveryState = 'failed'): SQL {
  const conditions: (SQL | undefined)[] = [
    eq(deliveries.organizationId, scope.organizationId),
    eq(deliveries.environmentId, scope.environmentId),
    eq(deliveries.state, state),
  ];
  if (filter.endpointId) conditions.push(eq(deliveries.endpointId, filter.endpointId));
  if (filter.since) conditions.push(gte(deliveries.createdAt, filter.since));
  if (filter.until) conditions.push(lte(deliveries.createdAt, filter.until));
  if (filter.eventType) conditions.push(eq(messages.eventType, filter.eventType));
  return and(...conditions)!;
}

/** Dead letters, newest message first (`before`: a message id from the previous page). */
export async function listDeadLetters(db: Db, scope: Scope, filter: DeadLetterFilter, page: { limit: number; before?: string | undefined }): Promise<DeadLetter[]> {
  const conditions = [deadLetterConditions(scope, filter)];
  if (page.before) conditions.push(lt(deliveries.messageId, page.before));
  const found = await db
    .select({ delivery: deliveries, eventType: messages.eventType })
    .from(deliveries)
    .innerJoin(messages, eq(messages.id, deliveries.messageId))
    .where(and(...conditions))
    .orderBy(desc(deliveries.messageId), asc(deliveries.endpointId))
    .limit(page.limit);
  return found;
}
