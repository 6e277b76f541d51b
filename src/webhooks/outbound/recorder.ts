/**
 * Group commit for attempt outcomes. Workers hand in outcomes as their requests finish; whatever
 * arrived while one flush ran goes out in the next, as one transaction: the attempt rows, the
 * deliveries' new states, the endpoints' failure streaks and pauses, the endpoints to disable
 * (410 Gone, or only failures for too long) with `endpoint.disabled`, and
 * `message.attempt.exhausted` for each new dead letter. Most outcomes do not even cost their own
 * statement: a dispatch run's next claim carries the successes waiting here (see `carry`), so
 * a batch of attempts is recorded by the round trip that claims the next batch. What no claim
 * takes is written on its own within LINGER_MS.
 *
 * If a flush fails, its deliveries stay `delivering` until their lease ends and are tried again
 * (with the same `webhook-id`): at least once, never lost.
 */
import { publishMany, type PublishInput } from '../../events/index.ts';
import { Batcher, sqlState, toError, type Carried, type Clock, type Logger } from '../../core/index.ts';
import type { Database } from '../../db/index.ts';
import { DELIVERY_EVENT_TYPES } from './builtin-types.ts';
import { disableEndpoints } from './endpoints.ts';
import { applyStreaks, batchRecordAttempts, type AttemptOutcome, type StreakChange } from './sql/record.ts';
import type { OutboundSettings } from './settings.ts';

const MAX_BATCH = 1_000;
/**
 * A batch smaller than LINGER_BELOW waits this long before it is written on its own: for more
 * outcomes (those of one publish come back over a few milliseconds) and for a claim to carry it.
 * Measured in the outbound bench on PostgreSQL (20,000 deliveries to 4 endpoints): with 2 ms and
 * 32, claims carried few outcomes (the recorder had written them already) and claim plus record
 * took 0.035 statements per delivery; with 10 ms and 256, 0.023. A delivery's slot does not wait
 * for its record, so this delays only the log, never the next request; outcomes someone waits
 * for (FIFO) go at once. Until written, a delivery stays `delivering`: a crash meanwhile means
 * one more attempt after its lease, never a lost one.
 */
const LINGER_MS = 10;
const LINGER_BELOW = 256;
/** How long a worker trusts that an endpoint it saw succeed has no failure streak to clear. */
const HEALTHY_TTL_MS = 10_000;
const RETRYABLE = new Set(['40P01', '40001']);

export interface RecorderDeps {
  database: Database;
  clock: Clock;
  logger: Logger;
  settings: Pick<OutboundSettings, 'autoDisableAfterMs'>;
  /** After a commit that disabled endpoints. */
  onDisabled?: (endpointIds: string[]) => void;
}

export class Recorder {
  readonly #batcher: Batcher<AttemptOutcome>;
  /** Endpoints last seen succeeding (no streak to clear), until the given performance.now(). */
  readonly #healthy = new Map<string, number>();
  /** Flushes running that write more than the attempts and deliveries (streaks, disables, dead letters). */
  #fullWrites = 0;

