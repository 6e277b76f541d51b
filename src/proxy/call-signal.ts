/**
 * The signal undici is given for one call: an emitter (undici takes one with `once` and
 * `removeListener` as readily as an AbortSignal), aborted by the timer or the caller's signal,
 * with the same reason an AbortController gives. An AbortController and its EventTarget per call
 * were ~2.5 % of a proxied call's CPU profile (bench/proxy.bench.ts).
 */
export class CallSignal {
  aborted = false;
  reason: unknown = undefined;
  #listeners: (() => void)[] = [];

  once(_event: 'abort', listener: () => void): this {
    this.#listeners.push(listener);
    return this;
  }

  on(event: 'abort', listener: () => void): this {
    return this.once(event, listener);
  }

  removeListener(_event: 'abort', listener: () => void): this {
    const at = this.#listeners.indexOf(listener);
    if (at >= 0) this.#listeners.splice(at, 1);
    return this;
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = new DOMException('This operation was aborted', 'AbortError');
    const listeners = this.#listeners;
    this.#listeners = [];
    for (const listener of listeners) listener();
  }
}
