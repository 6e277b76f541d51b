/**
 * Testing a connection: the connector's own test through `runConnectionTest`, its outcome kept
 * with the connection (`lastTestAt`, `lastTest`) and applied to the status — a pass proves the
 * credential (connected, clearing an auth error), a refused credential is an auth error, a
 * configuration the manifest does not accept is an error, and anything passing (rate limits,
 * timeouts, a provider outage) leaves the status as it is.
 */
import { sql } from 'drizzle-orm';
import { ProblemError, silentLogger, systemClock, type Clock } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import type { Vault } from '../credentials/index.ts';
import { runConnectionTest, type AccountInfo, type Connector, type ConnectorContextOptions } from '../connectors/index.ts';
import { connections, type Connection, type TestOutcome } from './schema.ts';
import { getConnectionContext, type ConnectionServiceOptions } from './context.ts';
import { CredentialUnavailableError } from './credentials.ts';
import { byId, setConnectionStatus, type ConnectionScope, type StatusUpdate } from './status.ts';

export interface TestResult {
  outcome: TestOutcome;
  accountInfo?: AccountInfo;
}

const HINTS: Record<string, string> = {
  refresh_failed: 'The end customer must reconnect the account: create a connect session with this connectionId and send them through it.',
  credential_unavailable: "Check the connection's secret-store reference and the environment's secret-store settings.",
  invalid_configuration: "Fix the connection's configuration (or the integration's) and test again.",
};

/** Runs the connector's test with a context built elsewhere (a new connection's, before it is stored). */
export async function runTest(connector: Connector, options: ConnectorContextOptions): Promise<TestResult> {
  const result = await runConnectionTest(connector, options);
  if (result.ok) return { outcome: { ok: true }, accountInfo: result.accountInfo };
  const { code, message, hint, status } = result.error;
  return { outcome: { ok: false, code, message, hint, ...(status === undefined ? {} : { status }) } };
}

/** Codes that mean the provider (or the secret store) refused the credential itself. */
const CREDENTIAL_REFUSALS = new Set(['invalid_credentials', 'insufficient_permissions', 'credential_unavailable']);

/**
 * The 422 a create or a credential replacement answers when the test failed: nothing was stored
 * or changed. The problem carries the provider's reason (`test`: code, HTTP status, message, what
 * to check) and names the credential field when the credential itself was refused.
 *
 * @example
 * if (!result.outcome.ok) throw testRefused(manifest.name, result.outcome, 'The connection was not created');
 */
export function testRefused(provider: string, outcome: TestOutcome, what: string): ProblemError {
  const code = outcome.code ?? 'test_failed';
  const message = outcome.message ?? `${provider} did not pass the connection test.`;
  const hint = outcome.hint ?? '';
  const refusedCredential = CREDENTIAL_REFUSALS.has(code);
  return new ProblemError('connection-test-failed', 422, 'Connection test failed', {
    detail: `${what}: ${message}${hint ? ` ${hint}` : ''}`,
    ...(refusedCredential ? { errors: [{ field: '/credentials', message }] } : {}),
    extra: { test: { ok: false, code, message, hint, ...(outcome.status === undefined ? {} : { status: outcome.status }) }, provider },
  });
}

/** A test that could not even start: the credential or configuration is not usable. */
export function unusable(err: unknown): TestResult | undefined {
  if (err instanceof CredentialUnavailableError) {
    return { outcome: { ok: false, code: err.reason, message: err.detail ?? err.message, hint: HINTS[err.reason] ?? '' } };
  }
  if (err instanceof ProblemError && err.status === 422) {
    const fields = err.errors?.map((e) => e.message).join('; ');
    return { outcome: { ok: false, code: 'invalid_configuration', message: [err.detail, fields].filter(Boolean).join(' '), hint: HINTS.invalid_configuration! } };
  }
  return undefined;
}

/** The status a test outcome calls for; undefined leaves it as it is. */
export function statusAfterTest(outcome: TestOutcome): StatusUpdate | undefined {
  if (outcome.ok) return { status: 'connected', credentialsVerified: true };
  switch (outcome.code) {
    case 'invalid_credentials':
    case 'insufficient_permissions':
    case 'credential_unavailable':
    case 'invalid_configuration':
      return { status: 'error', reason: outcome.code, message: outcome.message };
    default:
      // refresh_failed: the renewal itself set the status (at once, or after its retries).
      return undefined;
  }
}

/**
 * Tests a stored connection and records the outcome.
 *
 * @example
 * const { connection, outcome } = await testConnection(db, vault, scope, 'conn_…');
 * if (!outcome.ok) console.log(outcome.message, outcome.hint);
 */
export async function testConnection(
  db: Db,
  vault: Vault,
  scope: ConnectionScope,
  id: string,
  options: ConnectionServiceOptions = {},
): Promise<TestResult & { connection: Connection }> {
  const clock = options.clock ?? systemClock;
  let result: TestResult;
  try {
    const ctx = await getConnectionContext(db, vault, scope, id, options);
    result = await runTest(ctx.connector, { ...ctx.options, logger: options.logger ?? silentLogger });
  } catch (err) {
    const failed = unusable(err);
    if (!failed) throw err;
    result = failed;
  }
  const connection = await recordTestOutcome(db, scope, id, result, clock);
  return { ...result, connection };
}

async function recordTestOutcome(db: Db, scope: ConnectionScope, id: string, result: TestResult, clock: Clock): Promise<Connection> {
  const now = clock.now();
  return db.transaction(async (tx) => {
    await tx
      .update(connections)
      .set({
        lastTestAt: now,
        lastTest: result.outcome,
        // A failed renewal counted itself already.
        ...(result.outcome.code === 'refresh_failed' ? {} : { errorCount: result.outcome.ok ? 0 : sql`${connections.errorCount} + 1` }),
        ...(result.accountInfo ? { accountInfo: { ...result.accountInfo } } : {}),
        updatedAt: now,
      })
      .where(byId(scope, id));
    const update = statusAfterTest(result.outcome);
    if (update) return (await setConnectionStatus(tx, scope, id, update, { clock })).connection;
    const [row] = await tx.select().from(connections).where(byId(scope, id));
    return row!;
  });
}
