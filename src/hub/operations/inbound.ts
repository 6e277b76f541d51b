/** `patchbay inbound list|show|reprocess`: inbound events, read and reprocessed from the CLI. */
import { eq } from 'drizzle-orm';
import { INBOUND_STATUSES, inboundEvents, listInboundEvents, readBody, reprocessInboundEvent, reprocessInboundEvents, type InboundStatus } from '../../webhooks/inbound/index.ts';
import { limitOf, scopeOf } from './args.ts';
import { OperationError, required, text, type Operation, type OperationContext } from './index.ts';

function status(args: Record<string, unknown>): InboundStatus | undefined {
  const value = text(args, 'status');
  if (value && !INBOUND_STATUSES.includes(value as InboundStatus)) throw new OperationError(`--status must be one of ${INBOUND_STATUSES.join(', ')}`);
  return value as InboundStatus | undefined;
}

async function byId(context: OperationContext, id: string) {
  const [event] = await context.database.db.select().from(inboundEvents).where(eq(inboundEvents.id, id));
  if (!event) throw new OperationError(`no inbound event ${id}`, 404);
  return event;
}

const list: Operation = async (context, args) => {
  const scope = await scopeOf(context, args);
  const data = await listInboundEvents(context.database.db, scope, { status: status(args), sourceId: text(args, 'source'), eventType: text(args, 'type'), limit: limitOf(args, 200, 50) });
  return { data };
};

const show: Operation = async (context, args) => {
  const row = await byId(context, required(args, 'id'));
  const body = await readBody(context.database.db, row);
  // Where the body is kept (a large object on the embedded database) is not part of the event.
  const { body: _stored, bodyObject: _object, ...event } = row;
  const textBody = body.toString('utf8');
  return { ...event, bodySize: body.length, ...(Buffer.from(textBody).equals(body) ? { body: textBody, bodyEncoding: 'utf8' } : { body: body.toString('base64'), bodyEncoding: 'base64' }) };
};

const reprocess: Operation = async (context, args) => {
  const { db } = context.database;
  const id = text(args, 'id');
  if (id) {
    const event = await byId(context, id);
    const scope = { organizationId: event.organizationId, environmentId: event.environmentId };
    const requeued = await db.transaction((tx) => reprocessInboundEvent(tx, context.clock, scope, id));
    return { count: 1, ids: [requeued.id] };
  }
  const scope = await scopeOf(context, args);
  const ids = await db
    .transaction((tx) => reprocessInboundEvents(tx, context.clock, scope, { status: status(args), sourceId: text(args, 'source'), eventType: text(args, 'type'), limit: limitOf(args, 1000, 100) }))
    ;
  return { count: ids.length, ids };
};

export const inboundOperations = { 'inbound.list': list, 'inbound.show': show, 'inbound.reprocess': reprocess };
