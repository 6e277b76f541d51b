/**
 * One health check of one connection: the connector's own `testConnection`, through the provider
 * proxy (the connector's rate limit, holds after a 429) with no retries and the integration's
 * check timeout, kept as history and applied:
 * - a pass resets the failure count; after a failure streak it moves the connection back to
 *   `connected` and resolves its alert;
 * - a network failure, timeout or 5xx counts; at the threshold (3 by default) the connection goes
 *   to `error` with the reason and an alert opens;
 * - 401/403 put it in `error` at once — the credentials are wrong, retrying will not help;
 * - a 429 is neither: the next check waits for the interval or the provider's Retry-After.
 */
import { and, eq, sql } from 'drizzle-orm';
import { newId, ProblemError, type Clock, type Logger } from '../../core/index.ts';
import { rows, type Db } from '../../db/index.ts';
import type { Vault } from '../../credentials/index.ts';
import { effectiveRateLimit, runConnectionTest } from '../../connectors/index.ts';
import { CredentialUnavailableError, getConnectionContext, setConnectionStatus, type ConnectionContext } from '../../connections/index.ts';
import { connectionLimitKey, type ProviderProxy } from '../../proxy/index.ts';
import { raiseAlert, resolveCause } from '../alerts.ts';
import { healthChecks, healthStates, type CheckOutcome, type HealthThresholds } from '../schema.ts';
import { effectiveHealthSettings, type EffectiveHealthSettings, type HealthDefaults, type HealthSettingsRow } from './settings.ts';
import type { CheckPayload } from './planner.ts';

export interface HealthCheckDeps {
  db: Db;
  vault: Vault;
  clock: Clock;
  logger: Logger;
  proxy: ProviderProxy;
  defaults: HealthDefaults;
}

export interface CheckResult {
  outcome: CheckOutcome;
  latencyMs: number;
  errorClass: string | null;
  statusCode: number | null;
  message: string | null;
  retryAfterSeconds?: number | undefined;
}

/** The status reason a failure streak leaves on the connection. */
export const UNHEALTHY_REASON = 'health_check_failed';
const AUTH_CODES = new Set(['invalid_credentials', 'insufficient_permissions']);
export const healthDedupKey = (connectionId: string) => `connection_unhealthy:${connectionId}`;

async function probe(deps: HealthCheckDeps, ctx: ConnectionContext, settings: EffectiveHealthSettings, jobId: string | undefined): Promise<CheckResult> {
  const limitKey = connectionLimitKey(ctx.connector.manifest.key, ctx.connection.environmentId, ctx.connection.id);
  // A check never queues behind the connection's own traffic, nor adds to it past the limit: when
  // the limit (or a provider's Retry-After hold) leaves no room now, the check is skipped as
  // rate limited, not counted as a failure, and the next one waits until there is room.
  const limit = effectiveRateLimit(ctx.connector, ctx.settings.rateLimit);
  const waitMs = await deps.proxy.limiter.waitMs(limitKey, limit);
  if (waitMs > 0) {
    const message = `Not sent: the connection's rate limit${limit ? ` (${limit.limit} requests per ${limit.windowMs / 1000} s)` : ''} leaves no room for ${Math.ceil(waitMs / 1000)} s`;
    return { outcome: 'rate_limited', latencyMs: 0, errorClass: 'rate_limited', statusCode: null, message, retryAfterSeconds: Math.ceil(waitMs / 1000) };
  }
  const started = performance.now();
  const result = await runConnectionTest(ctx.connector, {
    ...ctx.options,
    timeoutMs: settings.timeoutMs,
    logger: deps.logger,
    signal: AbortSignal.timeout(settings.timeoutMs + 1_000),
    proxy: {
      proxy: deps.proxy,
      limitKey,
      allowPrivateNetworks: ctx.environment.allowPrivateNetworks,
      retryAttempts: 0,
      rateLimit: ctx.settings.rateLimit ?? undefined,
      correlationId: jobId,
    },
  });
  const latencyMs = Math.round(performance.now() - started);
  if (result.ok) return { outcome: 'ok', latencyMs, errorClass: null, statusCode: null, message: null };
  const { code, message, status, retryAfterSeconds } = result.error;
  const outcome: CheckOutcome = code === 'rate_limited' ? 'rate_limited' : AUTH_CODES.has(code) ? 'auth_failure' : 'failure';
  return { outcome, latencyMs, errorClass: code, statusCode: status ?? null, message, retryAfterSeconds };
}

