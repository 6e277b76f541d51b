/**
 * The `outbound.dispatch` job: delivers one endpoint's due messages. It keeps up to the
 * endpoint's concurrency cap in flight (a sliding window: as attempts finish and are recorded,
 * it claims more), honours the endpoint's rate limit and pauses, then either arms a job for the
 * endpoint's next due retry or — after its time budget — queues its own continuation, so a busy
 * endpoint never holds a worker slot for long and a slow one never starves the others.
 *
 * Every attempt of a message carries the same `webhook-id` (the message id) and a fresh
 * timestamp and signature.
 */
import { eq } from 'drizzle-orm';
import { toError, type Clock, type Logger } from '../../core/index.ts';
import type { Database } from '../../db/index.ts';
import type { Vault } from '../../credentials/index.ts';
import { environments } from '../../auth/schema.ts';
import { enqueue, type JobContext } from '../../queue/index.ts';
import { Breakers, isOpenCircuitError } from './breaker.ts';
import { openSigningKeys } from './endpoints.ts';
import { dispatchJob, type DispatchPayload } from './jobs.ts';
import type { Recorder } from './recorder.ts';
import { MAX_PAUSE_MS, nextDelay, parseRetryAfter } from './retry.ts';
import { endpoints, type EndpointRow } from './schema.ts';
import { isSuccess, type Sender, type SendResult } from './sender.ts';
import type { OutboundSettings } from './settings.ts';
import { webhookHeaders, type SigningKeys } from './signing.ts';
import { claimDeliveries, nextWorkAt, type ClaimedDelivery } from './sql/claim.ts';
import { batchReleaseDeliveries, type AttemptOutcome } from './sql/record.ts';

export interface DispatcherDeps {
  database: Database;
  vault: Vault;
  clock: Clock;
  settings: OutboundSettings;
  sender: Sender;
  breakers: Breakers;
  recorder: Recorder;
}

/** An endpoint as a worker needs it: its row, its environment's network policy, its keys. */
export interface Target {
  endpoint: EndpointRow;
  allowPrivateNetworks: boolean;
  keys: SigningKeys;
}

class FailedSend extends Error {
  constructor(readonly result: SendResult) {
    super(result.error ?? 'delivery failed');
  }
}

const CIRCUIT_OPEN: Omit<SendResult, 'durationMs'> = {
  statusCode: null,
  headers: null,
  body: null,
  errorClass: 'circuit_open',
  error: 'not sent: the circuit is open (this endpoint failed too often); a probe will test it',
};

