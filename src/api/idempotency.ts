/**
 * `Idempotency-Key` on POST: the first answer is stored; a repeat with the same key and body gets
 * that answer again (`idempotent-replayed: true`), the same key with another body is a 422, and a
 * repeat while the first is still running is a 409. Server errors are not stored, so they can be
 * retried. Keys are scoped to the caller (organization, environment, key or user).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../db/index.ts';
import { and, eq, lt } from 'drizzle-orm';
import { problems, sha256Hex } from '../core/index.ts';
import { idempotencyKeys } from '../auth/schema.ts';

const HEADER = 'idempotency-key';
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

interface Pending {
  where: ReturnType<typeof and>;
}
const pendingKey = Symbol('idempotency');

function scopeOf(request: FastifyRequest) {
  const p = request.principal!;
  return { organizationId: p.organizationId, environmentId: p.environmentId ?? '-', principalId: p.id };
}

export function registerIdempotency(app: FastifyInstance): void {
  app.addHook('preHandler', async (request, reply) => {
    const key = request.headers[HEADER];
    if (request.method !== 'POST' || typeof key !== 'string' || !request.principal || request.routeOptions.config.idempotency === false) return;
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
    // Expired keys are forgotten lazily, one at a time, when reused.
    await db.delete(idempotencyKeys).where(and(where, lt(idempotencyKeys.createdAt, new Date(app.deps.clock.now().getTime() - IDEMPOTENCY_TTL_MS))));
    const inserted = await db.insert(idempotencyKeys).values({ ...scope, key, requestHash, createdAt: app.deps.clock.now() }).onConflictDoNothing().returning();
    if (inserted.length > 0) {
      (request as unknown as Record<symbol, Pending>)[pendingKey] = { where };
      return;
    }
    const [first] = await db.select().from(idempotencyKeys).where(where);
    if (!first) throw problems.conflict('The request with this Idempotency-Key is being retried; try again.');
    if (first.requestHash !== requestHash) {
      throw problems.unprocessable('This Idempotency-Key was used with a different request body.');
    }
    if (first.statusCode === null) throw problems.conflict('A request with this Idempotency-Key is still in progress.');
    reply.header('idempotent-replayed', 'true');
    return reply.status(first.statusCode).send(first.response);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const pending = (request as unknown as Record<symbol, Pending | undefined>)[pendingKey];
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
    await db.update(idempotencyKeys).set({ statusCode: reply.statusCode, response }).where(pending.where);
    return payload;
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
