/**
 * The write-back of a record (`records.export` job): its pending Patchbay edits, mapped back to
 * the provider's fields, sent through the provider proxy by the connector's `update`. A failed
 * write is retried by the queue (the job sends absolute values, so sending it again is safe);
 * fields held for review are left alone. Once written, the edits stay pending until a sync sees
 * the provider's values — unless they are confirmed here, where the write succeeded.
 */
import { isDeepStrictEqual } from 'node:util';
import { and, eq } from 'drizzle-orm';
import type { Clock, Logger } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import type { ProviderProxy } from '../proxy/index.ts';
import type { ConnectionResolver, Scope } from './connections.ts';
import { fieldsUnderReview } from './conflicts.ts';
import { exportChanges } from './mapping/apply.ts';
import { mappingFor } from './mapping/store.ts';
import { providerContext } from './provider.ts';
import { lockRecords } from './records/store.ts';
import { records, type LocalChanges } from './schema.ts';

export interface ExportDeps {
  db: Db;
  clock: Clock;
  proxy: ProviderProxy;
  resolver: ConnectionResolver;
}

export interface ExportPayload {
  connectionId: string;
  model: string;
  externalId: string;
}

export class ExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportError';
  }
}

/** Writes a record's pending edits to the provider; returns the provider fields written. */
export async function exportRecord(deps: ExportDeps, scope: Scope, payload: ExportPayload, logger: Logger, correlationId?: string): Promise<Record<string, unknown> | undefined> {
  const { db } = deps;
  const target = { ...scope, ...payload };
  const connection = await deps.resolver.resolve(scope, payload.connectionId);
  if (!connection) {
    logger.warn(payload, 'export skipped: the connection no longer exists');
    return undefined;
  }
  const definition = connection.connector.syncs.find((s) => s.model === payload.model);
  if (!definition?.update) throw new ExportError(`${connection.connector.manifest.name} ${payload.model} records cannot be written back`);
  const where = and(eq(records.environmentId, scope.environmentId), eq(records.connectionId, payload.connectionId), eq(records.model, payload.model), eq(records.externalId, payload.externalId));
  const [record] = await db.select().from(records).where(where);
  if (!record?.localChanges || record.deletedAt) return undefined;
  const held = await fieldsUnderReview(db, target);
  const sending = Object.entries(record.localChanges).filter(([field]) => !held.has(field));
  if (sending.length === 0) return undefined;
  const changes = Object.fromEntries(sending.map(([field, change]) => [field, change.value]));
  const mapping = await mappingFor(db, scope, connection.id, connection.integrationId, payload.model);
  const mapped = mapping ? exportChanges(mapping.fields, changes) : { provider: changes, refused: [], errors: [] };
  if (mapped.errors.length > 0) throw new ExportError(mapped.errors.map((e) => e.message).join('; '));
  const ctx = providerContext(deps.proxy, connection, { logger, correlationId });
  await definition.update(ctx, { externalId: payload.externalId, changes: mapped.provider });
  // Written: the provider has these values now. Edits made meanwhile stay pending.
  await db.transaction(async (tx) => {
    await lockRecords(tx, target);
    const [now] = await tx.select({ localChanges: records.localChanges }).from(records).where(where).for('update');
    const pending: LocalChanges = { ...(now?.localChanges ?? {}) };
    for (const [field, change] of sending) if (pending[field] && isDeepStrictEqual(pending[field].value, change.value)) delete pending[field];
    await tx.update(records).set({ localChanges: Object.keys(pending).length > 0 ? pending : null }).where(where);
  });
  logger.info({ ...payload, fields: Object.keys(changes) }, 'record written back to the provider');
  return mapped.provider;
}