  constructor(private readonly deps: RecorderDeps) {
    this.#batcher = new Batcher(
      async (outcomes) => {
        try {
          await this.#flushWithRetry(outcomes);
        } catch (err) {
          const error = toError(err);
          this.deps.logger.error({ err: error, count: outcomes.length }, 'could not record delivery attempts; their leases will expire and they run again');
          throw error;
        }
      },
      { maxBatch: MAX_BATCH, linger: { ms: LINGER_MS, below: LINGER_BELOW } },
    );
  }

  /** Resolves once the outcome is committed; `urgent` when the caller waits for that before it goes on. */
  record(outcome: AttemptOutcome, options: { urgent?: boolean } = {}): Promise<void> {
    return this.#batcher.add(outcome, options);
  }

  /**
   * Hands the outcomes waiting to be written to a claim that records them in its own statement
   * (`recordAndClaim` in sql/claim.ts), saving their round trip. Only outcomes that need nothing
   * else written go — successes at endpoints known healthy: no failure streak, pause, disable or
   * dead letter — and only while no flush that writes those runs (its commit decides which
   * endpoints are healthy). The carrier resolves them once committed, or gives them back.
   */
  carry(): Carried<AttemptOutcome, void> | undefined {
    if (this.#fullWrites > 0) return undefined;
    return this.#batcher.carry((outcomes) => this.#attemptsOnly(outcomes));
  }

  drain(): Promise<void> {
    return this.#batcher.drain();
  }

  /** Whether writing these outcomes is their attempt rows and deliveries' states, nothing more. */
  #attemptsOnly(outcomes: readonly AttemptOutcome[]): boolean {
    return outcomes.every((o) => o.nextState !== 'failed') && this.#streaks(outcomes).length === 0;
  }

  async #flushWithRetry(outcomes: AttemptOutcome[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#flush(outcomes);
      } catch (err) {
        if (attempt >= 3 || !RETRYABLE.has(sqlState(err) ?? '')) throw err;
      }
    }
  }

  async #flush(outcomes: AttemptOutcome[]): Promise<void> {
    const now = this.deps.clock.now();
    // The common case — successes at endpoints known healthy — is one statement, no transaction.
    if (this.#attemptsOnly(outcomes)) {
      await batchRecordAttempts(this.deps.database.db, outcomes, now);
      return;
    }
    this.#fullWrites++;
    try {
      await this.#fullFlush(outcomes, now);
    } finally {
      this.#fullWrites--;
    }
  }

  async #fullFlush(outcomes: AttemptOutcome[], now: Date): Promise<void> {
    const { clock, settings } = this.deps;
    const changes = this.#streaks(outcomes);
    const disabled = await this.deps.database.db.transaction(async (tx) => {
      const applied = await batchRecordAttempts(tx, outcomes, now);
      const failingSince = await applyStreaks(tx, changes);

      const targets = new Map<string, { id: string; reason: string; failingSince?: Date | null }>();
      for (const o of outcomes) if (o.errorClass === 'gone') targets.set(o.endpointId, { id: o.endpointId, reason: 'the endpoint answered 410 Gone' });
      for (const change of changes) {
        const since = failingSince.get(change.endpointId);
        if (change.mode !== 'clear' && since && now.getTime() - since.getTime() >= settings.autoDisableAfterMs && !targets.has(change.endpointId)) {
          targets.set(change.endpointId, { id: change.endpointId, reason: `only failures since ${since.toISOString()}`, failingSince: since });
        }
      }
      const done = targets.size > 0 ? await disableEndpoints(tx, clock, [...targets.values()]) : [];

      const moved = new Set(applied.filter((a) => a.state === 'failed').map((a) => `${a.messageId} ${a.endpointId}`));
      const exhausted: PublishInput[] = outcomes
        .filter((o) => o.nextState === 'failed' && o.errorClass !== 'gone' && !DELIVERY_EVENT_TYPES.has(o.eventType) && moved.has(`${o.messageId} ${o.endpointId}`))
        .map((o) => ({
          organizationId: o.organizationId,
          environmentId: o.environmentId,
          type: 'message.attempt.exhausted',
          data: { messageId: o.messageId, endpointId: o.endpointId, eventType: o.eventType, attempts: o.attempt, lastStatusCode: o.statusCode, lastError: o.error },
          occurredAt: now,
          origin: 'system',
        }));
      if (exhausted.length > 0) await publishMany(tx, exhausted);
      return done.map((e) => e.id);
    });
    const until = performance.now() + HEALTHY_TTL_MS;
    for (const change of changes) {
      if (change.mode === 'clear') this.#healthy.set(change.endpointId, until);
      else this.#healthy.delete(change.endpointId);
    }
    if (disabled.length > 0) this.deps.onDisabled?.(disabled);
  }

  /** Per endpoint: how this batch moves its failure streak (skipped for endpoints known healthy that only succeeded). */
  #streaks(outcomes: readonly AttemptOutcome[]): StreakChange[] {
    const byEndpoint = new Map<string, AttemptOutcome[]>();
    for (const o of outcomes) {
      const list = byEndpoint.get(o.endpointId) ?? [];
      list.push(o);
      byEndpoint.set(o.endpointId, list);
    }
    const changes: StreakChange[] = [];
    const nowMs = performance.now();
    for (const [endpointId, list] of byEndpoint) {
      list.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
      const lastSuccess = list.findLastIndex((o) => o.succeeded);
      const pauses = list.map((o) => o.pauseUntil?.getTime() ?? 0);
      const pause = Math.max(...pauses);
      const pauseUntil = pause > 0 ? new Date(pause) : null;
      if (lastSuccess === list.length - 1) {
        if (!pauseUntil && (this.#healthy.get(endpointId) ?? 0) > nowMs) continue;
        changes.push({ endpointId, mode: 'clear', since: null, pauseUntil });
      } else {
        const firstFailure = list[lastSuccess + 1]!;
        changes.push({ endpointId, mode: lastSuccess >= 0 ? 'start' : 'extend', since: firstFailure.startedAt, pauseUntil });
      }
    }
    return changes;
  }
}