/** A connection whose context cannot be built: its credential is gone, its configuration broken. */
function unusable(err: unknown): CheckResult | undefined {
  if (err instanceof CredentialUnavailableError) return { outcome: 'auth_failure', latencyMs: 0, errorClass: err.reason, statusCode: null, message: err.detail ?? err.message };
  if (err instanceof ProblemError && err.status === 422) return { outcome: 'failure', latencyMs: 0, errorClass: 'invalid_configuration', statusCode: null, message: err.detail ?? err.message };
  return undefined;
}

interface ClaimRow {
  organization_id: string;
  environment_id: string;
  connection_id: string;
  integration_id: string;
  next_check_at: string | Date;
  consecutive_failures: number;
  unhealthy: boolean;
  last_checked_at: string | Date | null;
  last_outcome: CheckOutcome | null;
  created_at: string | Date;
  updated_at: string | Date;
  s_enabled: boolean | null;
  s_interval_seconds: number | null;
  s_timeout_ms: number | null;
  s_failure_threshold: number | null;
  s_thresholds: Partial<HealthThresholds> | null;
}

const date = (v: string | Date | null): Date | null => (v === null ? null : new Date(v));

/**
 * Claims a slot in one statement: moves the connection's next due time to the same place in the
 * next interval still ahead of now — only if it is still the slot the job was planned for — and
 * returns the state with the integration's settings. Nothing when the slot was taken.
 */
