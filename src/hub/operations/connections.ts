/**
 * `patchbay connections list|show|create|test|rotate|delete|actions|run`: end customers' linked accounts.
 * Bodies are the API's, checked with the route's own schema; the domain functions (which test
 * the credential against the provider and audit) and the view are the route's.
 */
import type { Actor } from '../../auth/index.ts';
import { loadRegistry } from '../../connectors/index.ts';
import { closeProviderAgent, createProviderProxy } from '../../proxy/index.ts';
import { listConnectionActions, runConnectionAction } from '../../api/routes/connection-actions.ts';
import { connectionResolver } from '../connection-resolver.ts';
import { CONNECTION_STATUSES, connections, createConnection, deleteConnection, getConnection, listConnections, replaceConnectionCredentials, testConnection, type ConnectionStatus } from '../../connections/index.ts';
import { CreateConnectionBody, decodeCursor, encodeCursor, ReplaceCredentialsBody, view } from '../../api/routes/connections.ts';
import { bodyOf, limitOf, scopeOf, scopeOfRow, type EnvironmentScope } from './args.ts';
import { OperationError, required, text, type Operation, type OperationContext } from './index.ts';

const CLI: Actor = { type: 'cli', id: null };

const services = (context: OperationContext) => ({ clock: context.clock, logger: context.logger, actor: CLI });

async function target(context: OperationContext, args: Record<string, unknown>): Promise<{ scope: EnvironmentScope; id: string }> {
  await loadRegistry();
  return { scope: await scopeOfRow(context, args, connections, 'connection'), id: required(args, 'id') };
}

function status(args: Record<string, unknown>): ConnectionStatus | undefined {
  const value = text(args, 'status');
  if (value && !CONNECTION_STATUSES.includes(value as ConnectionStatus)) throw new OperationError(`--status must be one of ${CONNECTION_STATUSES.join(', ')}`);
  return value as ConnectionStatus | undefined;
}

const list: Operation = async (context, args) => {
  const scope = await scopeOf(context, args);
  const limit = limitOf(args, 250, 50);
  const rows = await listConnections(context.database.db, scope, {
    integrationId: text(args, 'integration'),
    connectorKey: text(args, 'connector'),
    endCustomerId: text(args, 'endCustomer'),
    status: status(args),
    tag: text(args, 'tag'),
    limit: limit + 1,
    after: decodeCursor(text(args, 'cursor')),
  });
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  return { data: await Promise.all(data.map((c) => view({ deps: context }, scope, c))), nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
};

const show: Operation = async (context, args) => {
  const { scope, id } = await target(context, args);
  const connection = await getConnection(context.database.db, scope, id);
  if (!connection) throw new OperationError(`no connection ${id}`, 404);
  return view({ deps: context }, scope, connection);
};

const create: Operation = async (context, args) => {
  const body = bodyOf<Parameters<typeof createConnection>[3]>(args, CreateConnectionBody);
  await loadRegistry();
  const scope = await scopeOf(context, args);
  const { connection } = await createConnection(context.database.db, context.vault, scope, body, services(context));
  return view({ deps: context }, scope, connection);
};

const test: Operation = async (context, args) => {
  const { scope, id } = await target(context, args);
  const result = await testConnection(context.database.db, context.vault, scope, id, { clock: context.clock, logger: context.logger });
  return { ...result.outcome, ...(result.accountInfo ? { accountInfo: { ...result.accountInfo } } : {}), connection: await view({ deps: context }, scope, result.connection) };
};

/** New credentials, tested before they replace the stored ones (the old ones stay until then). */
const rotate: Operation = async (context, args) => {
  const body = bodyOf<Parameters<typeof replaceConnectionCredentials>[4]>(args, ReplaceCredentialsBody);
  const { scope, id } = await target(context, args);
  const replaced = await replaceConnectionCredentials(context.database.db, context.vault, scope, id, body, services(context));
  return { ...(await view({ deps: context }, scope, replaced.connection)), secretVersion: replaced.secretVersion };
};

const remove: Operation = async (context, args) => {
  const { scope, id } = await target(context, args);
  const { connection, revocation } = await deleteConnection(context.database.db, context.vault, scope, id, services(context));
  return { ...(await view({ deps: context }, scope, connection)), credential: null, revocation };
};

/** The provider access a command on the database itself uses: the hub's resolver and its own proxy. */
async function withProviders<T>(context: OperationContext, work: (services: Parameters<typeof listConnectionActions>[0]) => Promise<T>): Promise<T> {
  const proxy = createProviderProxy();
  try {
    return await work({ resolver: connectionResolver({ db: context.database.db, vault: context.vault, clock: context.clock, logger: context.logger }), proxy });
  } finally {
    await proxy.close();
  }
}

const actions: Operation = async (context, args) => {
  const { scope, id } = await target(context, args);
  return { data: await withProviders(context, (services) => listConnectionActions(services, scope, id)) };
};

const runAction: Operation = async (context, args) => {
  const { scope, id } = await target(context, args);
  const input = (args.body ?? {}) as Record<string, unknown>;
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new OperationError('the input is a JSON object');
  return withProviders(context, (services) => runConnectionAction({ db: context.database.db, services }, scope, id, required(args, 'action'), input, { actor: CLI, logger: context.logger }));
};

/**
 * Outside a hub (the CLI on the database itself) the provider connections a test opened are closed
 * after the operation, so the command exits at once instead of when they idle out (10 s).
 */
const closingProviders =
  (operation: Operation): Operation =>
  async (context, args) => {
    try {
      return await operation(context, args);
    } finally {
      if (!context.hubUrl) await closeProviderAgent();
    }
  };

export const connectionOperations = {
  'connections.list': list,
  'connections.show': show,
  'connections.create': closingProviders(create),
  'connections.test': closingProviders(test),
  'connections.rotate': closingProviders(rotate),
  'connections.delete': closingProviders(remove),
  'connections.actions': actions,
  'connections.run': closingProviders(runAction),
};
