/**
 * `Idempotency-Key` on POST: the first answer is stored; a repeat with the same key and body gets
 * that answer again (`idempotent-replayed: true`), the same key with another body is a 422, and a
 * repeat while the first is still running is a 409 with `Retry-After`. Server errors are not
 * stored, so they can be retried. Keys are scoped to the caller (organization, environment, key or
 * user).
 *
 * Two edges:
 * - A key in progress belongs to its process through a lease (`locked_until`), renewed by a
 *   heartbeat every third of `PATCHBAY_IDEMPOTENCY_LEASE_SECONDS` while the request runs. If the
 *   process dies mid-request the lease runs out, and a retry after that runs the request again —
 *   never `409 still in progress` for the key's whole 24 h.
 * - Fields a route declares as secrets shown once (`config.idempotency.secretFields`: a new API
 *   key, an initial password, a connect-session token) are never stored: the stored answer keeps
 *   the rest, and a replay answers `409 secret-shown-once` with it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/index.ts';
import { and, eq, isNull, lt, or } from 'drizzle-orm';
import { ProblemError, problems, sha256Hex } from '../core/index.ts';
import { idempotencyKeys } from '../auth/schema.ts';
import { routeOf } from './context.ts';

const HEADER = 'idempotency-key';
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

interface Pending {
  where: ReturnType<typeof and>;
  heartbeat: NodeJS.Timeout;
}
const pendingKey = Symbol('idempotency');

function scopeOf(request: FastifyRequest) {
  const p = request.principal!;
  return { organizationId: p.organizationId, environmentId: p.environmentId ?? '-', principalId: p.id };
}

const secretFieldsOf = (request: FastifyRequest): readonly string[] => {
  const setting = routeOf(request).config.idempotency;
  return typeof setting === 'object' ? setting.secretFields : [];
};

/** The answer without its secret fields, and which were there. */
function withholdSecrets(response: unknown, fields: readonly string[]): { response: unknown; withheld: string[] } {
  if (fields.length === 0 || !response || typeof response !== 'object' || Array.isArray(response)) return { response, withheld: [] };
  const kept: Record<string, unknown> = { ...(response as Record<string, unknown>) };
  const withheld = fields.filter((f) => f in kept);
  for (const f of withheld) delete kept[f];
  return { response: kept, withheld };
}

export const secretShownOnce = (statusCode: number, response: unknown, withheld: string[]) =>
  new ProblemError('secret-shown-once', 409, 'Secret shown once', {
    detail: `The request with this Idempotency-Key succeeded (${statusCode}), but its answer carried a secret (${withheld.join(', ')}) that was shown once and is not kept. The rest of that answer is in \`response\`; if the secret was lost, revoke or replace what was created and make a new one.`,
    extra: { originalStatus: statusCode, response, withheld },
  });

function release(request: FastifyRequest): Pending | undefined {
  const pending = (request as unknown as Record<symbol, Pending | undefined>)[pendingKey];
  if (pending) {
    clearInterval(pending.heartbeat);
    (request as unknown as Record<symbol, Pending | undefined>)[pendingKey] = undefined;
  }
  return pending;
}

