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
import { eq, sql } from 'drizzle-orm';
import { AsyncResource } from 'node:async_hooks';
import { setMaxListeners } from 'node:events';
import type { Registry } from 'prom-client';
import { randomToken, toError, type Clock, type Logger } from '../../core/index.ts';
import { activeSpan, failSpan, inSpan, SpanKind, storedParent, traceIdOf, tracingEnabled, type SpanOptions } from '../../core/tracing.ts';
import type { Database } from '../../db/index.ts';
import type { Vault } from '../../credentials/index.ts';
import { environments } from '../../auth/schema.ts';
import { enqueue, enqueueMany, type JobContext } from '../../queue/index.ts';
import { Breakers, isOpenCircuitError } from './breaker.ts';
import { ClaimBatcher } from './claims.ts';
import { openSigningKeys } from './endpoints.ts';
import { dispatchJob, type DispatchPayload, type Dispatched } from './jobs.ts';
import type { Recorder } from './recorder.ts';
import { outboundMetrics } from './metrics.ts';
import { MAX_PAUSE_MS, nextDelay, parseRetryAfter } from './retry.ts';
import { endpoints, type EndpointRow } from './schema.ts';
import { isSuccess, type Sender, type SendResult } from './sender.ts';
import type { OutboundSettings } from './settings.ts';
import { signatureHeader, type SigningKeys } from './signing.ts';
import { acquireEndpoint, claimDeliveries, nextWorkAt, releaseEndpoint, type ClaimedDelivery } from './sql/claim.ts';
import { batchReleaseDeliveries, type AttemptOutcome } from './sql/record.ts';
import { runWindow, type Window, type WindowResult } from './window.ts';

export interface DispatcherDeps {
  database: Database;
  logger: Logger;
  vault: Vault;
  clock: Clock;
  settings: OutboundSettings;
  sender: Sender;
  breakers: Breakers;
  recorder: Recorder;
  /** Where the attempt-latency histogram is registered (the hub's registry); none in most tests. */
  registry?: Registry | undefined;
}

/** An endpoint as a worker needs it: its row, its environment's network policy, its keys. */
export interface Target {
  endpoint: EndpointRow;
  allowPrivateNetworks: boolean;
  keys: SigningKeys;
  /** The endpoint's and environment's row versions it was loaded at (see `Claimed.version`). */
  version: string;
  /** The endpoint's headers with content-type and user-agent, built once per load. */
  headers: Record<string, string>;
}

export interface Dispatcher {
  /** The `outbound.dispatch` job handler. */
  handle(context: JobContext<DispatchPayload>): Promise<void>;
  /**
   * A publish committed: wakes this process's runs of those endpoints at once, without waiting
   * for the notification and the job (the job then finds its work claimed and returns). An
   * endpoint the publish queued no job for (a run here held it) whose run has ended meanwhile
   * gets its job now.
   */
  committed(dispatched: readonly Dispatched[]): void;
  /** Whether a run of this process holds the endpoint (it will claim again if woken). */
  running(endpointId: string): boolean;
}

class FailedSend extends Error {
  constructor(readonly result: SendResult) {
    super(result.error ?? 'delivery failed');
  }
}

/**
 * The run's outcomes still being written: a count and one waiter, not a set of promises and a
 * `finally` per attempt (the run waits for them all before it lets go of its endpoint).
 */
class Recording {
  #pending = 0;
  #idle: (() => void) | undefined;
  readonly #settled = (): void => {
    if (--this.#pending === 0 && this.#idle) this.#idle();
  };

