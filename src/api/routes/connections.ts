import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { problems } from '../../core/index.ts';
import { loadRegistry } from '../../connectors/index.ts';
import type { SecretInfo } from '../../credentials/index.ts';
import {
  CONNECTION_STATUSES,
  connectionOwner,
  createConnection,
  deleteConnection,
  eraseEndCustomer,
  getConnection,
  listConnections,
  replaceConnectionCredentials,
  revealCredentials,
  testConnection,
  type Connection,
} from '../../connections/index.ts';
import { actorOf, loggerOf, tenantOf, type ApiDeps, type TenantScope } from '../context.ts';
import { AUTHENTICATED_PROBLEMS, iso, NullableTimestamp, problemResponses, Timestamp } from '../schemas.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const AnyObject = Type.Object({}, { additionalProperties: true });
const Strings = Type.Record(Type.String(), Type.String());
const ConnectionIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });

const TestOutcomeView = Type.Object({
  ok: Type.Boolean(),
  code: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
  hint: Type.Optional(Type.String()),
  status: Type.Optional(Type.Integer()),
});

const ConnectionView = Type.Object({
  id: Type.String(),
  integrationId: Type.String(),
  connectorKey: Type.String(),
  endCustomerId: Type.String(),
  tags: Type.Array(Type.String()),
  config: Strings,
  metadata: AnyObject,
  status: Type.Enum(CONNECTION_STATUSES),
  statusReason: Nullable(Type.String()),
  statusMessage: Nullable(Type.String()),
  statusChangedAt: Timestamp,
  credentialType: Type.String(),
  credentialReference: Nullable(Type.String()),
  credential: Nullable(
    Type.Object({
      rotatedAt: Timestamp,
      rotateEveryDays: Nullable(Type.Integer()),
      owner: Nullable(Type.String()),
      dueAt: NullableTimestamp,
      due: Type.Boolean(),
      overdue: Type.Boolean(),
    }),
  ),
  accountInfo: AnyObject,
  tokenExpiresAt: NullableTimestamp,
  lastRefreshAt: NullableTimestamp,
  lastSyncAt: NullableTimestamp,
  lastSyncError: Nullable(Type.String()),
  errorCount: Type.Integer(),
  lastTestAt: NullableTimestamp,
  lastTest: Nullable(TestOutcomeView),
  lastTestedAt: Type.Union([Timestamp, Type.Null()], { description: 'When the credential was last tested (same as lastTestAt)' }),
  lastError: Nullable(
    Type.Object(
      { ...TestOutcomeView.properties, ok: Type.Literal(false), at: Timestamp },
      { description: 'The last test’s failure (refused key, unreachable provider, timeout, 5xx), until a test passes; null when the last test passed or none ran' },
    ),
  ),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

/** The body of create, also what `patchbay connections create` checks. */
export const CreateConnectionBody = Type.Object(
  {
    integration: Type.String({ minLength: 1, maxLength: 128, description: 'The integration’s id or key' }),
    id: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'Your own id for the connection (unique in the environment); conn_… when left out' })),
    endCustomerId: Type.String({ minLength: 1, maxLength: 255 }),
    tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 50, uniqueItems: true })),
    config: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Type.String({ maxLength: 2000 }))),
    credentials: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Type.String({ maxLength: 10_000 }), { description: 'API key and basic connectors: the manifest’s auth fields' })),
    credentialReference: Type.Optional(Type.String({ minLength: 1, maxLength: 1000, description: 'managedVault connectors: env:NAME, file:path or vault:mount/path#field' })),
    grantType: Type.Optional(Type.Literal('client_credentials')),
    rotation: Type.Optional(
      Type.Object(
        { owner: Type.Optional(Nullable(Type.String({ maxLength: 200 }))), everyDays: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 36_500 }))) },
        { additionalProperties: false, description: 'Who replaces the credential, and how often' },
      ),
    ),
    test: Type.Optional(Type.Boolean({ description: 'Test the credential first and refuse it when the test fails (default true); false stores it untested' })),
  },
  { additionalProperties: false },
);

