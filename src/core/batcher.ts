/**
 * Group commit, one implementation for every hot path that writes per item: the items added
 * while a write runs (or in the same turn of the event loop) go out together in the next write,
 * so under load an item costs a fraction of a round trip, and at rest it is written at once.
 * Inbound events, outbound attempt outcomes and claims, and the queue's failed jobs all batch
 * through it; each caller's promise settles only after the write that held its item finished.
 */
export interface BatcherOptions<T> {
  /** Most items in one write (default 500). */
  maxBatch?: number;
  /** Writes in flight at once (default 1: PGlite has one connection; a few suit PostgreSQL). */
  maxInFlight?: number;
  /**
   * A batch smaller than `below` waits up to `ms` for more before it is written: outcomes that
   * come back over a few milliseconds then share one statement. An urgent item goes at once.
   */
  linger?: { ms: number; below: number };
  /** When a write of several items fails, write them one at a time, so one bad item fails alone. */
  isolateFailures?: boolean;
  /**
   * Which waiting items the next write takes (indexes into `waiting`, at most `maxBatch`); the
   * others wait for a later write. Default: the first `maxBatch`.
   */
  take?: (waiting: readonly T[], maxBatch: number) => number[];
}

interface Waiting<T, R> {
  item: T;
  resolve(result: R): void;
  reject(err: unknown): void;
}

/**
 * Waiting items taken out of a batcher by another write that stores them along with its own
 * (see `Batcher.carry`); that write settles them.
 */
export interface Carried<T, R> {
  readonly items: readonly T[];
  /** The carrying write stored them: each caller gets its result, in order (nothing when R is void). */
  resolve(results?: R[]): void;
  /** The carrying write failed: the items wait again, first in line, for this batcher's own next write. */
  giveBack(): void;
}

/** `write` stores the items and returns one result per item, in order (or nothing when R is void). */
export type BatchWrite<T, R> = (items: T[]) => Promise<R[] | void>;

export class Batcher<T, R = void> {
  readonly #write: BatchWrite<T, R>;
  readonly #maxBatch: number;
  readonly #maxInFlight: number;
  readonly #options: BatcherOptions<T>;
  #waiting: Waiting<T, R>[] = [];
  readonly #inFlight = new Set<Promise<void>>();
  #scheduled = false;
  #lingering: NodeJS.Timeout | undefined;
  #urgent = false;
  /** Items another write carries (see `carry`): `drain` waits for them too. */
  readonly #carried = new Set<Promise<void>>();

  constructor(write: BatchWrite<T, R>, options: BatcherOptions<T> = {}) {
    this.#write = write;
    this.#options = options;
    this.#maxBatch = options.maxBatch ?? 500;
    this.#maxInFlight = options.maxInFlight ?? 1;
  }

  /** Resolves with the item's result once the write that held it finished. */
  add(item: T, options: { urgent?: boolean } = {}): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      if (options.urgent) this.#urgent = true;
      this.#schedule();
    });
  }

  /** Items waiting for a write (not counting those being written). */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Resolves once everything added so far is written (or has failed). */
  async drain(): Promise<void> {
    while (this.#inFlight.size > 0 || this.#waiting.length > 0 || this.#carried.size > 0) {
      if (this.#waiting.length > 0 && this.#inFlight.size < this.#maxInFlight) this.#flush();
      else await Promise.race([...this.#inFlight, ...this.#carried]);
    }
  }

  /**
   * Hands the waiting items (up to `maxBatch`, all of them or none) to another write that stores
   * them in its own round trip — a claim that also records the outcomes waiting here — when
   * `accept` agrees to them. Their callers' promises settle when that write calls `resolve`; if
   * it fails it calls `giveBack`, and they wait for this batcher's own write as if never taken.
   * It does not count against `maxInFlight`: the caller decides whether the two writes may overlap.
   */
  carry(accept: (items: readonly T[]) => boolean): Carried<T, R> | undefined {
    if (this.#waiting.length === 0 || this.#waiting.length > this.#maxBatch || this.#options.take) return undefined;
    const items = this.#waiting.map((w) => w.item);
    if (!accept(items)) return undefined;
    const taken = this.#waiting;
    this.#waiting = [];
    this.#urgent = false;
    if (this.#lingering) {
      clearTimeout(this.#lingering);
      this.#lingering = undefined;
      this.#scheduled = false;
    }
    let settle!: () => void;
    const settled = new Promise<void>((resolve) => (settle = resolve));
    this.#carried.add(settled);
    let done = false;
    const finish = () => {
      if (done) throw new Error('carried items settled twice');
      done = true;
      this.#carried.delete(settled);
      settle();
    };
    return {
      items,
      resolve: (results) => {
        finish();
        taken.forEach((w, i) => w.resolve(results ? results[i]! : (undefined as R)));
      },
      giveBack: () => {
        finish();
        this.#waiting.unshift(...taken);
        this.#urgent = true;
        this.#schedule();
      },
    };
  }

  #schedule(): void {
    if (this.#inFlight.size >= this.#maxInFlight) return; // the write in flight reschedules when it ends
    const urgent = this.#urgent || !this.#options.linger || this.#waiting.length >= this.#options.linger.below;
    if (urgent && this.#lingering) {
      clearTimeout(this.#lingering);
      this.#lingering = undefined;
      this.#scheduled = false;
    }
    if (this.#scheduled) return;
    this.#scheduled = true;
    const go = () => {
      this.#scheduled = false;
      this.#lingering = undefined;
      this.#flush();
    };
    // One macrotask turn lets the items of the same tick join the batch.
    if (urgent) setImmediate(go);
    else this.#lingering = setTimeout(go, this.#options.linger!.ms);
  }

  #flush(): void {
    while (this.#waiting.length > 0 && this.#inFlight.size < this.#maxInFlight) {
      const batch = this.#takeBatch();
      if (batch.length === 0) break; // `take` chose nothing: wait for the next add or write
      if (this.#waiting.length === 0) this.#urgent = false;
      const running: Promise<void> = this.#run(batch).finally(() => {
        this.#inFlight.delete(running);
        if (this.#waiting.length > 0) this.#schedule();
      });
      this.#inFlight.add(running);
    }
  }

  #takeBatch(): Waiting<T, R>[] {
    if (!this.#options.take) return this.#waiting.splice(0, this.#maxBatch);
    const picked = new Set(this.#options.take(this.#waiting.map((w) => w.item), this.#maxBatch).slice(0, this.#maxBatch));
    const batch: Waiting<T, R>[] = [];
    const rest: Waiting<T, R>[] = [];
    this.#waiting.forEach((w, i) => (picked.has(i) ? batch : rest).push(w));
    this.#waiting = rest;
    return batch;
  }

  async #run(batch: Waiting<T, R>[]): Promise<void> {
    try {
      const results = await this.#write(batch.map((w) => w.item));
      batch.forEach((w, i) => w.resolve(results ? results[i]! : (undefined as R)));
    } catch (err) {
      if (!this.#options.isolateFailures || batch.length === 1) {
        for (const w of batch) w.reject(err);
        return;
      }
      await Promise.all(
        batch.map((w) =>
          this.#write([w.item]).then(
            (results) => w.resolve(results ? results[0]! : (undefined as R)),
            (e: unknown) => w.reject(e),
          ),
        ),
      );
    }
  }
}
