/** `patchbay inbound list|show|reprocess`: inbound events, read and reprocessed from the CLI. */
import { eq } from 'drizzle-orm';
import { ProblemError } from '../../core/index.ts';
import { findEnvironment } from '../../auth/index.ts';
import { INBOUND_STATUSES, inboundEvents, listInboundEvents, reprocessInboundEvent, reprocessInboundEvents, type InboundStatus } from '../../webhooks/inbound/index.ts';
import { organizationBySlug } from './keys.ts';
import { OperationError, required, text, type Operation, type OperationContext } from './index.ts';

async function scopeOf({ database }: OperationContext, args: Record<string, unknown>) {
  const org = await organizationBySlug(database.db, required(args, 'org'));
  const env = await findEnvironment(database.db, org.id, required(args, 'env'));
  if (!env) throw new OperationError(`no environment "${String(args.env)}"`, 404);
  return { organizationId: org.id, environmentId: env.id };
}

function status(args: Record<string, unknown>): InboundStatus | undefined {
  const value = text(args, 'status');
  if (value && !INBOUND_STATUSES.includes(value as InboundStatus)) throw new OperationError(`--status must be one of ${INBOUND_STATUSES.join(', ')}`);
  return value as InboundStatus | undefined;
}

function limitOf(args: Record<string, unknown>, max: number, fallback: number): number {
  const limit = Number(args.limit ?? fallback);
  if (!Number.isInteger(limit) || limit < 1 || limit > max) throw new OperationError(`--limit must be a whole number from 1 to ${max}`);
  return limit;
}

async function byId(context: OperationContext, id: string) {
  const [event] = await context.database.db.select().from(inboundEvents).where(eq(inboundEvents.id, id));
  if (!event) throw new OperationError(`no inbound event ${id}`, 404);
  return event;
}

const asOperationError = (err: unknown): never => {
  if (err instanceof ProblemError) throw new OperationError(err.detail ?? err.title, err.status);
  throw err;
};

const list: Operation = async (context, args) => {
  const scope = await scopeOf(context, args);
  const data = await listInboundEvents(context.database.db, scope, { status: status(args), sourceId: text(args, 'source'), eventType: text(args, 'type'), limit: limitOf(args, 200, 50) });
  return { data };
};

const show: Operation = async (context, args) => {
  const { body, ...event } = await byId(context, required(args, 'id'));
  const textBody = body.toString('utf8');
  return { ...event, bodySize: body.length, ...(Buffer.from(textBody).equals(body) ? { body: textBody, bodyEncoding: 'utf8' } : { body: body.toString('base64'), bodyEncoding: 'base64' }) };
};

const reprocess: Operation = async (context, args) => {
  const { db } = context.database;
  const id = text(args, 'id');
  if (id) {
    const event = await byId(context, id);
    const scope = { organizationId: event.organizationId, environmentId: event.environmentId };
    const requeued = await db.transaction((tx) => reprocessInboundEvent(tx, context.clock, scope, id)).catch(asOperationError);
    return { count: 1, ids: [requeued.id] };
  }
  const scope = await scopeOf(context, args);
  const ids = await db
    .transaction((tx) => reprocessInboundEvents(tx, context.clock, scope, { status: status(args), sourceId: text(args, 'source'), eventType: text(args, 'type'), limit: limitOf(args, 1000, 100) }))
    .catch(asOperationError);
  return { count: ids.length, ids };
};

export const inboundOperations = { 'inbound.list': list, 'inbound.show': show, 'inbound.reprocess': reprocess };
