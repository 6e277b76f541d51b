/**
 * Deleting connections: one (`deleteConnection`) or every one of an end customer
 * (`eraseEndCustomer`, a data-protection request). OAuth tokens are revoked at the provider first
 * (RFC 7009, where the manifest names a revocation endpoint) — best effort: a provider that
 * cannot be reached does not keep a deletion from happening, and the answer says so. Then the
 * rows, their vault secrets and the end customer's pending connect sessions and authorizations
 * go in one transaction, with a `connection.deleted` event for each connection.
 *
 * Erasing also erases the end customer's events (and, through the events module, every copy of
 * them). Later modules that keep data of end customers (records, sync state…) register an eraser
 * with `onEndCustomerErased`; it runs in the same transaction. The erasure's own
 * `connection.deleted` events (reason `end_customer_erased`) are published after the erasers ran,
 * so that subscribers learn of it; they carry ids only, like the audit entry.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { problems, silentLogger, systemClock, toError, type Logger } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import { recordAudit } from '../auth/index.ts';
import type { Vault } from '../credentials/index.ts';
import { deleteConnectSessionsOf, deleteStatesOf, revokeTokens, type RevocationResult } from '../credentials/oauth/index.ts';
import { eraseEventsOf, publish } from '../events/index.ts';
import { getIntegration } from '../integrations/index.ts';
import { connections, type Connection } from './schema.ts';
import { getConnection, type ConnectionServiceOptions } from './context.ts';
import { connectionOwner, environmentOf, openConfigSecrets, openTokens } from './credentials.ts';
import { integrationOAuth } from './oauth-client.ts';
import { eventData, type ConnectionScope } from './status.ts';

export interface EndCustomerSubject extends ConnectionScope {
  endCustomerId: string;
  /** The connections being erased (already gone from the table when erasers run). */
  connectionIds: readonly string[];
}

/** Erases one module's data of an end customer, in the erasing transaction; returns how many rows went. */
export type EndCustomerEraser = (tx: Db, subject: EndCustomerSubject) => Promise<number | void>;
const erasers = new Map<string, EndCustomerEraser>();

/** Registers (by name, once per process) what a module erases for `DELETE /end-customers/{id}`. */
export function onEndCustomerErased(name: string, eraser: EndCustomerEraser): void {
  erasers.set(name, eraser);
}

/** Revokes a connection's OAuth tokens at the provider; never throws. */
export async function revokeConnectionTokens(
  db: Db,
  vault: Vault,
  scope: ConnectionScope,
  connection: Connection,
  logger: Logger = silentLogger,
): Promise<RevocationResult> {
  if (connection.credentialType !== 'oauth2' && connection.credentialType !== 'clientCredentials') return { attempted: false, ok: false };
  try {
    const integration = await getIntegration(db, scope, connection.integrationId);
    if (!integration) return { attempted: false, ok: false };
    const config = { ...connection.config, ...(await openConfigSecrets(db, vault, scope, connection.id)) };
    const oauth = await integrationOAuth(db, vault, scope, integration, await environmentOf(db, scope), config);
    const result = await revokeTokens(oauth.settings, await openTokens(db, vault, scope, connection.id));
    if (result.attempted && !result.ok) logger.warn({ connectionId: connection.id, error: result.error }, 'token revocation failed');
    return result;
  } catch (err) {
    const error = toError(err).message;
    logger.warn({ connectionId: connection.id, error }, 'token revocation failed');
    return { attempted: true, ok: false, error };
  }
}

/** Deletes the connections and their vault secrets; returns how many secrets went. */
async function removeRows(tx: Db, vault: Vault, scope: ConnectionScope, doomed: readonly Connection[]): Promise<number> {
  let secrets = 0;
  if (doomed.length === 0) return 0;
  await tx.delete(connections).where(
    and(
      eq(connections.organizationId, scope.organizationId),
      eq(connections.environmentId, scope.environmentId),
      inArray(
        connections.id,
        doomed.map((c) => c.id),
      ),
    ),
  );
  for (const connection of doomed) secrets += await vault.remove(tx, scope, connectionOwner(connection.id));
  return secrets;
}

