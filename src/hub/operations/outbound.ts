/**
 * `patchbay events|endpoints|attempts …`: outbound webhooks from the CLI. Each operation takes the
 * body the API route takes, checks it against the route's own schema, and calls the same domain
 * function, so the CLI on the hub's socket or database and the CLI against a remote hub
 * (src/cli/remote.ts) behave alike. Answers have the API's shapes.
 */
import { eq } from 'drizzle-orm';
import { createApiKey, recordAudit, type Actor } from '../../auth/index.ts';
import { createQueue } from '../../queue/index.ts';
import {
  createEndpoint,
  deleteEndpoint,
  deliveriesOf,
  endpoints,
  endpointStats,
  getEndpoint,
  getMessage,
  listAttempts,
  listDeadLetters,
  listEndpoints,
  listMessages,
  messages,
  recover,
  registerOutbound,
  resend,
  retryDeadLetters,
  revealSecret,
  rotateSecret,
  sendTestEvent,
  updateEndpoint,
  DEFAULT_GRACE_HOURS,
  type Outbound,
} from '../../webhooks/outbound/index.ts';
import { CreateEndpointBody, RecoverBody, RotateSecretBody, TestEventBody, toEndpointInput, UpdateEndpointBody } from '../../api/routes/outbound/endpoints.ts';
import { EventBody, toEventInput } from '../../api/routes/outbound/events.ts';
import { DeadLetterFilterBody } from '../../api/routes/outbound/messages.ts';
import { attemptView, date, deliveryView, endpointView, messageView, publishedView } from '../../api/routes/outbound/views.ts';
import { iso } from '../../api/schemas.ts';
import { outboundFor, outboundSettings } from '../modules/outbound.ts';
import { bodyOf, instant, limitOf, scopeOf, type EnvironmentScope } from './args.ts';
import { OperationError, required, text, type Operation, type OperationContext } from './index.ts';

const CLI: Actor = { type: 'cli', id: null };

/**
 * The outbound service: the running hub's (over its socket), or one made for this command on a
 * database the CLI opened itself — its queue never starts here; a worker elsewhere delivers.
 */
async function withOutbound<T>(context: OperationContext, fn: (outbound: Outbound) => Promise<T>): Promise<T> {
  const running = outboundFor(context.database);
  if (running) return fn(running);
  const queue = createQueue({ database: context.database, logger: context.logger, clock: context.clock, concurrency: 1, leaseSeconds: context.config.jobLeaseSeconds });
  const outbound = registerOutbound({ queue, database: context.database, vault: context.vault, logger: context.logger, clock: context.clock, settings: outboundSettings(context.config) });
  try {
    return await fn(outbound);
  } finally {
    await outbound.stop();
  }
}

/** `--org/--env` when given; otherwise the environment the endpoint belongs to. */
async function endpointScope(context: OperationContext, args: Record<string, unknown>): Promise<EnvironmentScope> {
  if (args.org || args.env) return scopeOf(context, args);
  const id = required(args, 'id');
  const [row] = await context.database.db.select({ organizationId: endpoints.organizationId, environmentId: endpoints.environmentId }).from(endpoints).where(eq(endpoints.id, id));
  if (!row) throw new OperationError(`no endpoint ${id}`, 404);
  return row;
}

/** Likewise for a message, by its id (`msg_…`); an event id (`evt_…`) needs `--org/--env`. */
async function messageScope(context: OperationContext, args: Record<string, unknown>, name = 'id'): Promise<EnvironmentScope> {
  if (args.org || args.env) return scopeOf(context, args);
  const id = required(args, name);
  const [row] = await context.database.db.select({ organizationId: messages.organizationId, environmentId: messages.environmentId }).from(messages).where(eq(messages.id, id));
  if (!row) throw new OperationError(`no message ${id} (for an event id, give --org and --env)`, 404);
  return row;
}

const audit = (context: OperationContext, scope: EnvironmentScope, action: string, targetType: string, targetId: string | undefined, details?: Record<string, unknown>) =>
  recordAudit(context.database.db, { ...scope, actor: CLI, action, targetType, targetId, details });

// Events (published messages)

const send: Operation = async (context, args) => {
  const body = bodyOf<Parameters<typeof toEventInput>[0]>(args, EventBody);
  const scope = await scopeOf(context, args);
  const [result] = await withOutbound(context, (outbound) => outbound.publish(scope, [toEventInput(body)]));
  return { ...publishedView(result!.message), duplicate: !result!.created };
};

const listEvents: Operation = async (context, args) => {
  const scope = await scopeOf(context, args);
  const rows = await listMessages(context.database.db, scope, { eventType: text(args, 'type'), channel: text(args, 'channel'), since: instant(args, 'since'), until: instant(args, 'until') }, { limit: limitOf(args, 250, 50) });
  return { data: rows.map(messageView) };
};

