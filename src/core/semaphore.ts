/**
 * At most `max` holders at once; the others wait their turn in arrival order.
 *
 * @example
 * const release = await bodies.acquire();
 * try { await work(); } finally { release(); }
 */
export class Semaphore {
  #held = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(readonly max: number) {}

  async acquire(): Promise<() => void> {
    if (this.#held >= this.max) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#held += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      // The slot passes straight to the next in line, so `held` stays as it is.
      if (next) next();
      else this.#held -= 1;
    };
  }

  /** Holders now, and callers waiting for a slot. */
  get state(): { held: number; waiting: number } {
    return { held: this.#held, waiting: this.#waiting.length };
  }
}
