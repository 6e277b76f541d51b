/**
 * What the Connect UI does with a connect session: show the allowed integrations with the forms
 * their manifests describe, test a credential live without storing it, and make the session's one
 * connection — or, for a reconnect session, replace the credentials of its connection. A session
 * makes one connection: it is claimed before the connection is made (so two tabs cannot both make
 * one) and released again when the provider refuses the credential.
 */
import { and, eq, isNull } from 'drizzle-orm';
import { ProblemError, problems, systemClock, type Clock } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import type { Actor } from '../auth/index.ts';
import type { Vault } from '../credentials/index.ts';
import { connectSessions, sessionAllows, type ConnectSession } from '../credentials/oauth/index.ts';
import { getConnector, type Field } from '../connectors/index.ts';
import { getIntegration, listIntegrations, type Integration } from '../integrations/index.ts';
import { createConnection, findIntegration, type CreateOptions } from './connections.ts';
import { getConnection } from './context.ts';
import { replaceConnectionCredentials } from './replace.ts';
import type { TestResult } from './test.ts';
import type { Connection } from './schema.ts';
import type { Theme } from './theme.ts';
import { integrationThemesOf } from './theme-store.ts';

/** Connection modes an end customer can complete in the Connect UI. */
export const CONNECTABLE_MODES = ['oauth', 'apiKey', 'basic'] as const;
export const connectionModeOf = (integration: Integration): string | undefined => getConnector(integration.connectorKey)?.manifest.connectionMode;
export const isConnectable = (integration: Integration): boolean => (CONNECTABLE_MODES as readonly string[]).includes(connectionModeOf(integration) ?? '');

export const sessionScope = (session: ConnectSession) => ({ organizationId: session.organizationId, environmentId: session.environmentId });
/** Changes made through a session are audited as the session's. */
export const sessionActor = (session: ConnectSession): Actor => ({ type: 'system', id: `connect_session:${session.id}` });

/** The 409 a session answers once it has made its connection. */
export function sessionUsed(session: Pick<ConnectSession, 'usedConnectionId'>): ProblemError {
  return new ProblemError('connect-session-used', 409, 'Connect session already used', {
    detail: session.usedConnectionId
      ? `This connect session already made connection ${session.usedConnectionId}; a session makes one connection. Create a new connect session to connect another account.`
      : 'This connect session is making a connection right now; a session makes one connection. Create a new connect session to connect another account.',
    extra: { connectionId: session.usedConnectionId ?? null },
  });
}

export interface FieldView extends Field {
  name: string;
}

export interface ConnectableIntegration {
  id: string;
  key: string;
  name: string;
  connectorKey: string;
  connectionMode: string;
  description: string;
  icon: string;
  /** API key and basic: the credential form. */
  fields: FieldView[];
  /** Connection configuration the end customer fills in (subdomain, region). */
  configFields: FieldView[];
  /** The integration's default theme; the session's own theme goes over it. */
  theme: Theme | null;
}

const fieldList = (fields: Record<string, Field>, known: Record<string, string> = {}): FieldView[] =>
  Object.entries(fields)
    .filter(([name]) => known[name] === undefined)
    .map(([name, field]) => ({ name, ...field }));

/** The integrations a session lets its end customer connect, with their forms. */
export async function connectableIntegrations(db: Db, session: ConnectSession): Promise<ConnectableIntegration[]> {
  const scope = sessionScope(session);
  let chosen: Integration[];
  if (session.connectionId) {
    const connection = await getConnection(db, scope, session.connectionId);
    const integration = connection ? await getIntegration(db, scope, connection.integrationId) : undefined;
    chosen = integration ? [integration] : [];
  } else if (session.integrationIds) {
    chosen = (await Promise.all(session.integrationIds.map((id) => getIntegration(db, scope, id)))).filter((i): i is Integration => Boolean(i));
  } else {
    chosen = await listIntegrations(db, scope, { limit: 250, enabled: true });
  }
  const shown = chosen.filter((i) => i.enabled && isConnectable(i));
  const themes = await integrationThemesOf(db, scope, shown.map((i) => i.id));
  return shown
    .map((integration) => {
      const { manifest } = getConnector(integration.connectorKey)!;
      return {
        id: integration.id,
        key: integration.key,
        name: integration.name,
        connectorKey: integration.connectorKey,
        connectionMode: manifest.connectionMode,
        description: manifest.description,
        icon: manifest.icon,
        fields: manifest.connectionMode === 'oauth' ? [] : fieldList(manifest.auth.fields),
        // A reconnect keeps the connection's configuration.
        configFields: session.connectionId ? [] : fieldList(manifest.connectionConfig, session.connectionConfig),
        theme: themes.get(integration.id) ?? null,
      };
    });
}

export interface SessionConnectInput {
  integration: string;
  credentials?: Record<string, string> | undefined;
  config?: Record<string, string> | undefined;
}