const showEvent: Operation = async (context, args) => {
  const scope = await messageScope(context, args);
  const message = await getMessage(context.database.db, scope, required(args, 'id'));
  return { ...messageView(message), deliveries: (await deliveriesOf(context.database.db, scope, message.id)).map(deliveryView) };
};

// Endpoints

const list: Operation = async (context, args) => {
  const rows = await listEndpoints(context.database.db, await scopeOf(context, args), { limit: limitOf(args, 250, 50) });
  return { data: rows.map(endpointView) };
};

const show: Operation = async (context, args) => endpointView(await getEndpoint(context.database.db, await endpointScope(context, args), required(args, 'id')));

const create: Operation = async (context, args) => {
  const body = bodyOf<Parameters<typeof toEndpointInput>[0] & { url: string }>(args, CreateEndpointBody);
  const scope = await scopeOf(context, args);
  const endpoint = await withOutbound(context, (outbound) =>
    context.database.db.transaction(async (tx) => {
      const created = await createEndpoint(tx, outbound.endpointDeps, scope, toEndpointInput(body));
      await recordAudit(tx, { ...scope, actor: CLI, action: 'endpoint.created', targetType: 'endpoint', targetId: created.id, details: { url: created.url } });
      return created;
    }),
  );
  return endpointView(endpoint);
};

const update: Operation = async (context, args) => {
  const body = bodyOf<Parameters<typeof toEndpointInput>[0] & { enabled?: boolean }>(args, UpdateEndpointBody);
  const scope = await endpointScope(context, args);
  const id = required(args, 'id');
  const endpoint = await withOutbound(context, async (outbound) => {
    const updated = await context.database.db.transaction(async (tx) => {
      const row = await updateEndpoint(tx, outbound.endpointDeps, scope, id, toEndpointInput(body));
      await recordAudit(tx, { ...scope, actor: CLI, action: 'endpoint.updated', targetType: 'endpoint', targetId: id, details: { fields: Object.keys(body) } });
      return row;
    });
    if (body.enabled === true) outbound.forget(id);
    return updated;
  });
  return endpointView(endpoint);
};

const remove: Operation = async (context, args) => {
  const scope = await endpointScope(context, args);
  const id = required(args, 'id');
  const deleted = await withOutbound(context, async (outbound) => {
    const row = await context.database.db.transaction(async (tx) => {
      const gone = await deleteEndpoint(tx, context.vault, scope, id);
      await recordAudit(tx, { ...scope, actor: CLI, action: 'endpoint.deleted', targetType: 'endpoint', targetId: id, details: { url: gone.url } });
      return gone;
    });
    outbound.forget(id);
    return row;
  });
  return endpointView(deleted);
};

const secret: Operation = async (context, args) => {
  const scope = await endpointScope(context, args);
  const id = required(args, 'id');
  const revealed = await revealSecret(context.database.db, context.vault, scope, id);
  await audit(context, scope, 'endpoint.secret_revealed', 'endpoint', id);
  return revealed;
};

const rotate: Operation = async (context, args) => {
  const body = bodyOf<{ secret?: string; signatureType?: 'v1' | 'v1a'; gracePeriodHours?: number }>(args, RotateSecretBody);
  const scope = await endpointScope(context, args);
  const id = required(args, 'id');
  const rotated = await withOutbound(context, (outbound) =>
    context.database.db.transaction(async (tx) => {
      const result = await rotateSecret(tx, outbound.endpointDeps, scope, id, body);
      await recordAudit(tx, { ...scope, actor: CLI, action: 'endpoint.secret_rotated', targetType: 'endpoint', targetId: id, details: { gracePeriodHours: body.gracePeriodHours ?? DEFAULT_GRACE_HOURS } });
      return result;
    }),
  );
  return { ...endpointView(rotated.endpoint), previousSecretExpiresAt: iso(rotated.previousExpiresAt) };
};

const test: Operation = async (context, args) => {
  const body = bodyOf<{ eventType?: string; data?: Record<string, unknown> }>(args, TestEventBody);
  const scope = await endpointScope(context, args);
  const id = required(args, 'id');
  // A test event is published like any other: the outbound fan-out turns it into its message.
  const message = await withOutbound(context, () =>
    context.database.db.transaction(async (tx) => {
      const sent = await sendTestEvent(tx, context.clock, scope, id, body);
      await recordAudit(tx, { ...scope, actor: CLI, action: 'endpoint.tested', targetType: 'endpoint', targetId: id, details: { messageId: sent.id } });
      return sent;
    }),
  );
  return messageView(message);
};

