/**
 * Group claim for the dispatch runs of one process: the (non-FIFO) claims asked for in the same
 * turn of the event loop, or while the previous statement ran, go out as one statement
 * (`claimForEndpoints`). A publish to four endpoints wakes four runs at once; they then cost one
 * round trip instead of four.
 */
import type { Clock } from '../../core/index.ts';
import type { Db } from '../../db/index.ts';
import { claimForEndpoints, type Claimed, type ClaimRequest } from './sql/claim.ts';

interface Waiting {
  request: ClaimRequest;
  resolve: (claimed: Claimed) => void;
  reject: (err: unknown) => void;
}

export class ClaimBatcher {
  #waiting: Waiting[] = [];
  #flushing = false;
  #scheduled = false;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** Claims up to `request.max` due deliveries of one endpoint (one request per endpoint at a time). */
  claim(request: ClaimRequest): Promise<Claimed> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ request, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#flushing) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    if (this.#flushing || this.#waiting.length === 0) return;
    this.#flushing = true;
    // One request per endpoint and statement (a second one waits for the next).
    const seen = new Set<string>();
    const batch: Waiting[] = [];
    const later: Waiting[] = [];
    for (const w of this.#waiting.splice(0)) {
      if (seen.has(w.request.endpointId)) later.push(w);
      else {
        seen.add(w.request.endpointId);
        batch.push(w);
      }
    }
    this.#waiting.push(...later);
    try {
      const claimed = await claimForEndpoints(
        this.db,
        this.clock.now(),
        batch.map((w) => w.request),
      );
      for (const w of batch) w.resolve(claimed.get(w.request.endpointId) ?? { deliveries: [], version: null });
    } catch (err) {
      for (const w of batch) w.reject(err);
    } finally {
      this.#flushing = false;
      if (this.#waiting.length > 0) this.#schedule();
    }
  }
}
