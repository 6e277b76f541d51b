/**
 * Group commit: requests arriving while a write is in flight wait for the next one, and each
 * write stores everything waiting in one transaction. The rate is then bounded by how much one
 * transaction can carry, not by one disk flush per request — and every caller's promise settles
 * only after the transaction that holds its item committed (or failed).
 */
export interface GroupCommitOptions {
  /** Most items in one transaction. */
  maxBatch: number;
  /** Transactions in flight at once (1 on PGlite, which has one connection; a few on PostgreSQL). */
  maxInFlight: number;
}

interface Waiting<T, R> {
  item: T;
  resolve(result: R): void;
  reject(err: unknown): void;
}

export class GroupCommit<T, R> {
  readonly #write: (items: T[]) => Promise<R[]>;
  readonly #options: GroupCommitOptions;
  #waiting: Waiting<T, R>[] = [];
  #inFlight = 0;
  #scheduled = false;
  #idle: (() => void)[] = [];

  /** `write` stores the items in one transaction and returns one result per item, in order. */
  constructor(write: (items: T[]) => Promise<R[]>, options: GroupCommitOptions) {
    this.#write = write;
    this.#options = options;
  }

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  /** Resolves once nothing is waiting or being written. */
  drain(): Promise<void> {
    if (this.#waiting.length === 0 && this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight >= this.#options.maxInFlight) return;
    this.#scheduled = true;
    // Requests parsed in the same turn of the event loop share the first transaction.
    setImmediate(() => {
      this.#scheduled = false;
      this.#flush();
    });
  }

  #flush(): void {
    while (this.#waiting.length > 0 && this.#inFlight < this.#options.maxInFlight) {
      const batch = this.#waiting.splice(0, this.#options.maxBatch);
      this.#inFlight++;
      void this.#run(batch);
    }
  }

  async #run(batch: Waiting<T, R>[]): Promise<void> {
    try {
      const results = await this.#write(batch.map((w) => w.item));
      batch.forEach((w, i) => w.resolve(results[i]!));
    } catch (err) {
      // One item the database refuses must not fail the others: write them one by one.
      if (batch.length === 1) batch[0]!.reject(err);
      else await Promise.all(batch.map((w) => this.#write([w.item]).then(([result]) => w.resolve(result!), (e: unknown) => w.reject(e))));
    } finally {
      this.#inFlight--;
      if (this.#waiting.length > 0) this.#flush();
      else if (this.#inFlight === 0) for (const resolve of this.#idle.splice(0)) resolve();
    }
  }
}
