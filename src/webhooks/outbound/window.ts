/**
 * One dispatch run's delivery window for one endpoint: at most `cap` requests in flight, fed
 * from a small buffer of claimed deliveries that is refilled in the background, so claiming (a
 * round trip) overlaps with sending instead of stalling it, and each claim takes a batch.
 *
 * The run stops claiming when the endpoint has nothing due, when its time budget is spent, when
 * the endpoint asked for a pause (`Retry-After`) or its rate limit is used up, or when it is
 * aborted; deliveries it claimed but did not start go back to `pending` untried.
 *
 * FIFO endpoints have a window of one and no buffer: the next message is claimed only after the
 * previous outcome is written.
 */
import type { Clock } from '../../core/index.ts';
import type { ClaimedDelivery } from './sql/claim.ts';

export interface WindowOptions {
  cap: number;
  fifo: boolean;
  /** Most deliveries per claim. */
  claimBatch: number;
  budgetMs: number;
  rateLimit: number | null;
  clock: Clock;
  /** The run's abort signal. */
  signal: AbortSignal;
  /** Rate window carried over from the previous run. */
  windowStart: number;
  windowCount: number;
  /** The endpoint's pause when the run took hold. */
  pausedUntil: number;
  claim(max: number): Promise<ClaimedDelivery[]>;
  /** Sends one delivery and records its outcome; resolves when the slot may be reused. Returns a pause the endpoint asked for, if any. */
  deliver(claimed: ClaimedDelivery): Promise<number | undefined>;
  /** Gives claimed, unstarted deliveries back. */
  release(claimed: ClaimedDelivery[]): Promise<void>;
  /**
   * How long an emptied window waits for more work before the run ends. A steady trickle of
   * messages then keeps one run going instead of paying a run's set-up per message; `wake()`
   * ends the wait at once. After a short claim the window claims again only when woken (new
   * messages always wake it) or when this wait ends (retries that became due).
   */
  lingerMs: number;
}

export interface Window {
  done: Promise<WindowResult>;
  /**
   * More work is due (a message for this endpoint was published). True when the run takes it in:
   * it claims again before it ends; false when it has ended already.
   */
  wake(): boolean;
}

export interface WindowResult {
  /** The budget ran out with work possibly left. */
  budgetSpent: boolean;
  /** No new attempt before this instant (pause or rate limit), if any. */
  blockedUntil: number | undefined;
  windowStart: number;
  windowCount: number;
  /** The first claim or delivery that threw (the run stopped there). */
  error: unknown;
}

export function runWindow(options: WindowOptions): Window {
  const { cap, fifo, clock, signal } = options;
  const started = performance.now();
  const ready: ClaimedDelivery[] = [];
  let inFlight = 0;
  let claiming = false;
  let drained = false;
  let error: unknown;
  const fail = (err: unknown) => void (error ??= err);
  let pausedUntil = options.pausedUntil;
  let windowStart = options.windowStart;
  let windowCount = options.windowCount;
  let blockedUntil: number | undefined;
  let finish!: (result: WindowResult) => void;
  const done = new Promise<WindowResult>((resolve) => (finish = resolve));
  let finished = false;
  // Lingering: waiting for work with an empty window. A wait that ends without work ends the run.
  let lingering: NodeJS.Timeout | undefined;
  let quiet = false;
  // A wake-up during a claim: that claim may have run before the new work committed, so a short
  // answer must not count as drained.
  let wokenWhileClaiming = false;

  const budgetSpent = () => performance.now() - started > options.budgetMs;

  /** What the rate limit allows to claim now. */
  const allowance = (nowMs: number): number => {
    if (options.rateLimit === null) return Infinity;
    if (nowMs - windowStart >= 1_000) {
      windowStart = nowMs;
      windowCount = 0;
    }
    const left = options.rateLimit - windowCount;
    if (left <= 0) blockedUntil = Math.max(blockedUntil ?? 0, windowStart + 1_000);
    return Math.max(0, left);
  };

  const pump = (): void => {
    if (finished) return;
    const nowMs = clock.now().getTime();
    blockedUntil = pausedUntil > nowMs ? pausedUntil : undefined;
    const stopping = signal.aborted || error !== undefined;

    while (!stopping && blockedUntil === undefined && inFlight < cap && ready.length > 0) {
      const next = ready.shift()!;
      inFlight++;
      options
        .deliver(next)
        .then(
          (pause) => {
            if (pause !== undefined) pausedUntil = Math.max(pausedUntil, pause);
          },
          fail,
        )
        .finally(() => {
          inFlight--;
          pump();
        });
    }

    const spent = budgetSpent();
    // FIFO: nothing buffered, nothing in flight. Others: keep about a window's worth buffered.
    const low = fifo ? inFlight === 0 && ready.length === 0 : ready.length <= cap / 2;
    if (!claiming && !stopping && !drained && !spent && blockedUntil === undefined && low) {
      const want = Math.min(options.claimBatch, fifo ? 1 : 2 * cap - inFlight - ready.length, allowance(nowMs));
      if (want > 0) {
        claiming = true;
        wokenWhileClaiming = false;
        options
          .claim(want)
          .then(
            (claimed) => {
              windowCount += claimed.length;
              ready.push(...claimed);
              if (claimed.length < want && !wokenWhileClaiming) drained = true;
              if (claimed.length > 0) quiet = false;
            },
            fail,
          )
          .finally(() => {
            claiming = false;
            pump();
          });
        return;
      }
    }

    if (inFlight > 0 || claiming || lingering) return;
    if (ready.length > 0 && !stopping && blockedUntil === undefined) return; // cannot happen: the loop above started them
    if (drained && !quiet && !stopping && !spent && blockedUntil === undefined && options.lingerMs > 0) {
      lingering = setTimeout(() => {
        lingering = undefined;
        quiet = true; // one more look (work published by another process), then the run ends
        drained = false;
        pump();
      }, options.lingerMs);
      return;
    }
    finished = true;
    const leftover = ready.splice(0);
    (leftover.length > 0 ? options.release(leftover).catch(fail) : Promise.resolve()).then(() => finish({ budgetSpent: spent, blockedUntil, windowStart, windowCount, error }));
  };

  pump();
  return {
    done,
    wake() {
      if (finished) return false;
      drained = false;
      quiet = false;
      if (claiming) wokenWhileClaiming = true;
      if (lingering) {
        clearTimeout(lingering);
        lingering = undefined;
      }
      pump();
      return true;
    },
  };
}