async function announceDeleted(tx: Db, scope: ConnectionScope, doomed: readonly Connection[], at: Date, reason: string): Promise<void> {
  for (const connection of doomed) await publish(tx, { ...scope, type: 'connection.deleted', data: eventData(connection, { reason }), occurredAt: at });
}

/**
 * @example
 * const { revocation } = await deleteConnection(db, vault, scope, 'conn_…');
 * if (revocation.attempted && !revocation.ok) console.warn('the provider still holds a grant:', revocation.error);
 */
export async function deleteConnection(
  db: Db,
  vault: Vault,
  scope: ConnectionScope,
  id: string,
  options: ConnectionServiceOptions = {},
): Promise<{ connection: Connection; revocation: RevocationResult; secretsDeleted: number }> {
  const connection = await getConnection(db, scope, id);
  if (!connection) throw problems.notFound('Connection', id);
  const revocation = await revokeConnectionTokens(db, vault, scope, connection, options.logger);
  const now = (options.clock ?? systemClock).now();
  const secretsDeleted = await db.transaction(async (tx) => {
    const removed = await removeRows(tx, vault, scope, [connection]);
    await announceDeleted(tx, scope, [connection], now, 'deleted');
    if (options.actor) {
      await recordAudit(tx, { ...scope, actor: options.actor, action: 'connection.deleted', targetType: 'connection', targetId: id, details: { revoked: revocation.ok } });
    }
    return removed;
  });
  return { connection, revocation, secretsDeleted };
}

export interface ErasureReport {
  endCustomerId: string;
  connectionsDeleted: string[];
  secretsDeleted: number;
  revocations: Record<string, RevocationResult>;
  connectSessionsDeleted: number;
  /** Rows erased by each registered module. */
  erased: Record<string, number>;
}

/** Erases every connection, credential, event and (through the registered erasers) record of one end customer. */
export async function eraseEndCustomer(
  db: Db,
  vault: Vault,
  scope: ConnectionScope,
  endCustomerId: string,
  options: ConnectionServiceOptions = {},
): Promise<ErasureReport> {
  const theirs = await db
    .select()
    .from(connections)
    .where(and(eq(connections.organizationId, scope.organizationId), eq(connections.environmentId, scope.environmentId), eq(connections.endCustomerId, endCustomerId)));
  const revocations: Record<string, RevocationResult> = {};
  for (const connection of theirs) revocations[connection.id] = await revokeConnectionTokens(db, vault, scope, connection, options.logger);
  const now = (options.clock ?? systemClock).now();
  return db.transaction(async (tx) => {
    // Connections added while tokens were being revoked are erased too.
    const doomed = await tx
      .select()
      .from(connections)
      .where(and(eq(connections.organizationId, scope.organizationId), eq(connections.environmentId, scope.environmentId), eq(connections.endCustomerId, endCustomerId)))
      .for('update');
    const secretsDeleted = await removeRows(tx, vault, scope, doomed);
    const connectSessionsDeleted = (await deleteConnectSessionsOf(tx, scope, endCustomerId)) + (await deleteStatesOf(tx, scope, endCustomerId));
    const subject: EndCustomerSubject = { ...scope, endCustomerId, connectionIds: doomed.map((c) => c.id) };
    const erased: Record<string, number> = { events: await eraseEventsOf(tx, subject) };
    for (const [name, eraser] of erasers) erased[name] = (await eraser(tx, subject)) ?? 0;
    await announceDeleted(tx, scope, doomed, now, 'end_customer_erased');
    if (options.actor) {
      // The end customer's id is the subject of the request; it is what the log must show was erased.
      await recordAudit(tx, { ...scope, actor: options.actor, action: 'end_customer.erased', targetType: 'end_customer', targetId: endCustomerId, details: { connections: doomed.length, secrets: secretsDeleted, erased } });
    }
    return { endCustomerId, connectionsDeleted: subject.connectionIds.slice(), secretsDeleted, revocations, connectSessionsDeleted, erased };
  });
}