async function claimSlot(deps: HealthCheckDeps, environmentId: string, payload: CheckPayload): Promise<{ state: State; settings: EffectiveHealthSettings } | undefined> {
  const now = deps.clock.now().toISOString();
  const due = new Date(payload.dueAt).toISOString();
  const [row] = await rows<ClaimRow>(
    deps.db,
    sql`update health_states h
      set next_check_at = ${due}::timestamptz + make_interval(secs => x.secs * greatest(1, floor(extract(epoch from (${now}::timestamptz - ${due}::timestamptz)) / x.secs) + 1)),
          updated_at = ${now}::timestamptz
      from (select coalesce(s.interval_seconds, ${deps.defaults.intervalSeconds}) as secs, s.enabled as s_enabled, s.interval_seconds as s_interval_seconds,
                   s.timeout_ms as s_timeout_ms, s.failure_threshold as s_failure_threshold, s.thresholds as s_thresholds
            from health_states h2 left join health_settings s on s.integration_id = h2.integration_id
            where h2.environment_id = ${environmentId} and h2.connection_id = ${payload.connectionId}) x
      where h.environment_id = ${environmentId} and h.connection_id = ${payload.connectionId} and h.next_check_at = ${due}::timestamptz
      returning h.*, x.s_enabled, x.s_interval_seconds, x.s_timeout_ms, x.s_failure_threshold, x.s_thresholds`,
  );
  if (!row) return undefined;
  const state: State = {
    organizationId: row.organization_id,
    environmentId: row.environment_id,
    connectionId: row.connection_id,
    integrationId: row.integration_id,
    nextCheckAt: new Date(row.next_check_at),
    consecutiveFailures: row.consecutive_failures,
    unhealthy: row.unhealthy,
    lastCheckedAt: date(row.last_checked_at),
    lastOutcome: row.last_outcome,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
  const settings = effectiveHealthSettings(
    { enabled: row.s_enabled, intervalSeconds: row.s_interval_seconds, timeoutMs: row.s_timeout_ms, failureThreshold: row.s_failure_threshold, thresholds: row.s_thresholds } as HealthSettingsRow,
    deps.defaults,
  );
  return { state, settings };
}

/**
 * Runs the check a `health.check` job names. The check first claims its slot — moving the
 * connection's next due time on, only if it is still the one the job was planned for — so a
 * second job for the same slot (another planner, another worker) finds it taken and does nothing.
 */
export async function runHealthCheck(deps: HealthCheckDeps, scope: { organizationId: string; environmentId: string }, payload: CheckPayload, jobId?: string): Promise<CheckResult | undefined> {
  const { db, clock } = deps;
  const claimed = await claimSlot(deps, scope.environmentId, payload);
  if (!claimed) return undefined;
  const { state, settings } = claimed;
  let result: CheckResult;
  try {
    const ctx = await getConnectionContext(db, deps.vault, scope, payload.connectionId, { clock, logger: deps.logger });
    if (ctx.connection.status === 'disconnected') return undefined;
    result = await probe(deps, ctx, settings, jobId);
  } catch (err) {
    const failed = unusable(err);
    if (!failed) {
      if (err instanceof ProblemError && (err.status === 404 || err.status === 409)) return undefined; // deleted, or its integration disabled
      throw err;
    }
    result = failed;
  }
  await applyResult(deps, scope, state, settings, result);
  return result;
}

type State = typeof healthStates.$inferSelect;

async function applyResult(deps: HealthCheckDeps, scope: { organizationId: string; environmentId: string }, state: State, settings: EffectiveHealthSettings, result: CheckResult): Promise<void> {
  const { clock } = deps;
  const now = clock.now();
  // The claim moved the due time on already (keeping the connection's place in the interval); a
  // provider's Retry-After pushes it later.
  let next = state.nextCheckAt.getTime();
  if (result.outcome === 'rate_limited' && result.retryAfterSeconds) next = Math.max(next, now.getTime() + result.retryAfterSeconds * 1000);
  const failures = result.outcome === 'ok' ? 0 : result.outcome === 'rate_limited' ? state.consecutiveFailures : state.consecutiveFailures + 1;
  const connectionId = state.connectionId;
  const check = {
    id: newId('hc'),
    ...scope,
    connectionId,
    integrationId: state.integrationId,
    checkedAt: now,
    latencyMs: result.latencyMs,
    outcome: result.outcome,
    errorClass: result.errorClass,
    statusCode: result.statusCode,
    message: result.message?.slice(0, 1_000) ?? null,
  };
  const changesStatus = (result.outcome === 'ok' && state.unhealthy) || result.outcome === 'auth_failure' || (result.outcome === 'failure' && failures >= settings.failureThreshold);
  if (!changesStatus) {
    // The common case (a pass, a failure below the threshold): the history row and the state in one statement.
    await deps.db.execute(sql`with saved as (
        insert into health_checks (id, organization_id, environment_id, connection_id, integration_id, checked_at, latency_ms, outcome, error_class, status_code, message)
        values (${check.id}, ${scope.organizationId}, ${scope.environmentId}, ${connectionId}, ${state.integrationId}, ${now.toISOString()}::timestamptz, ${check.latencyMs}, ${check.outcome}, ${check.errorClass}, ${check.statusCode}, ${check.message})
        returning 1)
      update health_states set next_check_at = ${new Date(next).toISOString()}::timestamptz, consecutive_failures = ${failures}, last_checked_at = ${now.toISOString()}::timestamptz,
        last_outcome = ${result.outcome}, updated_at = ${now.toISOString()}::timestamptz
      where environment_id = ${scope.environmentId} and connection_id = ${connectionId} and exists (select 1 from saved)`);
    return;
  }

  await deps.db.transaction(async (tx) => {
    await tx.insert(healthChecks).values(check);
    let unhealthy = state.unhealthy;
    if (result.outcome === 'ok' && state.unhealthy) {
      await setConnectionStatus(tx, scope, connectionId, { status: 'connected', credentialsVerified: true }, { clock });
      await resolveCause(tx, clock, scope, healthDedupKey(connectionId), 'a health check passed');
      unhealthy = false;
    } else if (result.outcome === 'auth_failure' || (result.outcome === 'failure' && failures >= settings.failureThreshold)) {
      const auth = result.outcome === 'auth_failure';
      const reason = auth ? result.errorClass! : UNHEALTHY_REASON;
      const message = auth
        ? `The provider refused the credentials: ${result.message ?? result.errorClass}. Retrying will not help; the credentials must be fixed.`
        : `${failures} health checks in a row failed; the last: ${result.message ?? result.errorClass}`;
      if (!state.unhealthy || auth) await setConnectionStatus(tx, scope, connectionId, { status: 'error', reason, message }, { clock });
      await raiseAlert(tx, clock, scope, {
        rule: 'connection_unhealthy',
        dedupKey: healthDedupKey(connectionId),
        title: auth ? `Connection ${connectionId}: credentials refused` : `Connection ${connectionId} is unhealthy`,
        message,
        subjectType: 'connection',
        subjectId: connectionId,
        details: { integrationId: state.integrationId, errorClass: result.errorClass, statusCode: result.statusCode, consecutiveFailures: failures },
      });
      unhealthy = true;
    }
    await tx
      .update(healthStates)
      .set({ nextCheckAt: new Date(next), consecutiveFailures: failures, unhealthy, lastCheckedAt: now, lastOutcome: result.outcome, updatedAt: now })
      .where(and(eq(healthStates.environmentId, scope.environmentId), eq(healthStates.connectionId, connectionId)));
  });
}
