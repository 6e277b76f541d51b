/**
 * Connection status and what changes it. The rule: a credential or authorization error wins over
 * everything else. Once a connection is in `error` for an auth reason (or `disconnected`), only
 * proof that the credential works again — a passing test, a successful refresh, a
 * re-authorization (`credentialsVerified`) — or another auth error changes its status; a sync
 * marking itself `syncing` or `connected` leaves it as it is. A failed sync never changes the
 * status: it sets `lastSyncError` (recordSyncOutcome) and the next run decides.
 *
 * Events: `connection.refresh_failed` when a connection enters `error` for `refresh_failed`,
 * `connection.recovered` when one leaves an auth error (or `disconnected`) for a working state.
 */
import { and, eq, sql } from 'drizzle-orm';
import { problems, systemClock, type Clock } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import { publish } from '../events/index.ts';
import { connections, type Connection, type ConnectionStatus } from './schema.ts';

/** Reasons that mean the credential itself is not (or no longer) good. */
export const AUTH_REASONS = ['refresh_failed', 'invalid_credentials', 'insufficient_permissions', 'credential_unavailable', 'authorization_revoked'] as const;
export type AuthReason = (typeof AUTH_REASONS)[number];

export const isAuthError = (status: ConnectionStatus, reason: string | null | undefined): boolean =>
  status === 'error' && (AUTH_REASONS as readonly string[]).includes(reason ?? '');

export interface ConnectionScope {
  organizationId: string;
  environmentId: string;
}

export interface StatusUpdate {
  status: ConnectionStatus;
  /** Why; cleared when connected. */
  reason?: string | null | undefined;
  message?: string | null | undefined;
  /** The update comes from proof that the credential works: it may clear an auth error. */
  credentialsVerified?: boolean | undefined;
}

export interface StatusChange {
  connection: Connection;
  /** False when the rule above kept the current status. */
  changed: boolean;
}

export const byId = (scope: ConnectionScope, id: string) =>
  and(eq(connections.organizationId, scope.organizationId), eq(connections.environmentId, scope.environmentId), eq(connections.id, id))!;

/** The connection row, locked until the transaction ends (`SELECT … FOR UPDATE`). */
export async function lockConnection(tx: Db, scope: ConnectionScope, id: string): Promise<Connection> {
  const [row] = await tx.select().from(connections).where(byId(scope, id)).for('update');
  if (!row) throw problems.notFound('Connection', id);
  return row;
}

/** What webhook consumers get with every connection event. */
export function eventData(connection: Connection, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    connectionId: connection.id,
    integrationId: connection.integrationId,
    connectorKey: connection.connectorKey,
    endCustomerId: connection.endCustomerId,
    status: connection.status,
    statusReason: connection.statusReason,
    ...extra,
  };
}

/**
 * Sets a connection's status under the rule above, in the caller's transaction (or its own),
 * emitting `connection.refresh_failed` / `connection.recovered` with it.
 *
 * @example
 * await setConnectionStatus(db, scope, connectionId, { status: 'syncing' });            // a sync starts
 * await setConnectionStatus(db, scope, connectionId, { status: 'error', reason: 'invalid_credentials', message }); // a 401
 */
export async function setConnectionStatus(
  db: Db,
  scope: ConnectionScope,
  id: string,
  update: StatusUpdate,
  options: { clock?: Clock } = {},
): Promise<StatusChange> {
  const now = (options.clock ?? systemClock).now();
  return db.transaction(async (tx) => {
    const current = await lockConnection(tx, scope, id);
    const reason = update.status === 'connected' ? null : (update.reason ?? null);
    const currentBlocked = isAuthError(current.status, current.statusReason) || current.status === 'disconnected';
    const nextIsAuth = isAuthError(update.status, reason) || update.status === 'disconnected';
    if (currentBlocked && !update.credentialsVerified && !nextIsAuth) return { connection: current, changed: false };
    const message = update.status === 'connected' ? null : (update.message ?? null);
    const same = current.status === update.status && current.statusReason === reason && current.statusMessage === message;
    if (same) return { connection: current, changed: false };
    const [next] = await tx
      .update(connections)
      .set({
        status: update.status,
        statusReason: reason,
        statusMessage: message,
        statusChangedAt: current.status === update.status && current.statusReason === reason ? current.statusChangedAt : now,
        updatedAt: now,
      })
      .where(byId(scope, id))
      .returning();
    const connection = next!;
    if (reason === 'refresh_failed' && current.statusReason !== 'refresh_failed') {
      await publish(tx, { ...scope, type: 'connection.refresh_failed', data: eventData(connection, { message }), occurredAt: now });
    }
    if (currentBlocked && (update.status === 'connected' || update.status === 'syncing')) {
      await publish(tx, { ...scope, type: 'connection.recovered', data: eventData(connection, { previousStatus: current.status, previousReason: current.statusReason }), occurredAt: now });
    }
    return { connection, changed: true };
  });
}

/**
 * What a sync run reports at its end: `lastSyncAt`, `lastSyncError` (null on success) and the
 * consecutive error count. The status is left alone (the next run decides).
 */
export async function recordSyncOutcome(
  db: Db,
  scope: ConnectionScope,
  id: string,
  outcome: { at: Date; error?: string | null | undefined },
): Promise<Connection> {
  const failed = Boolean(outcome.error);
  const [row] = await db
    .update(connections)
    .set({
      lastSyncAt: outcome.at,
      lastSyncError: outcome.error ?? null,
      errorCount: failed ? sql`${connections.errorCount} + 1` : 0,
      updatedAt: outcome.at,
    })
    .where(byId(scope, id))
    .returning();
  if (!row) throw problems.notFound('Connection', id);
  return row;
}
