/**
 * What tests turn on a simulator: the credentials it accepts (and when they expire), a forced
 * status, a delay, a fixed-window rate limit and injected faults; and every request it recorded.
 * The server (server.ts) consults it on each request; the API and the OAuth endpoints of one
 * simulator share one.
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface RecordedRequest {
  /** When it arrived (epoch ms). */
  at: number;
  method: string;
  path: string;
  query: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A broken answer for requests matching `path` (a prefix; all API requests when absent): a page
 * cut off mid-JSON (`malformed`), no answer at all until the client gives up (`hang`), an
 * answer `ms` late (`latency`), or a status in the provider's error shape. `after` matching requests are answered normally first;
 * then `times` are broken (every one when absent).
 */
export interface Fault {
  kind: 'malformed' | 'hang' | 'status' | 'latency';
  status?: number;
  /** For `latency`: how long to wait before answering normally. */
  ms?: number;
  retryAfterSeconds?: number;
  path?: string;
  method?: string;
  after?: number;
  times?: number;
}

/** What tests turn. Shared by the API and the OAuth endpoints of one simulator. */
export interface SimulatorControl {
  /** Credentials (API keys, access tokens) the simulator accepts. */
  readonly credentials: Set<string>;
  /** Expiry (epoch ms) of credentials that expire, e.g. OAuth access tokens. */
  readonly expiry: Map<string, number>;
  /** Answer API requests with this status (in the provider's error shape), `times` times or until cleared. */
  forceStatus(status: number, options?: { times?: number; retryAfterSeconds?: number }): void;
  clearForcedStatus(): void;
  /** Wait this long before answering any request. */
  setDelay(ms: number): void;
  /** A fixed-window limit on API requests; past it, 429 with `Retry-After`. `null` removes it. */
  setRateLimit(limit: number | null, windowMs?: number): void;
  /** Breaks some answers (see `Fault`); faults apply in the order given. */
  injectFault(fault: Fault): void;
  clearFaults(): void;
  readonly requests: RecordedRequest[];
  /** Back to the state the simulator started in. */
  reset(): void;
}

export function createControl(initialCredentials: readonly string[] = []): SimulatorControl & {
  forced?: { status: number; remaining: number; retryAfterSeconds?: number };
  delayMs: number;
  limit?: { limit: number; windowMs: number; windowStart: number; count: number };
  faults: (Fault & { seen: number; broken: number })[];
  /** Makes the credentials accepted now (e.g. sample tokens just issued) what `reset()` restores. */
  baseline(): void;
} {
  let baseline: { credentials: string[]; expiry: [string, number][] } = { credentials: [...initialCredentials], expiry: [] };
  const control = {
    credentials: new Set(initialCredentials),
    expiry: new Map<string, number>(),
    requests: [] as RecordedRequest[],
    delayMs: 0,
    faults: [] as (Fault & { seen: number; broken: number })[],
    forced: undefined as { status: number; remaining: number; retryAfterSeconds?: number } | undefined,
    limit: undefined as { limit: number; windowMs: number; windowStart: number; count: number } | undefined,
    forceStatus(status: number, options: { times?: number; retryAfterSeconds?: number } = {}) {
      control.forced = {
        status,
        remaining: options.times ?? Number.POSITIVE_INFINITY,
        ...(options.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: options.retryAfterSeconds }),
      };
    },
    clearForcedStatus() {
      control.forced = undefined;
    },
    setDelay(ms: number) {
      control.delayMs = ms;
    },
    setRateLimit(limit: number | null, windowMs = 60_000) {
      control.limit = limit === null ? undefined : { limit, windowMs, windowStart: Date.now(), count: 0 };
    },
    injectFault(fault: Fault) {
      control.faults.push({ ...fault, seen: 0, broken: 0 });
    },
    clearFaults() {
      control.faults.length = 0;
    },
    baseline() {
      baseline = { credentials: [...control.credentials], expiry: [...control.expiry] };
    },
    reset() {
      control.credentials.clear();
      baseline.credentials.forEach((c) => control.credentials.add(c));
      control.expiry.clear();
      baseline.expiry.forEach(([c, at]) => control.expiry.set(c, at));
      control.requests.length = 0;
      control.delayMs = 0;
      control.faults.length = 0;
      control.forced = undefined;
      control.limit = undefined;
    },
  };
  return control;
}

export type InternalControl = ReturnType<typeof createControl>;

/** The first fault that breaks this request, counting it; none when every fault lets it pass. */
export function matchFault(control: InternalControl, method: string, path: string): Fault | undefined {
  for (const fault of control.faults) {
    if (fault.path && !path.startsWith(fault.path)) continue;
    if (fault.method && fault.method !== method) continue;
    fault.seen += 1;
    if (fault.seen <= (fault.after ?? 0)) continue;
    if (fault.times !== undefined && fault.broken >= fault.times) continue;
    fault.broken += 1;
    return fault;
  }
  return undefined;
}

/** The credential is accepted and not expired. */
export function accepts(control: SimulatorControl, credential: string): boolean {
  if (!control.credentials.has(credential)) return false;
  const expiresAt = control.expiry.get(credential);
  return expiresAt === undefined || expiresAt > Date.now();
}
