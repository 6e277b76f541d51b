/**
 * Deleting connections: one (`deleteConnection`) or every one of an end customer
 * (`eraseEndCustomer`, a data-protection request). OAuth tokens are revoked at the provider first
 * (RFC 7009, where the manifest names a revocation endpoint) — best effort: a provider that
 * cannot be reached does not keep a deletion from happening, and the answer says so. Then the
 * rows, their vault secrets and the end customer's pending connect sessions and authorizations
 * go in one transaction, with a `connection.deleted` event for each connection.
 *
 * Erasing also erases what other modules keep of the end customer: each registers an eraser
 * with `onEndCustomerErased` (syncs: records and sync state; inbound webhooks: the requests
 * routed to their connections), and all of them run in the erasing transaction, so an erasure
 * happens entirely or not at all. Erasers are handed every connection of the end customer: the
 * ones being erased and those deleted earlier that events still tie to them. The end customer's
 * events (and, through the events module, every copy of them) go last, so that an event a module
 * published while its eraser waited for a lock is erased too. The erasure's own
 * `connection.deleted` events (reason `end_customer_erased`) are published after that, so that
 * subscribers learn of it; they carry ids only, like the audit entry.
 */
import { and, eq, inArray, ne } from 'drizzle-orm';
import { problems, silentLogger, systemClock, toError, type Logger } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import { recordAudit } from '../auth/index.ts';
import type { Vault } from '../credentials/index.ts';
import { deleteConnectSessionsOf, deleteStatesOf, revokeTokens, type RevocationResult } from '../credentials/oauth/index.ts';
import { eraseEventsOf, formerConnectionsOf, publish } from '../events/index.ts';
import { getIntegration } from '../integrations/index.ts';
import { jobs } from '../queue/index.ts';
import { connections, type Connection } from './schema.ts';
import { getConnection, type ConnectionServiceOptions } from './context.ts';
import { connectionOwner, environmentOf, openConfigSecrets, openTokens } from './credentials.ts';
import { integrationOAuth } from './oauth-client.ts';
import { REFRESH_JOB, refreshJob } from './refresh.ts';
import { eventData, type ConnectionScope } from './status.ts';
import { deleteEmbedTokensOf } from './embed.ts';

export interface EndCustomerSubject extends ConnectionScope {
  endCustomerId: string;
  /**
   * Every connection of theirs: the ones being erased (already gone from the table when erasers
   * run), then those deleted earlier that their events name.
   */
  connectionIds: readonly string[];
}

/**
 * Erases one module's data of an end customer, in the erasing transaction. Returns how many rows
 * went — one number (reported under the eraser's name) or a count per kind of row (reported
 * under each key, e.g. `{ records: 120, syncRuns: 3 }`).
 */
export type EndCustomerEraser = (tx: Db, subject: EndCustomerSubject) => Promise<number | Readonly<Record<string, number>> | void>;
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
  /** Rows erased, by kind: `events`, and what each registered module reports. */
  erased: Record<string, number>;
}

/**
 * The connections deleted before, that events tie to the end customer. An id that names a live
 * connection again (a caller may choose ids) is another end customer's now, and is left out:
 * their data must not go with this erasure.
 */
async function formerConnections(tx: Db, scope: ConnectionScope, endCustomerId: string, erasing: readonly string[]): Promise<string[]> {
  const named = (await formerConnectionsOf(tx, { ...scope, endCustomerId })).filter((id) => !erasing.includes(id));
  if (named.length === 0) return [];
  const live = await tx
    .select({ id: connections.id })
    .from(connections)
    .where(and(eq(connections.organizationId, scope.organizationId), eq(connections.environmentId, scope.environmentId), inArray(connections.id, named)));
  return named.filter((id) => !live.some((c) => c.id === id));
}

/** Waiting and dead-lettered token renewals of the connections (a running one finds its connection gone). */
async function deleteRefreshJobs(tx: Db, scope: ConnectionScope, connectionIds: readonly string[]): Promise<void> {
  if (connectionIds.length === 0) return;
  const keys = connectionIds.map((id) => refreshJob(scope, id).key);
  await tx.delete(jobs).where(and(eq(jobs.type, REFRESH_JOB), inArray(jobs.key, keys), ne(jobs.state, 'running')));
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
    const embedTokensDeleted = await deleteEmbedTokensOf(tx, scope, endCustomerId);
    const erasing = doomed.map((c) => c.id);
    const subject: EndCustomerSubject = { ...scope, endCustomerId, connectionIds: [...erasing, ...(await formerConnections(tx, scope, endCustomerId, erasing))] };
    await deleteRefreshJobs(tx, scope, subject.connectionIds);
    const erased: Record<string, number> = { events: 0, ...(embedTokensDeleted > 0 ? { embedTokens: embedTokensDeleted } : {}) };
    // Two modules may count one kind: the counts add up.
    const count = (kind: string, n: number) => {
      erased[kind] = (erased[kind] ?? 0) + n;
    };
    for (const [name, eraser] of erasers) {
      const result = (await eraser(tx, subject)) ?? 0;
      if (typeof result === 'number') count(name, result);
      else for (const [kind, n] of Object.entries(result)) count(kind, n);
    }
    count('events', await eraseEventsOf(tx, subject));
    await announceDeleted(tx, scope, doomed, now, 'end_customer_erased');
    if (options.actor) {
      // The end customer's id is the subject of the request; it is what the log must show was erased.
      await recordAudit(tx, { ...scope, actor: options.actor, action: 'end_customer.erased', targetType: 'end_customer', targetId: endCustomerId, details: { connections: doomed.length, secrets: secretsDeleted, erased } });
    }
    return { endCustomerId, connectionsDeleted: erasing, secretsDeleted, revocations, connectSessionsDeleted, erased };
  });
}
