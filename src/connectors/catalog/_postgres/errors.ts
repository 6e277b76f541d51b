/**
 * The PostgreSQL connector's failures, in the shared codes (so a test result and a failed sync
 * run say them the way every connector does): a guardrail's refusal names the guardrail, and a
 * database error is sorted by its SQLSTATE (https://www.postgresql.org/docs/current/errcodes-appendix.html),
 * never by its message.
 */
import { classifyNetworkError, ProviderFailureError, ProviderRequestError, type FailureCode } from '../../sdk.ts';

/** Which guardrail refused. */
export type Guardrail = 'read_only' | 'single_statement' | 'statement_timeout' | 'allow_list';

const CODES: Record<Guardrail, FailureCode> = {
  // A write is a request this connection may never make: refused like a missing permission.
  read_only: 'insufficient_permissions',
  single_statement: 'invalid_configuration',
  statement_timeout: 'timeout',
  allow_list: 'insufficient_permissions',
};

/** A query refused by a guardrail, before it was sent or by the database enforcing it. */
export class GuardrailError extends ProviderFailureError {
  constructor(
    readonly guardrail: Guardrail,
    detail: string,
    /** True when the database refused it (read-only transaction, statement timeout). */
    readonly byDatabase = false,
  ) {
    super(CODES[guardrail], detail);
    this.name = 'GuardrailError';
  }
}

/** `code` of a pg error (SQLSTATE), if it is one. */
export function sqlStateOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * A database or network error as the shared failure it is. `where` is `host:port`, for network
 * messages; `timeoutMs` is the statement timeout in force.
 */
export function databaseFailure(err: unknown, where: string, timeoutMs: number): Error {
  if (err instanceof ProviderFailureError) return err;
  const state = sqlStateOf(err);
  const message = (err as Error | null)?.message ?? String(err);
  if (state) {
    if (state === '25006') return new GuardrailError('read_only', `the database refused a write in the connector's read-only transaction (${message})`, true);
    if (state === '57014') return new GuardrailError('statement_timeout', `the query ran past the statement timeout of ${timeoutMs} ms and was cancelled`, true);
    const code: FailureCode =
      state === '28P01' || state === '28000'
        ? 'invalid_credentials'
        : state === '42501'
          ? 'insufficient_permissions'
          : state === '3D000' || state === '42P01' || state === '3F000'
            ? 'not_found'
            : state === '42703' || state === '42601' || state.startsWith('22') || state.startsWith('42')
              ? 'bad_request'
              : 'provider_error';
    return new ProviderFailureError(code, `${message} (SQLSTATE ${state})`);
  }
  if (/timeout/i.test(message) && !(err as { code?: string })?.code) {
    // pg's own connection timeout ("timeout exceeded when trying to connect") has no code.
    return new ProviderRequestError('timeout', `postgres://${where}`, message, { cause: err, host: where, timeoutMs });
  }
  return new ProviderRequestError(classifyNetworkError(err), `postgres://${where}`, message, { cause: err, host: where });
}