/** The body of replacing a connection’s credentials, also what `patchbay connections rotate` checks. */
export const ReplaceCredentialsBody = Type.Object(
  {
    credentials: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Type.String({ maxLength: 10_000 }), { description: 'API key and basic connections: the manifest’s auth fields, complete' })),
    credentialReference: Type.Optional(Type.String({ minLength: 1, maxLength: 1000, description: 'managedVault connections: env:NAME, file:path or vault:mount/path#field' })),
    rotation: Type.Optional(
      Type.Object(
        { owner: Type.Optional(Nullable(Type.String({ maxLength: 200 }))), everyDays: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 36_500 }))) },
        { additionalProperties: false, description: 'Who replaces the credential, and how often' },
      ),
    ),
  },
  { additionalProperties: false },
);

type ViewApp = { deps: Pick<ApiDeps, 'database' | 'vault'> };

/** The connection's main credential, for its rotation metadata (never its value). */
async function credentialInfo(app: ViewApp, scope: TenantScope, connection: Connection, known?: readonly SecretInfo[]) {
  const secrets = known ?? (await app.deps.vault.list(app.deps.database.db, scope, connectionOwner(connection.id)));
  const main = secrets.find((s) => s.name === 'credentials' || s.name === 'oauthTokens');
  if (!main) return null;
  const { rotation } = main;
  return { rotatedAt: iso(rotation.rotatedAt)!, rotateEveryDays: rotation.everyDays, owner: rotation.owner, dueAt: iso(rotation.dueAt), due: rotation.due, overdue: rotation.overdue };
}

/** The API's view of a connection; `patchbay connections` shows the same. */
export async function view(app: ViewApp, scope: TenantScope, c: Connection, secrets?: readonly SecretInfo[]) {
  return {
    id: c.id,
    integrationId: c.integrationId,
    connectorKey: c.connectorKey,
    endCustomerId: c.endCustomerId,
    tags: c.tags,
    config: c.config,
    metadata: c.metadata,
    status: c.status,
    statusReason: c.statusReason,
    statusMessage: c.statusMessage,
    statusChangedAt: iso(c.statusChangedAt)!,
    credentialType: c.credentialType,
    credentialReference: c.credentialReference,
    credential: await credentialInfo(app, scope, c, secrets),
    accountInfo: c.accountInfo,
    tokenExpiresAt: iso(c.tokenExpiresAt),
    lastRefreshAt: iso(c.lastRefreshAt),
    lastSyncAt: iso(c.lastSyncAt),
    lastSyncError: c.lastSyncError,
    errorCount: c.errorCount,
    lastTestAt: iso(c.lastTestAt),
    lastTest: c.lastTest,
    lastTestedAt: iso(c.lastTestAt),
    lastError: c.lastTest && !c.lastTest.ok && c.lastTestAt ? { ...c.lastTest, ok: false as const, at: iso(c.lastTestAt)! } : null,
    createdAt: iso(c.createdAt)!,
    updatedAt: iso(c.updatedAt)!,
  };
}

// Connection ids may be the caller's own, so the cursor carries the position (time, id), not an id.
export function encodeCursor(c: Connection): string {
  return Buffer.from(JSON.stringify([c.createdAt.toISOString(), c.id]), 'utf8').toString('base64url');
}
export function decodeCursor(cursor: string | undefined): { createdAt: Date; id: string } | undefined {
  if (!cursor) return undefined;
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    const createdAt = new Date(String(at));
    if (typeof id === 'string' && typeof at === 'string' && !Number.isNaN(createdAt.getTime())) return { createdAt, id };
  } catch {
    // Falls through to the 400 below.
  }
  throw problems.validation([{ field: 'querystring:/cursor', message: 'is not a cursor this API gave out' }]);
}

const RevocationView = Type.Object({ attempted: Type.Boolean(), ok: Type.Boolean(), error: Type.Optional(Type.String()) });

