/**
 * REST Hooks (the subscription style Zapier and Make use): an automation platform subscribes a
 * target URL to one event type, receives each matching event there — signed, retried, logged like
 * any endpoint's — and unsubscribes by the id it was given. A hook is an outbound endpoint marked
 * `rest_hook`, so the dashboard, the message log and every delivery guarantee apply as they are.
 */
import { and, asc, eq, gt } from 'drizzle-orm';
import type { Db } from '../../db/index.ts';
import { problems } from '../../core/index.ts';
import type { Vault } from '../../credentials/index.ts';
import { createEndpoint, deleteEndpoint, revealSecret, type EndpointDeps } from './endpoints.ts';
import { getEventType } from './event-types.ts';
import { endpoints, type EndpointRow } from './schema.ts';
import type { Scope } from './scope.ts';

export interface RestHookInput {
  targetUrl: string;
  /** One event type, or a prefix (`sync.*`). */
  event: string;
}

/** Subscribes `targetUrl`; answers the hook with its signing secret (shown this once). */
export async function subscribeRestHook(tx: Db, deps: EndpointDeps, scope: Scope, input: RestHookInput): Promise<{ hook: EndpointRow; secret: string | null }> {
  // An exact name must exist (a typo would otherwise subscribe to nothing, silently); a prefix may match types made later.
  if (!input.event.endsWith('*')) await getEventType(tx, scope, input.event);
  const created = await createEndpoint(tx, deps, scope, { url: input.targetUrl, eventTypes: [input.event], description: `REST hook: ${input.event}` });
  const [hook] = await tx.update(endpoints).set({ restHook: true }).where(eq(endpoints.id, created.id)).returning();
  const { secret } = await revealSecret(tx, deps.vault, scope, created.id);
  return { hook: hook!, secret };
}

export async function listRestHooks(db: Db, scope: Scope, options: { limit: number; after?: string | undefined }): Promise<EndpointRow[]> {
  const conditions = [eq(endpoints.organizationId, scope.organizationId), eq(endpoints.environmentId, scope.environmentId), eq(endpoints.restHook, true)];
  if (options.after) conditions.push(gt(endpoints.id, options.after));
  return db.select().from(endpoints).where(and(...conditions)).orderBy(asc(endpoints.id)).limit(options.limit);
}

/** Unsubscribes: only a hook, never an endpoint someone registered by hand. */
export async function unsubscribeRestHook(tx: Db, vault: Vault, scope: Scope, id: string): Promise<EndpointRow> {
  const [hook] = await tx
    .select({ id: endpoints.id })
    .from(endpoints)
    .where(and(eq(endpoints.id, id), eq(endpoints.organizationId, scope.organizationId), eq(endpoints.environmentId, scope.environmentId), eq(endpoints.restHook, true)));
  if (!hook) throw problems.notFound('REST hook', id);
  return deleteEndpoint(tx, vault, scope, id);
}

/** What a platform shows in its field picker before the first real event: the event type's example, in the envelope deliveries carry. */
export async function restHookSample(db: Db, scope: Scope & { environment: string }, event: string): Promise<Record<string, unknown>[]> {
  const type = await getEventType(db, scope, event);
  if (!type.example) return [];
  return [{ id: 'msg_sample', type: type.name, schemaVersion: type.schemaVersion, occurredAt: new Date().toISOString(), data: type.example, organizationId: scope.organizationId, environment: scope.environment }];
}