  add(written: Promise<void>): void {
    this.#pending++;
    written.then(this.#settled, this.#settled);
  }

  idle(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => (this.#idle = resolve));
  }
}

/** Jobs whose work a run here was woken for already (see `committed`); bounded. */
const MAX_SERVED = 10_000;

const CIRCUIT_OPEN: Omit<SendResult, 'durationMs'> = {
  statusCode: null,
  headers: null,
  body: null,
  errorClass: 'circuit_open',
  error: 'not sent: the circuit is open (this endpoint failed too often); a probe will test it',
};

/**
 * An attempt's span: a client span in the trace of the publish that made the message. A run
 * delivers every due message of its endpoint — those of the publish that queued its job, and
 * others published meanwhile — so an attempt whose message came from another trace is a child
 * of that publish and links to the run that carried it (OTel messaging conventions); one of the
 * run's own trace stays under the run's job span. Ids belong on spans (unlike metric labels),
 * payloads never.
 */
function attemptSpan(claimed: ClaimedDelivery): SpanOptions {
  const options: SpanOptions = {
    kind: SpanKind.CLIENT,
    attributes: { 'patchbay.message_id': claimed.messageId, 'patchbay.event_type': claimed.eventType, 'patchbay.attempt': claimed.attempt, 'patchbay.trigger': claimed.trigger },
  };
  const run = activeSpan();
  if (!claimed.traceContext || traceIdOf(claimed.traceContext) === run?.spanContext().traceId) return options;
  return { ...options, parent: storedParent(claimed.traceContext), ...(run ? { links: [{ context: run.spanContext() }] } : {}) };
}

export function createDispatcher(deps: DispatcherDeps): Dispatcher {
  const { database, clock, settings, sender, breakers, recorder } = deps;
  const db = database.db;
  const keyCache = new Map<string, { version: number; keys: SigningKeys }>();
  const claims = new ClaimBatcher(db, clock, recorder);
  const metrics = outboundMetrics(deps.registry);

  async function loadTarget(endpointId: string): Promise<Target | undefined> {
    const [row] = await db
      .select({
        endpoint: endpoints,
        allowPrivateNetworks: environments.allowPrivateNetworks,
        version: sql<string>`${endpoints}.xmin::text || '/' || ${environments}.xmin::text`,
      })
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
    const headers = { ...row.endpoint.headers, 'content-type': 'application/json', 'user-agent': settings.userAgent };
    return { endpoint: row.endpoint, allowPrivateNetworks: row.allowPrivateNetworks, keys, version: row.version, headers };
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
        ...target.headers,
        'webhook-id': claimed.messageId,
        'webhook-timestamp': String(Math.floor(startedAt.getTime() / 1000)),
        'webhook-signature': signatureHeader(target.keys, claimed.messageId, startedAt, body),
      };
      try {
        result = await breakers.fire(endpoint.id, () =>
          // One span per attempt (tracing on), in the trace of the publish that made the message.
          inSpan('webhook attempt', tracingEnabled() ? attemptSpan(claimed) : {}, async (span) => {
            const sent = await sender.send({ url: endpoint.url, headers, body, timeoutMs: endpoint.timeoutMs, allowPrivateNetworks: target.allowPrivateNetworks, signal });
            if (sent.statusCode !== null) span?.setAttribute('http.response.status_code', sent.statusCode);
            if (!isSuccess(sent) && !sent.aborted) {
              failSpan(span, sent.error ?? 'failed');
              throw new FailedSend(sent);
            }
            return sent;
          }),
        );
      } catch (err) {
        if (err instanceof FailedSend) result = err.result;
        else if (isOpenCircuitError(err)) result = { ...CIRCUIT_OPEN, durationMs: 0 };
        else result = { statusCode: null, headers: null, body: null, errorClass: 'internal', error: toError(err).message, durationMs: 0 };
      }
    }
    if (result.aborted) return undefined;
    metrics.attempted(result);
    return outcomeOf(target.endpoint, claimed, startedAt, result);
  }