export function registerIdempotency(app: FastifyInstance): void {
  const leaseMs = app.deps.config.idempotencyLeaseSeconds * 1000;
  const leaseUntil = () => new Date(app.deps.clock.now().getTime() + leaseMs);

  const preHandler = async (request: FastifyRequest, reply: FastifyReply) => {
    const key = request.headers[HEADER];
    if (request.method !== 'POST' || typeof key !== 'string' || !request.principal || routeOf(request).config.idempotency === false) return;
    if (key.length === 0 || key.length > 255) throw problems.validation([{ field: `header:${HEADER}`, message: 'must be 1 to 255 characters' }]);
    const { db } = app.deps.database;
    const scope = scopeOf(request);
    const requestHash = sha256Hex(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`);
    const where = and(
      eq(idempotencyKeys.organizationId, scope.organizationId),
      eq(idempotencyKeys.environmentId, scope.environmentId),
      eq(idempotencyKeys.principalId, scope.principalId),
      eq(idempotencyKeys.key, key),
    );
    const now = app.deps.clock.now();
    // Forgotten lazily, one at a time, when reused: keys past their TTL, and keys whose process
    // stopped renewing its lease (it died mid-request), so this request runs again.
    await db
      .delete(idempotencyKeys)
      .where(and(where, or(lt(idempotencyKeys.createdAt, new Date(now.getTime() - IDEMPOTENCY_TTL_MS)), and(isNull(idempotencyKeys.statusCode), lt(idempotencyKeys.lockedUntil, now)))));
    const inserted = await db
      .insert(idempotencyKeys)
      .values({ ...scope, key, requestHash, createdAt: now, lockedUntil: leaseUntil() })
      .onConflictDoNothing()
      .returning();
    if (inserted.length > 0) {
      const heartbeat = setInterval(
        () => {
          db.update(idempotencyKeys)
            .set({ lockedUntil: leaseUntil() })
            .where(and(where, isNull(idempotencyKeys.statusCode)))
            .catch((err: unknown) => request.log.warn({ err }, 'could not renew an idempotency key lease'));
        },
        Math.max(250, Math.floor(leaseMs / 3)),
      );
      heartbeat.unref();
      (request as unknown as Record<symbol, Pending>)[pendingKey] = { where, heartbeat };
      return;
    }
    const [first] = await db.select().from(idempotencyKeys).where(where);
    if (!first) throw problems.conflict('The request with this Idempotency-Key is being retried; try again.');
    if (first.requestHash !== requestHash) {
      throw problems.unprocessable('This Idempotency-Key was used with a different request body.');
    }
    if (first.statusCode === null) {
      const wait = Math.max(1, Math.ceil(((first.lockedUntil?.getTime() ?? now.getTime()) - now.getTime()) / 1000));
      reply.header('retry-after', String(wait));
      throw problems.conflict('A request with this Idempotency-Key is still in progress.');
    }
    if (first.withheld && first.withheld.length > 0) throw secretShownOnce(first.statusCode, first.response, first.withheld);
    reply.header('idempotent-replayed', 'true');
    return reply.status(first.statusCode).send(first.response);
  };

  const onSend = async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const pending = release(request);
    if (!pending) return payload;
    const { db } = app.deps.database;
    if (reply.statusCode >= 500) {
      await db.delete(idempotencyKeys).where(pending.where);
      return payload;
    }
    let response: unknown = null;
    if (typeof payload === 'string') {
      try {
        response = JSON.parse(payload);
      } catch {
        response = payload;
      }
    }
    const stored = reply.statusCode < 300 ? withholdSecrets(response, secretFieldsOf(request)) : { response, withheld: [] };
    await db
      .update(idempotencyKeys)
      .set({ statusCode: reply.statusCode, response: stored.response, withheld: stored.withheld.length > 0 ? stored.withheld : null, lockedUntil: null })
      .where(pending.where);
    return payload;
  };

  // A request that ends without an answer (the client went away) stops renewing its lease.
  const onResponse = (request: FastifyRequest, _reply: FastifyReply, done: () => void) => {
    release(request);
    done();
  };

  // On the routes that can take a key only (POST, not opted out): GET routes and the proxy pay
  // no hook, and no promise, per request.
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!methods.includes('POST') || (route.config as { idempotency?: unknown } | undefined)?.idempotency === false) return;
    const add = <H>(hooks: H | H[] | undefined, hook: H): H[] => [...(hooks === undefined ? [] : Array.isArray(hooks) ? hooks : [hooks]), hook];
    route.preHandler = add(route.preHandler, preHandler as never);
    route.onSend = add(route.onSend, onSend as never);
    route.onResponse = add(route.onResponse, onResponse as never);
  });
}

/**
 * Forgets stored answers older than the TTL (the hub runs this hourly). Until then an answer is
 * replayed; after it, a stored answer would only keep data (ids of erased end customers, say)
 * that nothing can ask for any more.
 */
export async function pruneIdempotencyKeys(db: Db, now: Date): Promise<number> {
  const removed = await db
    .delete(idempotencyKeys)
    .where(lt(idempotencyKeys.createdAt, new Date(now.getTime() - IDEMPOTENCY_TTL_MS)))
    .returning({ key: idempotencyKeys.key });
  return removed.length;
}