const recoverEndpoint: Operation = async (context, args) => {
  const body = bodyOf<{ since: string; until?: string }>(args, RecoverBody);
  const scope = await endpointScope(context, args);
  const id = required(args, 'id');
  const recovered = await context.database.db.transaction(async (tx) => {
    const n = await recover(tx, context.clock, scope, id, { since: new Date(body.since), until: date(body.until) });
    await recordAudit(tx, { ...scope, actor: CLI, action: 'endpoint.recovered', targetType: 'endpoint', targetId: id, details: { since: body.since, count: n } });
    return n;
  });
  return { recovered };
};

const stats: Operation = async (context, args) => {
  const scope = await endpointScope(context, args);
  const since = instant(args, 'since') ?? new Date(context.clock.now().getTime() - 86_400_000);
  const result = await endpointStats(context.database.db, scope, required(args, 'id'), since, context.clock.now());
  return {
    ...result,
    since: iso(result.since),
    recentErrors: result.recentErrors.map((e) => ({ ...e, at: iso(e.at) })),
    series: { bucketSeconds: result.series.bucketSeconds, points: result.series.points.map((p) => ({ ...p, at: iso(p.at) })) },
  };
};

// Attempts, resends and dead letters

const attempts: Operation = async (context, args) => {
  const scope = await messageScope(context, args, 'message');
  const message = await getMessage(context.database.db, scope, required(args, 'message'));
  const rows = await listAttempts(context.database.db, scope, message.id, { endpointId: text(args, 'endpoint'), limit: limitOf(args, 250, 50) });
  return { data: rows.map(attemptView) };
};

const resendMessage: Operation = async (context, args) => {
  const scope = await messageScope(context, args, 'message');
  const messageId = required(args, 'message');
  const endpointId = required(args, 'endpoint');
  const delivery = await context.database.db.transaction(async (tx) => {
    const row = await resend(tx, context.clock, scope, messageId, endpointId);
    await recordAudit(tx, { ...scope, actor: CLI, action: 'message.resent', targetType: 'message', targetId: row.messageId, details: { endpointId } });
    return row;
  });
  return deliveryView(delivery);
};

type DeadLetterBody = { endpointId?: string; eventType?: string; since?: string; until?: string };
const filterOf = (body: DeadLetterBody) => ({ endpointId: body.endpointId, eventType: body.eventType, since: date(body.since), until: date(body.until) });

const failed: Operation = async (context, args) => {
  const body = bodyOf<DeadLetterBody>(args, DeadLetterFilterBody);
  const scope = await scopeOf(context, args);
  const rows = await listDeadLetters(context.database.db, scope, filterOf(body), { limit: limitOf(args, 250, 50) });
  return { data: rows.map((r) => ({ ...deliveryView(r.delivery), eventType: r.eventType })) };
};

const retry: Operation = async (context, args) => {
  const body = bodyOf<DeadLetterBody>(args, DeadLetterFilterBody);
  const scope = await scopeOf(context, args);
  const retried = await context.database.db.transaction(async (tx) => {
    const n = await retryDeadLetters(tx, context.clock, scope, filterOf(body));
    await recordAudit(tx, { ...scope, actor: CLI, action: 'dead_letters.retried', targetType: 'endpoint', targetId: body.endpointId, details: { ...body, count: n } });
    return n;
  });
  return { retried };
};

/**
 * `patchbay listen` on the machine that runs an embedded hub: the hub's address and a key that
 * may open the stream, made for this session (the CLI revokes it when the session ends).
 */
const listenSession: Operation = async (context, args) => {
  if (!context.hubUrl) throw new OperationError('`listen` needs a running hub: start one (npm start), or set PATCHBAY_URL and PATCHBAY_API_KEY.', 503, 1);
  const scope = await scopeOf(context, args);
  const created = await context.database.db.transaction(async (tx) => {
    const made = await createApiKey(tx, { ...scope, name: 'patchbay listen (revoked when the session ends)', scopes: ['endpoints:write'], createdBy: 'cli' });
    await recordAudit(tx, { ...scope, actor: CLI, action: 'api_key.created', targetType: 'api_key', targetId: made.record.id, details: { purpose: 'listen' } });
    return made;
  });
  return { url: context.hubUrl, key: created.key, keyId: created.record.id };
};

export const outboundOperations = {
  'events.send': send,
  'events.list': listEvents,
  'events.show': showEvent,
  'endpoints.list': list,
  'endpoints.show': show,
  'endpoints.create': create,
  'endpoints.update': update,
  'endpoints.delete': remove,
  'endpoints.secret': secret,
  'endpoints.rotate-secret': rotate,
  'endpoints.test': test,
  'endpoints.recover': recoverEndpoint,
  'endpoints.stats': stats,
  'attempts.list': attempts,
  'attempts.resend': resendMessage,
  'attempts.failed': failed,
  'attempts.retry': retry,
  'listen.session': listenSession,
};