  function outcomeOf(endpoint: EndpointRow, claimed: ClaimedDelivery, startedAt: Date, result: SendResult): AttemptOutcome {
    const succeeded = isSuccess(result);
    let nextState: AttemptOutcome['nextState'] = 'succeeded';
    let nextAttemptAt: Date | null = null;
    let pauseUntil: Date | undefined;
    if (!succeeded) {
      const now = clock.now();
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
      tid: claimed.tid,
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

  /** Gives untried deliveries back (the run stopped before or during their request). */
  async function release(target: Target, claimed: ClaimedDelivery[], logger: Logger): Promise<void> {
    const held = claimed.map((c) => ({ messageId: c.messageId, endpointId: target.endpoint.id, attempt: c.attempt }));
    await batchReleaseDeliveries(db, held, clock.now()).catch((err: unknown) =>
      logger.warn({ err: toError(err), count: held.length }, 'could not release deliveries; they run again when their leases end'),
    );
  }

  /**
   * Queues the endpoint's next run: at once when work is due (new messages that arrived while
   * this run let go, or the rest after the budget), else when its next retry, lease expiry or
   * pause end comes.
   */
  async function arm(endpoint: EndpointRow, blockedUntil: Date | null): Promise<void> {
    const next = await nextWorkAt(db, endpoint.id);
    if (!next) return;
    const at = Math.max(next.getTime(), blockedUntil?.getTime() ?? 0);
    await enqueue(db, dispatchJob(endpoint, at <= clock.now().getTime() ? undefined : new Date(at)), { clock });
  }

  // Runs of this process by endpoint: a job for an endpoint already being delivered here only wakes its run.
  const active = new Map<string, Window>();
  const served = new Set<string>();

  function committed(dispatched: readonly Dispatched[]): void {
    const uncovered: Dispatched[] = [];
    for (const given of dispatched) {
      const woken = active.get(given.endpointId)?.wake() ?? false;
      if (given.jobId === undefined) {
        if (!woken) uncovered.push(given);
      } else if (woken) {
        if (served.size >= MAX_SERVED) served.clear();
        served.add(given.jobId);
      }
    }
    if (uncovered.length === 0) return;
    // Should this fail (or the process die first), the every-minute sweep queues them.
    enqueueMany(
      db,
      uncovered.map((u) => dispatchJob({ id: u.endpointId, organizationId: u.organizationId, environmentId: u.environmentId })),
      { clock },
    ).catch((err: unknown) => deps.logger.warn({ err: toError(err), endpointIds: uncovered.map((u) => u.endpointId) }, 'could not queue dispatch jobs after a publish; the sweep will'));
  }

  async function handle({ job, logger, signal: jobSignal }: JobContext<DispatchPayload>): Promise<void> {
    // Its run was woken when the publish committed here (and claims again before it ends).
    if (served.delete(job.id) && active.has(job.payload.endpointId)) return;
    const running = active.get(job.payload.endpointId);
    if (running) {
      running.wake();
      return;
    }
    const loaded = await loadTarget(job.payload.endpointId);
    if (!loaded || !loaded.endpoint.enabled || loaded.endpoint.kind !== 'http') return;
    let target = loaded;
    const { endpoint } = target;
    // A run may last seconds. Each claim returns the endpoint's row versions: a change — a new
    // URL, a rotated key, a disable — is read again before the claimed deliveries are sent.
    const claim = async (max: number): Promise<ClaimedDelivery[]> => {
      const now = clock.now();
      const request = { endpointId: endpoint.id, now, lockedUntil: new Date(now.getTime() + target.endpoint.timeoutMs + settings.leaseMarginMs), max, fifo: endpoint.fifo };
      const claimed = endpoint.fifo ? await claimDeliveries(db, request) : await claims.claim(request);
      if (claimed.deliveries.length === 0 || claimed.version === target.version) return claimed.deliveries;
      const fresh = await loadTarget(endpoint.id);
      if (fresh?.endpoint.enabled && fresh.endpoint.kind === 'http') {
        target = fresh;
        return claimed.deliveries;
      }
      // Disabled or deleted meanwhile: nothing more to claim.
      await release(target, claimed.deliveries, logger);
      return [];
    };
    const runId = randomToken(8);
    const holdMs = settings.dispatchBudgetMs + 2 * endpoint.timeoutMs + 2 * settings.leaseMarginMs;
    const hold = await acquireEndpoint(db, { endpointId: endpoint.id, runId, now: clock.now(), until: new Date(clock.now().getTime() + holdMs) });
    if ('heldUntil' in hold) {
      // Another run (another process) holds the endpoint and delivers what this job was queued
      // for. Should its worker have died, its hold ends at `heldUntil`: look again then.
      if (hold.heldUntil) await enqueue(db, dispatchJob(endpoint, new Date(Math.max(hold.heldUntil.getTime(), clock.now().getTime()) + 1)), { clock });
      return;
    }

    // One controller for the run's requests: the job's signal gets one listener, not one per request.
    const run = new AbortController();
    setMaxListeners(0, run.signal);
    const onAbort = () => run.abort();
    jobSignal.addEventListener('abort', onAbort, { once: true });
    const recording = new Recording();
    let result: WindowResult | undefined;
    try {
      const window = runWindow({
        cap: endpoint.fifo ? 1 : endpoint.maxConcurrency,
        fifo: endpoint.fifo,
        claimBatch: settings.claimBatch,
        budgetMs: settings.dispatchBudgetMs,
        rateLimit: endpoint.rateLimit,
        clock,
        signal: run.signal,
        windowStart: hold.windowStart?.getTime() ?? 0,
        windowCount: hold.windowCount,
        pausedUntil: hold.pausedUntil?.getTime() ?? 0,
        claim,
        // A run claims again when a publish wakes it, inside that request's async context: its
        // deliveries keep the job's own (log ids, trace), bound here where the job started.
        deliver: AsyncResource.bind(async (claimed: ClaimedDelivery) => {
          const outcome = await attempt(target, claimed, run.signal);
          if (!outcome) {
            await release(target, [claimed], logger);
            return undefined;
          }
          if (!outcome.succeeded)
            logger.info(
              { messageId: outcome.messageId, attempt: outcome.attempt, statusCode: outcome.statusCode, errorClass: outcome.errorClass, nextAttemptAt: outcome.nextAttemptAt },
              'delivery attempt failed',
            );
          // A failed write is logged by the recorder; the delivery's lease then brings it back.
          // FIFO: the next message may go only once this outcome is written.
          if (endpoint.fifo) await recorder.record(outcome, { urgent: true }).catch(() => undefined);
          else recording.add(recorder.record(outcome));
          return outcome.pauseUntil?.getTime();
        }),
        release: AsyncResource.bind((claimed: ClaimedDelivery[]) => release(target, claimed, logger)),
        lingerMs: settings.lingerMs,
      });
      active.set(endpoint.id, window);
      result = await window.done;
      await recording.idle();
    } finally {
      active.delete(endpoint.id);
      jobSignal.removeEventListener('abort', onAbort);
      await releaseEndpoint(db, {
        endpointId: endpoint.id,
        runId,
        windowStart: result?.windowStart ? new Date(result.windowStart) : null,
        windowCount: result?.windowCount ?? hold.windowCount,
      });
    }
    if (result.error !== undefined) throw toError(result.error);
    if (jobSignal.aborted) return;
    // After letting go: whatever became due meanwhile gets a job now, the rest one at its time.
    await arm(endpoint, result.blockedUntil === undefined ? null : new Date(result.blockedUntil));
  }

  return { handle, committed, running: (endpointId) => active.has(endpointId) };
}