export function createDispatcher(deps: DispatcherDeps) {
  const { database, clock, settings, sender, breakers, recorder } = deps;
  const db = database.db;
  const keyCache = new Map<string, { version: number; keys: SigningKeys }>();

  async function loadTarget(endpointId: string): Promise<Target | undefined> {
    const [row] = await db
      .select({ endpoint: endpoints, allowPrivateNetworks: environments.allowPrivateNetworks })
      .from(endpoints)
      .innerJoin(environments, eq(environments.id, endpoints.environmentId))
      .where(eq(endpoints.id, endpointId));
    if (!row) return undefined;
    const cached = keyCache.get(endpointId);
    let keys = cached?.version === row.endpoint.secretVersion ? cached.keys : undefined;
    if (!keys) {
      keys = await openSigningKeys(db, deps.vault, row.endpoint);
      if (keyCache.size > 10_000) keyCache.clear();
      keyCache.set(endpointId, { version: row.endpoint.secretVersion, keys });
    }
    return { endpoint: row.endpoint, allowPrivateNetworks: row.allowPrivateNetworks, keys };
  }

  /** One attempt: sign, send through the breaker, decide what comes next. Undefined: released untried. */
  async function attempt(target: Target, claimed: ClaimedDelivery, signal: AbortSignal): Promise<AttemptOutcome | undefined> {
    const { endpoint } = target;
    const startedAt = clock.now();
    let result: SendResult;
    if (claimed.payload === null) {
      result = { statusCode: null, headers: null, body: null, errorClass: 'internal', error: 'the payload was pruned by retention', durationMs: 0 };
    } else {
      const body = claimed.payload;
      const headers = {
        ...endpoint.headers,
        'content-type': 'application/json',
        'user-agent': settings.userAgent,
        ...webhookHeaders(target.keys, claimed.messageId, startedAt, body),
      };
      try {
        result = await breakers.fire(endpoint.id, async () => {
          const sent = await sender.send({ url: endpoint.url, headers, body, timeoutMs: endpoint.timeoutMs, allowPrivateNetworks: target.allowPrivateNetworks, signal });
          if (!isSuccess(sent) && !sent.aborted) throw new FailedSend(sent);
          return sent;
        });
      } catch (err) {
        if (err instanceof FailedSend) result = err.result;
        else if (isOpenCircuitError(err)) result = { ...CIRCUIT_OPEN, durationMs: 0 };
        else result = { statusCode: null, headers: null, body: null, errorClass: 'internal', error: toError(err).message, durationMs: 0 };
      }
    }
    if (result.aborted) return undefined;
    return outcomeOf(target.endpoint, claimed, startedAt, result);
  }

  function outcomeOf(endpoint: EndpointRow, claimed: ClaimedDelivery, startedAt: Date, result: SendResult): AttemptOutcome {
    const succeeded = isSuccess(result);
    const now = clock.now();
    let nextState: AttemptOutcome['nextState'] = 'succeeded';
    let nextAttemptAt: Date | null = null;
    let pauseUntil: Date | undefined;
    if (!succeeded) {
      const retryAfterMs = parseRetryAfter(result.headers?.['retry-after'], now);
      if (retryAfterMs !== undefined && (result.statusCode === 429 || result.statusCode === 503)) {
        pauseUntil = new Date(now.getTime() + Math.min(retryAfterMs, MAX_PAUSE_MS));
      }
      const delay =
        result.errorClass === 'gone'
          ? null
          : nextDelay({ config: endpoint.retryConfig, attemptsInSchedule: claimed.attempt - claimed.scheduleStart, retryAfterMs, ...(settings.random ? { random: settings.random } : {}) });
      nextState = delay === null ? 'failed' : 'pending';
      nextAttemptAt = delay === null ? null : new Date(now.getTime() + delay);
    }
    return {
      messageId: claimed.messageId,
      endpointId: endpoint.id,
      organizationId: endpoint.organizationId,
      environmentId: endpoint.environmentId,
      eventType: claimed.eventType,
      attempt: claimed.attempt,
      trigger: claimed.trigger,
      startedAt,
      durationMs: result.durationMs,
      succeeded,
      statusCode: result.statusCode,
      responseHeaders: result.headers,
      responseBody: result.body,
      errorClass: result.errorClass,
      error: result.error,
      nextState,
      nextAttemptAt,
      pauseUntil,
    };
  }

  async function deliver(target: Target, claimed: ClaimedDelivery, signal: AbortSignal, logger: Logger): Promise<void> {
    const outcome = await attempt(target, claimed, signal);
    if (!outcome) {
      await batchReleaseDeliveries(db, [{ messageId: claimed.messageId, endpointId: target.endpoint.id, attempt: claimed.attempt }], clock.now()).catch((err: unknown) =>
        logger.warn({ err: toError(err), messageId: claimed.messageId }, 'could not release a delivery; it runs again when its lease ends'),
      );
      return;
    }
    if (!outcome.succeeded) logger.info({ messageId: outcome.messageId, attempt: outcome.attempt, statusCode: outcome.statusCode, errorClass: outcome.errorClass, nextAttemptAt: outcome.nextAttemptAt }, 'delivery attempt failed');
    await recorder.record(outcome).catch(() => undefined); // logged by the recorder; the lease brings it back
  }

  /** Arms a job for when the endpoint next has work (a retry, a lease expiry, the end of a pause). */
  async function arm(endpoint: EndpointRow, blockedUntil: Date | null): Promise<void> {
    const at = blockedUntil ?? (await nextWorkAt(db, endpoint.id));
    if (!at) return;
    const earliest = clock.now().getTime() + 1_000;
    const runAt = new Date(Math.max(at.getTime(), earliest));
    await enqueue(db, dispatchJob(endpoint, runAt), { clock });
  }

  return async function dispatch({ job, logger, signal }: JobContext<DispatchPayload>): Promise<void> {
    const target = await loadTarget(job.payload.endpointId);
    if (!target || !target.endpoint.enabled || target.endpoint.kind !== 'http') return;
    const { endpoint } = target;
    const cap = endpoint.fifo ? 1 : endpoint.maxConcurrency;
    const refill = Math.max(1, Math.floor(cap / 8));
    const started = performance.now();
    const inFlight = new Set<Promise<void>>();
    let budgetSpent = false;
    try {
      for (;;) {
        if (signal.aborted) break;
        budgetSpent = performance.now() - started > settings.dispatchBudgetMs;
        const free = cap - inFlight.size;
        if (!budgetSpent && free >= (inFlight.size === 0 ? 1 : refill)) {
          const now = clock.now();
          const { claimed, blockedUntil } = await claimDeliveries(db, {
            endpointId: endpoint.id,
            now,
            lockedUntil: new Date(now.getTime() + endpoint.timeoutMs + settings.leaseMarginMs),
            max: Math.min(free, settings.claimBatch),
            maxConcurrency: cap,
            rateLimit: endpoint.rateLimit,
            fifo: endpoint.fifo,
          });
          for (const delivery of claimed) {
            const running: Promise<void> = deliver(target, delivery, signal, logger).finally(() => inFlight.delete(running));
            inFlight.add(running);
          }
          if (claimed.length === 0 && inFlight.size === 0) {
            await arm(endpoint, blockedUntil);
            return;
          }
        } else if (inFlight.size === 0) {
          break;
        }
        if (inFlight.size > 0) await Promise.race(inFlight);
      }
    } finally {
      await Promise.allSettled([...inFlight]);
    }
    // Out of budget (or stopping): the rest of this endpoint's work goes to the back of the queue.
    if (budgetSpent && !signal.aborted) await enqueue(db, dispatchJob(endpoint), { clock });
  };
}
