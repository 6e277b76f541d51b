import { SsrfError } from '../core/index.ts';

/**
 * Failures of a provider request that never produced an HTTP response. The kind is what the
 * shared failure mapping (failures.ts) and, later, the retry policy branch on — never the message.
 */
export type NetworkFailureKind = 'timeout' | 'dns' | 'refused' | 'reset' | 'tls' | 'aborted' | 'network' | 'circuit-open';

export class ProviderRequestError extends Error {
  constructor(
    readonly kind: NetworkFailureKind,
    /** Origin and path only: a query string may carry a credential. */
    readonly url: string,
    message: string,
    options: { cause?: unknown; timeoutMs?: number; host?: string; reachedProvider?: boolean } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProviderRequestError';
    this.timeoutMs = options.timeoutMs;
    this.host = options.host ?? safeHost(url);
    this.reachedProvider = options.reachedProvider ?? true;
  }
  readonly timeoutMs: number | undefined;
  readonly host: string;
  /**
   * False only when the request certainly never left Patchbay (no connection was made), so even
   * a POST may be sent again. True whenever the provider may have seen it.
   */
  readonly reachedProvider: boolean;
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_NODATA', 'EAI_FAIL']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** Every `code` found on an error, its causes and (for AggregateError, as happy eyeballs throws) its members. */
function errorCodes(err: unknown): string[] {
  const codes: string[] = [];
  const seen = new Set<unknown>();
  const visit = (value: unknown): void => {
    if (!value || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    const code = (value as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    if (value instanceof AggregateError) value.errors.forEach(visit);
    visit((value as { cause?: unknown }).cause);
  };
  visit(err);
  return codes;
}

const UNREACHED_CODES = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH', ...DNS_CODES]);

/**
 * Whether a failed request may have reached the provider. Only failures while connecting (refused,
 * DNS, unreachable, connect timeout, TLS handshake) prove it did not; anything later might have
 * been applied.
 */
export function mayHaveReachedProvider(err: unknown): boolean {
  if (ssrfRefusal(err)) return false;
  const codes = errorCodes(err);
  if (codes.some((c) => UNREACHED_CODES.has(c))) return false;
  if (codes.some((c) => c.startsWith('ERR_TLS') || c.includes('CERT'))) return false;
  return true;
}

/** The SSRF guard's refusal somewhere in an error's causes: never worth a retry. */
export function ssrfRefusal(err: unknown): SsrfError | undefined {
  const seen = new Set<unknown>();
  let current: unknown = err;
  while (current && typeof current === 'object' && !seen.has(current)) {
    if (current instanceof SsrfError) return current;
    seen.add(current);
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Sorts a thrown network error into one kind; unknown errors are `network`. */
export function classifyNetworkError(err: unknown): NetworkFailureKind {
  const codes = errorCodes(err);
  if (codes.some((c) => DNS_CODES.has(c))) return 'dns';
  if (codes.includes('ECONNREFUSED')) return 'refused';
  if (codes.some((c) => TIMEOUT_CODES.has(c))) return 'timeout';
  if (codes.some((c) => c.startsWith('ERR_TLS') || c.includes('CERT') || c === 'EPROTO')) return 'tls';
  if (codes.some((c) => RESET_CODES.has(c))) return 'reset';
  if (codes.includes('UND_ERR_ABORTED') || (err instanceof Error && err.name === 'AbortError')) return 'aborted';
  return 'network';
}

/** Codes of the shared failure mapping (failures.ts); stable, shown to API clients. */
export type FailureCode =
  | 'invalid_credentials'
  | 'insufficient_permissions'
  | 'not_found'
  | 'rate_limited'
  | 'provider_error'
  | 'bad_request'
  | 'unexpected_response'
  | 'timeout'
  | 'dns_failure'
  | 'connection_refused'
  | 'connection_reset'
  | 'tls_error'
  | 'network_error'
  | 'provider_unavailable'
  | 'cancelled'
  | 'invalid_configuration'
  | 'connector_error';

/** A provider answered, with a status the caller did not expect (thrown by `expectOk`). */
export class ProviderHttpError extends Error {
  constructor(readonly response: { status: number; headers: Readonly<Record<string, string>>; body: unknown; request: { method: string; path: string } }) {
    super(`${response.request.method} ${response.request.path} answered HTTP ${response.status}`);
    this.name = 'ProviderHttpError';
  }
}

/**
 * A failure a connector recognised itself, e.g. Slack's `200 {"ok":false,"error":"invalid_auth"}`.
 * The shared mapping turns its code into the message and hint, so wording stays in one place.
 */
export class ProviderFailureError extends Error {
  /**
   * @param detail the provider's own words, shown after ours (redacted, shortened)
   * @param context the response it came from (its status, path and Retry-After are used), or just a status
   */
  constructor(
    readonly code: FailureCode,
    readonly detail?: string,
    readonly context: { status?: number; response?: ProviderHttpError['response'] } = {},
  ) {
    super(detail ? `${code}: ${detail}` : code);
    this.name = 'ProviderFailureError';
  }
}
