/**
 * Wires outbound webhooks into a process: the in-transaction fan-out on every published event,
 * the dispatch, sweep and prune job handlers (and their schedules), the delivery pool, the
 * circuit breakers and the outcome recorder. Every process calls it (an API process needs the
 * fan-out; a worker runs the jobs); it returns the service the routes and the CLI use.
 *
 * @example
 * const outbound = registerOutbound({ queue, database, vault, logger, clock });
 * const app = await buildApi(deps, { plugins: [{ plugin: outboundPlugin(outbound) }] });
 */
import type { Registry } from 'prom-client';
import { systemClock, type Clock, type Logger } from '../../core/index.ts';
import type { Database } from '../../db/index.ts';
import type { Vault } from '../../credentials/index.ts';
import { onEventsErased, onEventsPublished } from '../../events/index.ts';
import { exponentialBackoff, type Queue } from '../../queue/index.ts';
import { Breakers, type BreakerState } from './breaker.ts';
import { createDispatcher } from './dispatcher.ts';
import type { EndpointDeps } from './endpoints.ts';
import { eraseMessagesOf } from './erase.ts';
import { createFanout } from './fanout.ts';
import { DISPATCH_JOB, PRUNE_JOB, SWEEP_JOB, type DispatchPayload } from './jobs.ts';
import { prune, sweep, type PruneReport } from './maintenance.ts';
import { publishEvents, type EventInput, type PublishOptions, type Published } from './publish.ts';
import { Recorder } from './recorder.ts';
import { createSender } from './sender.ts';
import { resolveSettings, type OutboundSettings } from './settings.ts';
import { openStream, StreamWakeups, type Stream, type StreamMessage, type StreamOptions } from './stream.ts';
import type { Scope } from './scope.ts';

export interface RegisterOutboundOptions {
  queue: Queue;
  database: Database;
  vault: Vault;
  logger: Logger;
  clock?: Clock;
  settings?: Partial<OutboundSettings>;
  /** The hub's metrics registry, for the attempt-latency histogram. */
  registry?: Registry | undefined;
}

/** The outbound service: what routes, operations and tests call. */
export interface Outbound {
  readonly database: Database;
  readonly vault: Vault;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly settings: OutboundSettings;
  /** What endpoint functions take (`createEndpoint(tx, outbound.endpointDeps, …)`). */
  readonly endpointDeps: EndpointDeps;
  /** Checks and publishes events of one environment (see publish.ts). */
  publish(scope: Scope, events: readonly EventInput[], options?: PublishOptions): Promise<Published[]>;
  /** Queues a dispatch for every endpoint with due work (the every-minute job; tests call it after moving the clock). */
  sweep(): Promise<number>;
  prune(): Promise<PruneReport>;
  openStream(scope: Scope, options: StreamOptions, write: (message: StreamMessage) => boolean): Promise<Stream>;
  breakerState(endpointId: string): BreakerState;
  /** Drops in-process state of an endpoint (after it is deleted or re-enabled). */
  forget(endpointId: string): void;
  /** Waits for recorded outcomes, closes the delivery pool and the stream listener. */
  stop(): Promise<void>;
}

export function registerOutbound(options: RegisterOutboundOptions): Outbound {
  const { queue, database, vault, logger: baseLogger } = options;
  const clock = options.clock ?? systemClock;
  const settings = resolveSettings(options.settings);
  const logger = baseLogger.child({ module: 'outbound' });
  const breakers = new Breakers(settings.breaker, clock);
  const sender = createSender(settings);
  const recorder = new Recorder({ database, clock, logger, settings, onDisabled: (ids) => ids.forEach((id) => breakers.forget(id)) });
  const wakeups = new StreamWakeups(database);
  const endpointDeps: EndpointDeps = { vault, clock, settings };

  const dispatcher = createDispatcher({ database, logger, vault, clock, settings, sender, breakers, recorder, registry: options.registry });
  onEventsPublished('outbound', createFanout({ clock, running: dispatcher.running }));
  onEventsErased('outbound', eraseMessagesOf);
  queue.register<DispatchPayload>(DISPATCH_JOB, dispatcher.handle, {
    maxAttempts: 25,
    backoff: exponentialBackoff({ baseMs: 1_000, maxMs: 60_000 }),
    // The budget, then the slowest request it may be waiting for, with room to record.
    timeoutMs: settings.dispatchBudgetMs + 120_000,
  });
  queue.register(SWEEP_JOB, async () => void (await sweep(database.db, clock)), { maxAttempts: 1 });
  queue.register(
    PRUNE_JOB,
    async ({ logger: jobLogger }) => {
      const report = await prune(database.db, vault, clock, settings);
      jobLogger.info(report, 'pruned outbound payloads and attempt bodies');
    },
    { maxAttempts: 3 },
  );
  queue.schedule('outbound.sweep', settings.sweepCron, SWEEP_JOB);
  queue.schedule('outbound.prune', settings.pruneCron, PRUNE_JOB);

  return {
    database,
    vault,
    clock,
    logger,
    settings,
    endpointDeps,
    publish: (scope, events, publishOptions) => publishEvents(database.db, clock, scope, events, { onCommitted: dispatcher.committed, ...publishOptions }),
    sweep: () => sweep(database.db, clock),
    prune: () => prune(database.db, vault, clock, settings),
    openStream: (scope, streamOptions, write) => openStream({ database, vault, clock, logger, settings, recorder }, wakeups, scope, streamOptions, write),
    breakerState: (endpointId) => breakers.state(endpointId),
    forget: (endpointId) => breakers.forget(endpointId),
    async stop() {
      await recorder.drain();
      await wakeups.close();
      breakers.close();
      await sender.close();
    },
  };
}
