/**
 * Group commit for the worker's failure records: items added while a flush runs go out together
 * in the next one, so under load a failure costs a fraction of a round trip, and at rest it is
 * written at once.
 */
export class Batcher<T> {
  #items: T[] = [];
  #flushing: Promise<void> | undefined;
  #scheduled = false;

  constructor(
    private readonly flush: (items: T[]) => Promise<void>,
    private readonly onError: (err: unknown, items: T[]) => void,
    private readonly maxBatch = 500,
  ) {}

  add(item: T): void {
    this.#items.push(item);
    this.#schedule();
  }

  /** Resolves when everything added so far is written (or its failure reported). */
  async drain(): Promise<void> {
    while (this.#flushing || this.#items.length > 0) {
      if (this.#flushing) await this.#flushing;
      else this.#run();
    }
  }

  #schedule(): void {
    if (this.#scheduled || this.#flushing) return;
    this.#scheduled = true;
    // One macrotask turn lets the completions of the same tick join the batch.
    setImmediate(() => {
      this.#scheduled = false;
      this.#run();
    });
  }

  #run(): void {
    if (this.#flushing || this.#items.length === 0) return;
    const items = this.#items.splice(0, this.maxBatch);
    this.#flushing = this.flush(items)
      .catch((err: unknown) => this.onError(err, items))
      .finally(() => {
        this.#flushing = undefined;
        if (this.#items.length > 0) this.#schedule();
      });
  }
}
