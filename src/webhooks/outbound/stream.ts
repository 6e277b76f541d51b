/**
 * `patchbay listen`, the hub's side: a temporary `stream` endpoint that receives messages like
 * any other (same filters, same deliveries and attempt log) but, instead of being POSTed to, is
 * fed to the listener's open server-sent-events connection, signed. The CLI forwards each one to
 * a local URL, so nothing on the developer's machine has to be reachable from the hub.
 *
 * Streams wake on a NOTIFY from the fan-out (any process may publish) and poll every few seconds
 * as a safety net. The endpoint is deleted when the stream closes, or by `prune` when its
 * listener vanished without closing.
 */
import { eq } from 'drizzle-orm';
import { toError, type Clock, type Logger } from '../../core/index.ts';
import type { Database } from '../../db/index.ts';
import type { Vault } from '../../credentials/index.ts';
import { createEndpoint, deleteEndpoint, openSigningKeys } from './endpoints.ts';
import { STREAM_CHANNEL } from './jobs.ts';
import type { Recorder } from './recorder.ts';
import { endpoints } from './schema.ts';
import type { Scope } from './scope.ts';
import type { OutboundSettings } from './settings.ts';
import { webhookHeaders } from './signing.ts';
import { claimDeliveries } from './sql/claim.ts';

const POLL_MS = 2_000;
const SEEN_EVERY_MS = 30_000;
const BATCH = 100;

export interface StreamOptions {
  eventTypes?: string[] | undefined;
  channels?: string[] | undefined;
  /** Shown in the endpoint's description (e.g. the CLI's host name). */
  label?: string | undefined;
}

/** One message as the stream carries it: the exact body and the headers to forward with it. */
export interface StreamMessage {
  id: string;
  type: string;
  headers: Record<string, string>;
  body: string;
}

export interface Stream {
  endpointId: string;
  /** The `whsec_` secret the forwarded messages are signed with. */
  secret: string;
  close(): Promise<void>;
}

export interface StreamDeps {
  database: Database;
  vault: Vault;
  clock: Clock;
  logger: Logger;
  settings: OutboundSettings;
  recorder: Recorder;
}

/** Wake-ups by endpoint id, from one LISTEN per process. */
export class StreamWakeups {
  readonly #waiters = new Map<string, () => void>();
  #unlisten: Promise<() => Promise<void>> | undefined;

  constructor(private readonly database: Database) {}

  async subscribe(endpointId: string, wake: () => void): Promise<() => void> {
    this.#waiters.set(endpointId, wake);
    this.#unlisten ??= this.database.listen(STREAM_CHANNEL, (payload) => this.#waiters.get(payload)?.());
    await this.#unlisten;
    return () => this.#waiters.delete(endpointId);
  }

  async close(): Promise<void> {
    this.#waiters.clear();
    const unlisten = this.#unlisten;
    this.#unlisten = undefined;
    if (unlisten) await (await unlisten)().catch(() => undefined);
  }
}

/**
 * Opens a stream: creates its endpoint, then calls `write` for each message meant for it until
 * `close()`. `write` returns false when the connection is gone (the message is then retried).
 */
export async function openStream(deps: StreamDeps, wakeups: StreamWakeups, scope: Scope, options: StreamOptions, write: (message: StreamMessage) => boolean): Promise<Stream> {
  const { database, clock, settings, recorder } = deps;
  const db = database.db;
  const endpoint = await db.transaction((tx) =>
    createEndpoint(
      tx,
      { vault: deps.vault, clock, settings },
      scope,
      { url: 'listen://patchbay', description: `patchbay listen${options.label ? ` (${options.label})` : ''}`, eventTypes: options.eventTypes ?? null, channels: options.channels ?? null, maxConcurrency: BATCH },
      'stream',
    ),
  );
  const keys = await openSigningKeys(db, deps.vault, endpoint);
  const logger = deps.logger.child({ endpointId: endpoint.id, stream: true });
  let closed = false;
  let running: Promise<void> | undefined;
  let again = false;
  let lastSeen = clock.now().getTime();

  const drain = async (): Promise<void> => {
    for (;;) {
      if (closed) return;
      const now = clock.now();
      if (now.getTime() - lastSeen > SEEN_EVERY_MS) {
        lastSeen = now.getTime();
        await db.update(endpoints).set({ streamSeenAt: now }).where(eq(endpoints.id, endpoint.id));
      }
      const { deliveries: claimed } = await claimDeliveries(db, { endpointId: endpoint.id, now, lockedUntil: new Date(now.getTime() + 60_000), max: BATCH, fifo: false });
      if (claimed.length === 0) return;
      const outcomes = claimed.map((c) => {
        const startedAt = clock.now();
        const body = c.payload ?? '';
        const headers = { 'content-type': 'application/json', ...webhookHeaders(keys, c.messageId, startedAt, body) };
        const sent = !closed && c.payload !== null && write({ id: c.messageId, type: c.eventType, headers, body });
        return recorder.record({
          messageId: c.messageId,
          tid: c.tid,
          endpointId: endpoint.id,
          organizationId: endpoint.organizationId,
          environmentId: endpoint.environmentId,
          eventType: c.eventType,
          attempt: c.attempt,
          trigger: c.trigger,
          startedAt,
          durationMs: 0,
          succeeded: sent,
          statusCode: null,
          responseHeaders: null,
          responseBody: sent ? 'streamed to patchbay listen' : null,
          errorClass: sent ? null : 'connection',
          error: sent ? null : c.payload === null ? 'the payload was pruned by retention' : 'the listen stream closed',
          nextState: sent ? 'succeeded' : 'failed',
          nextAttemptAt: null,
        });
      });
      await Promise.allSettled(outcomes);
    }
  };

  const wake = (): void => {
    if (closed) return;
    if (running) {
      again = true;
      return;
    }
    running = drain()
      .catch((err: unknown) => logger.warn({ err: toError(err) }, 'listen stream could not read its messages'))
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          wake();
        }
      });
  };

  const unsubscribe = await wakeups.subscribe(endpoint.id, wake);
  const poll = setInterval(wake, POLL_MS);
  poll.unref();
  wake();

  return {
    endpointId: endpoint.id,
    secret: keys.current.secret,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(poll);
      unsubscribe();
      await running;
      await db.transaction((tx) => deleteEndpoint(tx, deps.vault, scope, endpoint.id)).catch((err: unknown) => logger.warn({ err: toError(err) }, 'could not remove a listen endpoint; prune will'));
    },
  };
}
