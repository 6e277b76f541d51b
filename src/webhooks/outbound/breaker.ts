/**
 * A circuit breaker per endpoint (opossum), driven by the injectable clock: the failure window
 * rotates when the clock says a bucket has passed, and an open circuit goes half-open once the
 * clock is `resetMs` past its opening — so tests show every transition without waiting.
 *
 * Closed: attempts go out and are counted. Open (failure rate above the threshold over the window,
 * with enough volume): attempts fail at once, without a connection, and are logged as
 * `circuit_open` — a dead endpoint costs a row, not a socket. Half-open: one probe goes out; its
 * success closes the circuit, its failure opens it again. State is per process: each worker
 * learns an endpoint's health on its own, which costs at most `volumeThreshold` attempts each.
 */
import { EventEmitter } from 'node:events';
import CircuitBreaker from 'opossum';
import type { Clock } from '../../core/index.ts';
import type { BreakerSettings } from './settings.ts';

// Longest timer Node accepts; opossum's own reset timer must never be what half-opens a circuit.
const NEVER_MS = 2_000_000_000;

export type BreakerState = 'closed' | 'open' | 'half-open';

export const isOpenCircuitError = (err: unknown): boolean => (err as { code?: string } | null)?.code === 'EOPENBREAKER';

interface Entry {
  breaker: CircuitBreaker<[() => Promise<unknown>], unknown>;
  openedAt: number | undefined;
}

export class Breakers {
  readonly #entries = new Map<string, Entry>();
  readonly #rotation = new EventEmitter();
  readonly #bucketMs: number;
  #rotatedAt: number;

  constructor(
    private readonly settings: BreakerSettings,
    private readonly clock: Clock,
  ) {
    this.#bucketMs = Math.max(1, Math.floor(settings.windowMs / settings.buckets));
    this.#rotatedAt = clock.now().getTime();
    this.#rotation.setMaxListeners(0);
  }

  /** Runs `action` through the endpoint's breaker; rejects with code EOPENBREAKER when open. */
  fire<T>(endpointId: string, action: () => Promise<T>): Promise<T> {
    this.#tick();
    return this.#entry(endpointId).breaker.fire(action) as Promise<T>;
  }

  state(endpointId: string): BreakerState {
    this.#tick();
    if (!this.#entries.has(endpointId)) return 'closed';
    const entry = this.#entry(endpointId);
    return entry.breaker.halfOpen ? 'half-open' : entry.breaker.opened ? 'open' : 'closed';
  }

  /** Forgets an endpoint (deleted, disabled, re-enabled). */
  forget(endpointId: string): void {
    this.#entries.get(endpointId)?.breaker.shutdown();
    this.#entries.delete(endpointId);
  }

  close(): void {
    for (const id of [...this.#entries.keys()]) this.forget(id);
  }

  /** Rotates the window by the buckets the clock has moved through. */
  #tick(): void {
    const now = this.clock.now().getTime();
    const passed = Math.floor((now - this.#rotatedAt) / this.#bucketMs);
    if (passed <= 0) return;
    this.#rotatedAt += passed * this.#bucketMs;
    for (let i = 0; i < Math.min(passed, this.settings.buckets); i++) this.#rotation.emit('rotate');
  }

  #entry(endpointId: string): Entry {
    let entry = this.#entries.get(endpointId);
    if (!entry) {
      entry = { breaker: this.#create(endpointId), openedAt: undefined };
      this.#entries.set(endpointId, entry);
    }
    if (entry.breaker.opened && entry.openedAt !== undefined && this.clock.now().getTime() - entry.openedAt >= this.settings.resetMs) {
      // opossum half-opens on its own timer; here the clock decides, so the circuit is rebuilt half-open.
      entry.breaker.shutdown();
      entry.breaker = this.#create(endpointId, true);
      entry.openedAt = undefined;
    }
    return entry;
  }

  #create(endpointId: string, halfOpen = false): CircuitBreaker<[() => Promise<unknown>], unknown> {
    const breaker = new CircuitBreaker((action: () => Promise<unknown>) => action(), {
      name: endpointId,
      timeout: false,
      resetTimeout: NEVER_MS,
      errorThresholdPercentage: this.settings.errorThresholdPercentage,
      volumeThreshold: this.settings.volumeThreshold,
      rollingCountTimeout: this.settings.windowMs,
      rollingCountBuckets: this.settings.buckets,
      rotateBucketController: this.#rotation,
      rollingPercentilesEnabled: false,
      enableSnapshots: false,
      ...(halfOpen ? { state: { enabled: true, closed: false, halfOpen: true, warmUp: false, shutdown: false } } : {}),
    } as CircuitBreaker.Options);
    breaker.on('open', () => {
      const entry = this.#entries.get(endpointId);
      if (entry) entry.openedAt = this.clock.now().getTime();
    });
    return breaker;
  }
}