async function allowedIntegration(db: Db, session: ConnectSession, ref: string): Promise<Integration> {
  const integration = await findIntegration(db, sessionScope(session), ref);
  if (!integration || !sessionAllows(session, integration.id)) {
    throw problems.validation([{ field: '/integration', message: `this connect session does not allow "${ref}"` }]);
  }
  if (!isConnectable(integration)) throw problems.validation([{ field: '/integration', message: `${integration.name} cannot be connected in the Connect UI` }]);
  if (connectionModeOf(integration) === 'oauth') {
    throw problems.unprocessable(`${integration.name} connects with OAuth: open its connect URL (/oauth/connect/${integration.id}) in a popup instead.`);
  }
  if (session.connectionId) {
    const connection = await getConnection(db, sessionScope(session), session.connectionId);
    if (!connection || connection.integrationId !== integration.id) throw problems.unprocessable(`This reconnect session is for connection ${session.connectionId}, not for ${integration.name}.`);
  }
  return integration;
}

/** The Connect UI's live test: everything a connection would be checked and tested for, nothing stored. */
export async function testWithSession(db: Db, vault: Vault, session: ConnectSession, input: SessionConnectInput, options: CreateOptions = {}): Promise<TestResult> {
  const integration = await allowedIntegration(db, session, input.integration);
  const scope = sessionScope(session);
  if (session.connectionId) {
    try {
      const replaced = await replaceConnectionCredentials(db, vault, scope, session.connectionId, { credentials: input.credentials }, { ...options, dryRun: true });
      return replaced.test;
    } catch (err) {
      return asTestResult(err);
    }
  }
  try {
    const { test } = await createConnection(
      db,
      vault,
      scope,
      { integration: integration.id, endCustomerId: session.endCustomerId, credentials: input.credentials, config: { ...session.connectionConfig, ...input.config } },
      { ...options, dryRun: true },
    );
    return test!;
  } catch (err) {
    return asTestResult(err);
  }
}

/** A refused test comes back as its outcome; anything else (a 400 naming a field) is thrown. */
function asTestResult(err: unknown): TestResult {
  if (err instanceof ProblemError && err.type.endsWith('/connection-test-failed')) return { outcome: err.extra.test as TestResult['outcome'] };
  throw err;
}

async function claim(db: Db, session: ConnectSession, clock: Clock): Promise<void> {
  const [claimed] = await db
    .update(connectSessions)
    .set({ usedAt: clock.now() })
    .where(and(eq(connectSessions.id, session.id), isNull(connectSessions.usedAt)))
    .returning({ id: connectSessions.id });
  if (!claimed) {
    const [current] = await db.select().from(connectSessions).where(eq(connectSessions.id, session.id));
    throw sessionUsed(current ?? session);
  }
}

/**
 * Makes the session's connection (tested first), or replaces its connection's credentials.
 *
 * @throws ProblemError 409 `connect-session-used` for a session that made its connection already,
 *   422 `connection-test-failed` when the provider refused the credential (the session stays usable)
 */
export async function connectWithSession(
  db: Db,
  vault: Vault,
  session: ConnectSession,
  input: SessionConnectInput,
  options: CreateOptions = {},
): Promise<{ connection: Connection; replaced: boolean }> {
  const clock = options.clock ?? systemClock;
  if (session.usedAt) throw sessionUsed(session);
  const integration = await allowedIntegration(db, session, input.integration);
  const scope = sessionScope(session);
  await claim(db, session, clock);
  let result: { connection: Connection; replaced: boolean };
  try {
    const actor = sessionActor(session);
    result = session.connectionId
      ? { connection: (await replaceConnectionCredentials(db, vault, scope, session.connectionId, { credentials: input.credentials }, { ...options, actor })).connection, replaced: true }
      : {
          connection: (
            await createConnection(
              db,
              vault,
              scope,
              { integration: integration.id, endCustomerId: session.endCustomerId, tags: session.tags, credentials: input.credentials, config: { ...session.connectionConfig, ...input.config } },
              { ...options, actor },
            )
          ).connection,
          replaced: false,
        };
  } catch (err) {
    await db.update(connectSessions).set({ usedAt: null }).where(eq(connectSessions.id, session.id));
    throw err;
  }
  await db.update(connectSessions).set({ usedConnectionId: result.connection.id }).where(eq(connectSessions.id, session.id));
  return result;
}

/**
 * Marks a session used by a connection an OAuth flow made, in the flow's transaction.
 * @returns false when the session had already made another connection.
 */
export async function markSessionUsed(tx: Db, sessionId: string, connectionId: string, clock: Clock): Promise<boolean> {
  const [session] = await tx.select().from(connectSessions).where(eq(connectSessions.id, sessionId)).for('update');
  // Sessions expire and are cleaned up; a flow started in time may still finish.
  if (!session) return true;
  if (session.usedAt && session.usedConnectionId !== connectionId) return false;
  await tx.update(connectSessions).set({ usedAt: session.usedAt ?? clock.now(), usedConnectionId: connectionId }).where(eq(connectSessions.id, sessionId));
  return true;
}
