/**
 * Problem types (RFC 9457). Every error the API answers with is one of these; the `type` URI is
 * stable and documented, the `title` is the same for every instance of a type.
 */
export const PROBLEM_BASE = 'https://patchbay.dev/problems/';

export interface FieldError {
  /** JSON pointer or dotted path of the failing field, e.g. `/url` */
  field: string;
  message: string;
}

export interface ProblemInit {
  detail?: string;
  errors?: FieldError[];
  headers?: Record<string, string>;
  extra?: Record<string, unknown>;
  cause?: unknown;
}

export class ProblemError extends Error {
  readonly type: string;
  readonly status: number;
  readonly title: string;
  readonly detail: string | undefined;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string>;
  readonly extra: Record<string, unknown>;

  constructor(slug: string, status: number, title: string, init: ProblemInit = {}) {
    super(init.detail ?? title, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'ProblemError';
    this.type = PROBLEM_BASE + slug;
    this.status = status;
    this.title = title;
    this.detail = init.detail;
    this.errors = init.errors;
    this.headers = init.headers ?? {};
    this.extra = init.extra ?? {};
  }

  toJSON(instance?: string): Record<string, unknown> {
    return {
      type: this.type,
      title: this.title,
      status: this.status,
      ...(this.detail ? { detail: this.detail } : {}),
      ...(instance ? { instance } : {}),
      ...(this.errors ? { errors: this.errors } : {}),
      ...this.extra,
    };
  }
}

/** The header a 413 names its limit in, in bytes. */
export const BODY_LIMIT_HEADER = 'patchbay-body-limit';

/** `1048576` → `1 MiB`; `1500` → `1.5 KiB`. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${Number(value.toFixed(1))} ${units[unit]}`;
}

export const problems = {
  validation: (errors: FieldError[], detail = 'The request is not valid.') =>
    new ProblemError('validation', 400, 'Invalid request', { detail, errors }),
  badRequest: (detail: string) => new ProblemError('bad-request', 400, 'Bad request', { detail }),
  unauthenticated: (detail = 'Authentication is required.') =>
    new ProblemError('unauthenticated', 401, 'Not authenticated', {
      detail,
      headers: { 'www-authenticate': 'Bearer realm="patchbay"' },
    }),
  forbidden: (detail: string) => new ProblemError('forbidden', 403, 'Forbidden', { detail }),
  notFound: (what: string, id?: string) =>
    new ProblemError('not-found', 404, 'Not found', {
      detail: id === undefined ? `${what} not found.` : `${what} ${id} not found.`,
    }),
  conflict: (detail: string, extra?: Record<string, unknown>) =>
    new ProblemError('conflict', 409, 'Conflict', { detail, ...(extra ? { extra } : {}) }),
  /** States the limit in `detail`, in `limit` and in the `patchbay-body-limit` header (bytes). */
  payloadTooLarge: (limit: number, what = 'The body') =>
    new ProblemError('payload-too-large', 413, 'Payload too large', {
      detail: `${what} is larger than the limit of ${formatBytes(limit)} (${limit} bytes).`,
      headers: { [BODY_LIMIT_HEADER]: String(limit) },
      extra: { limit },
    }),
  jsonTooDeep: (limit: number) =>
    new ProblemError('json-too-deep', 400, 'JSON nested too deeply', {
      detail: `The body nests objects and arrays more than ${limit} levels deep; the limit is ${limit}.`,
      extra: { limit },
    }),
  unsupportedMediaType: (detail: string) =>
    new ProblemError('unsupported-media-type', 415, 'Unsupported media type', { detail }),
  unprocessable: (detail: string, errors?: FieldError[]) =>
    new ProblemError('unprocessable', 422, 'Unprocessable request', {
      detail,
      ...(errors ? { errors } : {}),
    }),
  rateLimited: (retryAfterSeconds: number) =>
    new ProblemError('rate-limited', 429, 'Too many requests', {
      detail: `Rate limit exceeded; retry after ${retryAfterSeconds} s.`,
      headers: { 'retry-after': String(retryAfterSeconds) },
    }),
  unavailable: (detail: string) =>
    new ProblemError('unavailable', 503, 'Service unavailable', { detail }),
  internal: () =>
    new ProblemError('internal', 500, 'Internal error', {
      detail: 'Something went wrong on our side; the request id identifies it in the logs.',
    }),
};

/** Turns anything thrown into an Error, keeping the original as `cause`. */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  const text = typeof value === 'string' ? value : safeStringify(value);
  return new Error(text, { cause: value });
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** A PostgreSQL error carries its SQLSTATE in `code` (pg and PGlite alike). */
export function sqlState(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  let current: unknown = err;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export const isUniqueViolation = (err: unknown): boolean => sqlState(err) === '23505';
export const isForeignKeyViolation = (err: unknown): boolean => sqlState(err) === '23503';
