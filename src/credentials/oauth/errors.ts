/**
 * Everything that goes wrong talking OAuth becomes one `OAuthError`: the provider's own error code
 * (RFC 6749 §4.1.2.1 and §5.2: `access_denied`, `invalid_grant`, `invalid_scope`…) or one of ours
 * (`network_error`, `timeout`, `invalid_response`, `invalid_id_token`, `refused_address`…), with
 * whether trying again later can help.
 */
import { AuthorizationResponseError, ResponseBodyError, WWWAuthenticateChallengeError } from 'openid-client';
import { SsrfError, toError } from '../../core/index.ts';

export type OAuthStage = 'authorization' | 'token' | 'refresh' | 'revocation' | 'discovery';

// Answers that will be the same next time: the grant, the client or the request is wrong.
const PERMANENT = new Set([
  'invalid_grant',
  'invalid_client',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'access_denied',
  'invalid_request',
  'unsupported_response_type',
  'redirect_uri_mismatch',
  'invalid_id_token',
  'refused_address',
  'no_refresh_token',
]);

export class OAuthError extends Error {
  constructor(
    readonly code: string,
    /** The provider's `error_description`, or ours. Never carries a token. */
    readonly description: string | undefined,
    readonly stage: OAuthStage,
    options: { status?: number | undefined; cause?: unknown } = {},
  ) {
    super(`${stage}: ${code}${description ? ` (${description})` : ''}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OAuthError';
    this.status = options.status;
  }
  readonly status: number | undefined;

  /** True when retrying cannot help: the end customer or the developer must act. */
  get permanent(): boolean {
    return PERMANENT.has(this.code);
  }
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() ? value.trim().slice(0, 500) : undefined);

function find<T>(err: unknown, match: (e: unknown) => e is T): T | undefined {
  const seen = new Set<unknown>();
  let current = err;
  while (current && typeof current === 'object' && !seen.has(current)) {
    if (match(current)) return current;
    seen.add(current);
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Maps what openid-client (or the network under it) threw. */
export function toOAuthError(err: unknown, stage: OAuthStage): OAuthError {
  if (err instanceof OAuthError) return err;
  if (err instanceof ResponseBodyError) {
    return new OAuthError(err.error, text(err.error_description), stage, { status: err.status, cause: err });
  }
  if (err instanceof AuthorizationResponseError) {
    return new OAuthError(err.error, text(err.error_description), stage, { cause: err });
  }
  if (err instanceof WWWAuthenticateChallengeError) {
    const challenge = err.cause.find((c) => c.parameters.error) ?? err.cause[0];
    const code = text(challenge?.parameters.error) ?? (err.status === 401 ? 'invalid_client' : 'invalid_request');
    return new OAuthError(code, text(challenge?.parameters.error_description), stage, { status: err.status, cause: err });
  }
  const ssrf = find(err, (e): e is SsrfError => e instanceof SsrfError);
  if (ssrf) return new OAuthError('refused_address', ssrf.message, stage, { cause: err });
  const error = toError(err);
  const code = (error as { code?: unknown }).code;
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return new OAuthError('timeout', 'The provider did not answer in time.', stage, { cause: err });
  if (typeof code === 'string') {
    const aboutJwt = code === 'OAUTH_JWT_CLAIM_COMPARISON_FAILED' || code === 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED' || code === 'OAUTH_KEY_SELECTION_FAILED';
    // openid-client rewords what it passes on; the JWT check that failed is named in the cause.
    const said = `${error.message} ${toError(error.cause ?? '').message}`;
    if (aboutJwt || (code === 'OAUTH_INVALID_RESPONSE' && /\bJWT\b/.test(said))) {
      return new OAuthError('invalid_id_token', `The ID token did not validate: ${toError(error.cause ?? error).message}`, stage, { cause: err });
    }
    if (code === 'OAUTH_RESPONSE_IS_NOT_CONFORM') {
      const status = (error.cause as { status?: number } | undefined)?.status;
      return new OAuthError(status !== undefined && status >= 500 ? 'server_error' : 'invalid_response', `The provider answered HTTP ${status ?? '?'}.`, stage, { status, cause: err });
    }
    if (code.startsWith('OAUTH_')) return new OAuthError('invalid_response', error.message, stage, { cause: err });
  }
  // fetch reports network failures as TypeError("fetch failed") with the socket error as cause.
  if (error instanceof TypeError && error.message === 'fetch failed') {
    const reason = toError(error.cause).message;
    return new OAuthError('network_error', `The provider could not be reached: ${reason}`, stage, { cause: err });
  }
  return new OAuthError('invalid_response', error.message, stage, { cause: err });
}
