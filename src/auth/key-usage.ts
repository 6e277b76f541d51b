/**
 * `lastUsedAt` of API keys, out of the request path: a request only notes its key in memory; the
 * keys noted are written in one statement every few seconds, each key at most once a minute (here,
 * and in the statement too, so several processes do not write it more often between them).
 */
import { and, inArray, isNull, lt, or } from 'drizzle-orm';
import { toError, type Clock, type Logger } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import { apiKeys } from './schema.ts';

const ONCE_PER_MS = 60_000;
const BATCH = 1_000;

export interface ApiKeyUsageOptions {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** How often noted keys are written. Default 5 s. */
  flushMs?: number;
}

export class ApiKeyUsage {
  /** Key id → when its use was last noted for writing (ms); entries older than a minute are dropped. */
  readonly #noted = new Map<string, number>();
  #pending = new Set<string>();
  readonly #timer: NodeJS.Timeout;
  #flushing: Promise<void> = Promise.resolve();

  constructor(private readonly options: ApiKeyUsageOptions) {
    this.#timer = setInterval(() => void this.flush(), options.flushMs ?? 5_000).unref();
  }

  /** Notes one use of a key (no I/O). */
  record(keyId: string): void {
    const now = this.options.clock.now().getTime();
    const last = this.#noted.get(keyId);
    if (last !== undefined && now - last < ONCE_PER_MS) return;
    this.#noted.set(keyId, now);
    this.#pending.add(keyId);
  }

  /** Writes the keys noted since the last flush; a failure is logged, never thrown. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#write());
    return this.#flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }

  async #write(): Promise<void> {
    const now = this.options.clock.now();
    for (const [id, at] of this.#noted) if (now.getTime() - at >= ONCE_PER_MS) this.#noted.delete(id);
    if (this.#pending.size === 0) return;
    const ids = [...this.#pending];
    this.#pending = new Set();
    try {
      for (let i = 0; i < ids.length; i += BATCH) {
        await this.options.db
          .update(apiKeys)
          .set({ lastUsedAt: now })
          .where(and(inArray(apiKeys.id, ids.slice(i, i + BATCH)), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, new Date(now.getTime() - ONCE_PER_MS)))));
      }
    } catch (err) {
      this.options.logger.warn({ err: toError(err), keys: ids.length }, 'could not record API key use');
    }
  }
}