export const connectionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await loadRegistry();
  const tags = ['connections'];
  const services = (request: FastifyRequest) => ({ clock: app.deps.clock, logger: loggerOf(request) });

  app.get(
    '/connections',
    {
      config: { scope: 'connections:read' },
      schema: {
        operationId: 'listConnections',
        tags,
        summary: 'This environment’s connections, newest first',
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 250, default: 50 })),
          cursor: Type.Optional(Type.String({ maxLength: 500 })),
          integrationId: Type.Optional(Type.String({ maxLength: 128 })),
          connectorKey: Type.Optional(Type.String({ maxLength: 64 })),
          endCustomerId: Type.Optional(Type.String({ maxLength: 255 })),
          status: Type.Optional(Type.Enum(CONNECTION_STATUSES)),
          tag: Type.Optional(Type.String({ maxLength: 100 })),
        }),
        response: { 200: Type.Object({ data: Type.Array(ConnectionView), nextCursor: Nullable(Type.String()) }), ...problemResponses(...AUTHENTICATED_PROBLEMS) },
      },
    },
    async (request) => {
      const scope = tenantOf(request);
      const { limit = 50, cursor, ...filter } = request.query;
      const rows = await listConnections(app.deps.database.db, scope, { ...filter, limit: limit + 1, after: decodeCursor(cursor) });
      const data = rows.slice(0, limit);
      const last = data[data.length - 1];
      // One query for the page's credential metadata, not one per connection.
      const secrets = await app.deps.vault.listOwners(app.deps.database.db, scope, 'connection', data.map((c) => c.id));
      const byOwner = new Map<string, SecretInfo[]>();
      for (const secret of secrets) byOwner.set(secret.ownerId, [...(byOwner.get(secret.ownerId) ?? []), secret]);
      return { data: await Promise.all(data.map((c) => view(app, scope, c, byOwner.get(c.id) ?? []))), nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
    },
  );

  app.post(
    '/connections',
    {
      config: { scope: 'connections:write' },
      schema: {
        operationId: 'createConnection',
        tags,
        summary: 'Connect an account with an API key, basic credentials, a secret-store reference or the client credentials grant; tested before it is stored',
        description:
          'The credential is tested against the provider first: a refused key (401/403), an unreachable provider, a timeout or a 5xx answers 422 `connection-test-failed` with the provider’s reason in `test` (code, status, message, hint) and stores nothing. `test: false` stores the connection untested. ' +
          'OAuth accounts of end customers are connected in the browser instead: create a connect session (POST /connect/sessions) and send them to its connect URL.',
        body: CreateConnectionBody,
        response: { 201: ConnectionView, ...problemResponses(...AUTHENTICATED_PROBLEMS, 409, 422) },
      },
    },
    async (request, reply) => {
      const scope = tenantOf(request);
      const { connection } = await createConnection(app.deps.database.db, app.deps.vault, scope, request.body, { ...services(request), actor: actorOf(request) });
      return reply.status(201).send(await view(app, scope, connection));
    },
  );

  app.get(
    '/connections/:id',
    { config: { scope: 'connections:read' }, schema: { operationId: 'getConnection', tags, summary: 'One connection (never its credentials)', params: ConnectionIdParams, response: { 200: ConnectionView, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) } } },
    async (request) => {
      const scope = tenantOf(request);
      const connection = await getConnection(app.deps.database.db, scope, request.params.id);
      if (!connection) throw problems.notFound('Connection', request.params.id);
      return view(app, scope, connection);
    },
  );

  app.delete(
    '/connections/:id',
    {
      config: { scope: 'connections:write' },
      schema: {
        operationId: 'deleteConnection',
        tags,
        summary: 'Delete a connection and its credentials, revoking OAuth tokens at the provider (RFC 7009) where it can',
        params: ConnectionIdParams,
        response: { 200: Type.Intersect([ConnectionView, Type.Object({ revocation: RevocationView })]), ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) },
      },
    },
    async (request) => {
      const scope = tenantOf(request);
      const { connection, revocation } = await deleteConnection(app.deps.database.db, app.deps.vault, scope, request.params.id, { ...services(request), actor: actorOf(request) });
      return { ...(await view(app, scope, connection)), credential: null, revocation };
    },
  );

  app.post(
    '/connections/:id/test',
    {
      config: { scope: 'connections:write' },
      schema: {
        operationId: 'testConnection',
        tags,
        summary: 'Test the credential against the provider; the outcome is kept and applied to the status',
        params: ConnectionIdParams,
        response: {
          200: Type.Object({ ...TestOutcomeView.properties, accountInfo: Type.Optional(AnyObject), connection: ConnectionView }),
          ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 409),
        },
      },
    },
    async (request) => {
      const scope = tenantOf(request);
      const result = await testConnection(app.deps.database.db, app.deps.vault, scope, request.params.id, services(request));
      return { ...result.outcome, ...(result.accountInfo ? { accountInfo: { ...result.accountInfo } } : {}), connection: await view(app, scope, result.connection) };
    },
  );

  app.put(
    '/connections/:id/credentials',
    {
      config: { scope: 'connections:write' },
      schema: {
        operationId: 'replaceConnectionCredentials',
        tags,
        summary: 'Replace the credentials of an API-key, basic or managed-vault connection (a rotated key); tested before stored, audited',
        description:
          'The new credential is tested against the provider first; only a pass replaces the stored one, so the old secret stays in use until the new one is proven. A refused or untestable credential answers 422 `connection-test-failed` with the provider’s reason and changes nothing. ' +
          'OAuth connections are re-authorized in the browser instead: a connect session with their connectionId.',
        params: ConnectionIdParams,
        body: ReplaceCredentialsBody,
        response: {
          200: Type.Intersect([ConnectionView, Type.Object({ secretVersion: Nullable(Type.Integer({ description: 'The vault version of the new secret; null for a managed-vault reference' })) })]),
          ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 409, 422),
        },
      },
    },
    async (request) => {
      const scope = tenantOf(request);
      const replaced = await replaceConnectionCredentials(app.deps.database.db, app.deps.vault, scope, request.params.id, request.body, { ...services(request), actor: actorOf(request) });
      return { ...(await view(app, scope, replaced.connection)), secretVersion: replaced.secretVersion };
    },
  );

  app.get(
    '/connections/:id/credentials',
    {
      config: { scope: 'credentials:read' },
      schema: {
        operationId: 'getConnectionCredentials',
        tags,
        summary: 'The decrypted credentials (an expired OAuth token is renewed first); every read is audited',
        params: ConnectionIdParams,
        response: {
          200: Type.Object({ connectionId: Type.String(), credentialType: Type.String(), credentials: AnyObject, config: Strings }),
          ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const scope = tenantOf(request);
      const revealed = await revealCredentials(app.deps.database.db, app.deps.vault, scope, request.params.id, { ...services(request), actor: actorOf(request) });
      reply.header('cache-control', 'no-store');
      return { connectionId: request.params.id, credentialType: revealed.credentialType, credentials: revealed.values, config: revealed.configSecrets };
    },
  );

  app.delete(
    '/end-customers/:endCustomerId',
    {
      config: { scope: 'connections:write' },
      schema: {
        operationId: 'eraseEndCustomer',
        tags,
        summary:
          'Erase everything of one end customer, in one transaction: connections (tokens revoked), credentials, connect sessions, synced data (syncs, runs, records and their versions, conflicts, metrics, connection mappings), inbound webhooks routed to their connections, and their events with every webhook message of them',
        params: Type.Object({ endCustomerId: Type.String({ minLength: 1, maxLength: 255 }) }),
        response: {
          200: Type.Object({
            endCustomerId: Type.String(),
            connectionsDeleted: Type.Array(Type.String()),
            secretsDeleted: Type.Integer(),
            connectSessionsDeleted: Type.Integer(),
            revocations: Type.Record(Type.String(), RevocationView),
            erased: Type.Record(Type.String(), Type.Integer(), {
              description:
                'Rows erased, by kind: events, syncs, syncRuns, records, recordVersions, conflicts, metricPoints, mappings, inboundEvents (connections deleted before count too)',
            }),
          }),
          ...problemResponses(...AUTHENTICATED_PROBLEMS),
        },
      },
    },
    async (request) => {
      const scope = tenantOf(request);
      return eraseEndCustomer(app.deps.database.db, app.deps.vault, scope, request.params.endCustomerId, { ...services(request), actor: actorOf(request) });
    },
  );
};
