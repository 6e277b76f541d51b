/**
 * The one mapping from "a provider request went wrong" to words a person can act on:
 * `{ code, message, hint }`. Every connector's test, the proxy and the dashboard use it, so a 401
 * reads the same everywhere and a fix to the wording lands once.
 */
import { toError } from '../core/index.ts';
import type { ProviderResponse } from './client.ts';
import { ProviderFailureError, ProviderHttpError, ProviderRequestError, type FailureCode } from './errors.ts';

export interface ProviderFailure {
  code: FailureCode;
  message: string;
  hint: string;
  /** The provider's HTTP status, when it answered. */
  status?: number;
  /** When the provider said how long to wait (Retry-After and its cousins). */
  retryAfterSeconds?: number;
}

/** Who failed, in the words the person reading the message knows. */
export interface FailureSubject {
  /** Display name of the provider, e.g. `HubSpot`. */
  provider: string;
  /** What the end customer supplied, e.g. `secret key`, `API token`, `authorization`. */
  credential: string;
  /** OAuth connections are fixed by reconnecting rather than by pasting a new key. */
  reauthorize: boolean;
  /** Labels of the connection's configuration fields (e.g. `Okta domain`), named in hints. */
  configFields?: readonly string[];
}

export interface FailureFacts {
  status?: number;
  retryAfterSeconds?: number;
  /** The provider's own message. */
  detail?: string;
  host?: string;
  timeoutMs?: number;
  method?: string;
  path?: string;
  location?: string;
}

const MAX_DETAIL = 200;

/** Message and hint for one failure code. */
export function failureFor(code: FailureCode, subject: FailureSubject, facts: FailureFacts = {}): ProviderFailure {
  const p = subject.provider;
  const said = facts.detail ? ` ${p} said: "${clean(facts.detail).replace(/\.$/, '')}".` : '';
  const http = facts.status === undefined ? '' : ` (HTTP ${facts.status})`;
  const host = facts.host ?? `${p}'s API host`;
  const fields = subject.configFields?.length ? joinWords(subject.configFields) : undefined;
  const wait = facts.retryAfterSeconds;
  const [message, hint] = ((): [string, string] => {
    switch (code) {
      case 'invalid_credentials':
        return [
          `${p} did not accept the ${subject.credential}${http}.${said}`,
          subject.reauthorize
            ? `Reconnect the account: the authorization was revoked or has expired. If it fails again right after reconnecting, check the integration's client ID and secret.`
            : `Check the ${subject.credential} entered for this connection: it may be mistyped, revoked or rotated. Paste a current one from ${p} and test again.`,
        ];
      case 'insufficient_permissions':
        return [
          `${p} accepted the ${subject.credential} but refused this request${http}.${said}`,
          subject.reauthorize
            ? `Reconnect and approve every requested permission, or add the missing scopes to the integration's settings.`
            : `Give the ${subject.credential} the permissions this integration needs in ${p}, or use one with broader access.`,
        ];
      case 'not_found':
        return [
          `${p} answered 404 Not Found${facts.path ? ` for ${facts.method ?? 'GET'} ${facts.path}` : ''}.${said}`,
          fields
            ? `Check ${fields} in the connection's configuration and the base URL for this environment; the account may also have been deleted.`
            : `Check the base URL for this environment; the account or resource may have been deleted.`,
        ];
      case 'rate_limited':
        return [
          `${p} is rate-limiting requests${http}${wait === undefined ? '' : `; it asks to wait ${wait} s`}.`,
          `Wait ${wait === undefined ? 'a minute' : `${wait} seconds`} before trying again. If it happens often, lower this integration's rate limit or spread its syncs out.`,
        ];
      case 'provider_error':
        return [
          `${p} had an error on its side${http}.${said}`,
          `This is usually temporary: try again in a few minutes, and check ${p}'s status page if it persists.`,
        ];
      case 'bad_request':
        return [
          `${p} refused the request as invalid${http}.${said}`,
          fields
            ? `Check ${fields} in the connection's configuration. If they are right, report this: the connector may be sending something ${p} no longer accepts.`
            : `Report this with the connection id: the connector may be sending something ${p} no longer accepts.`,
        ];
      case 'unexpected_response':
        return [
          facts.location
            ? `${p} redirected the request${http} to ${clean(facts.location)}.`
            : `${p} gave an answer the connector did not expect${http}.${said}`,
          facts.location
            ? `The base URL is probably outdated: update it in the integration's settings.`
            : `Check the base URL for this environment; if it is right, report this with the connection id.`,
        ];
      case 'timeout':
        return [
          `${p} did not answer within ${facts.timeoutMs === undefined ? 'the time allowed' : `${round(facts.timeoutMs / 1000)} s`}.`,
          `Try again; if it keeps timing out, check ${p}'s status page and the base URL, or raise the integration's timeout.`,
        ];
      case 'dns_failure':
        return [
          `The host ${host} could not be found (DNS lookup failed).`,
          fields
            ? `Check ${fields} in the connection's configuration for typos; the host name must exist.`
            : `Check the base URL's host name for typos, and that this server can resolve public DNS names.`,
        ];
      case 'connection_refused':
        return [
          `Nothing accepted the connection at ${host} (connection refused).`,
          `Check the base URL and its port. A self-hosted or local endpoint (such as a simulator) must be running and reachable from the Patchbay server.`,
        ];
      case 'connection_reset':
        return [
          `The connection to ${host} was closed before ${p} answered.`,
          `Try again; if it persists, a proxy or firewall between Patchbay and ${p} may be cutting connections.`,
        ];
      case 'tls_error':
        return [
          `A secure connection to ${host} could not be established (TLS or certificate error).`,
          `Check that the base URL names the right host and that its certificate is valid and trusted by this server.`,
        ];
      case 'network_error':
        return [
          `The request to ${p} failed before an answer arrived.${said}`,
          `Check this server's network access to ${host} and try again.`,
        ];
      case 'provider_unavailable':
        return [
          `Patchbay has paused requests to ${host} after repeated failures (circuit open).`,
          `It tries again by itself within a minute. If ${p} keeps failing, check its status page.`,
        ];
      case 'cancelled':
        return [`The request to ${p} was cancelled before it finished.`, `Try again.`];
      case 'invalid_configuration':
        return [
          `The connection's configuration is incomplete or invalid.${facts.detail ? ` ${clean(facts.detail)}` : ''}`,
          fields ? `Fill in ${fields} for this connection and test again.` : `Check the integration's settings and test again.`,
        ];
      case 'connector_error':
        return [
          `The ${p} connector failed unexpectedly.${facts.detail ? ` ${clean(facts.detail)}` : ''}`,
          `This is a fault in Patchbay's ${p} connector, not in the account: report it with the connection id (the server log has the details).`,
        ];
    }
  })();
  return {
    code,
    message,
    hint,
    ...(facts.status === undefined ? {} : { status: facts.status }),
    ...(wait === undefined ? {} : { retryAfterSeconds: wait }),
  };
}

/** Maps a provider's non-success answer. */
export function failureFromResponse(response: ProviderResponse, subject: FailureSubject, now = Date.now()): ProviderFailure {
  return failureFor(codeForStatus(response.status, response.headers), subject, responseFacts(response, now));
}

function responseFacts(response: ProviderHttpError['response'], now: number): FailureFacts {
  const { status, headers } = response;
  return {
    status,
    method: response.request.method,
    path: response.request.path,
    ...optional('detail', providerErrorMessage(response.body)),
    ...optional('retryAfterSeconds', retryAfterSeconds(headers, now)),
    ...optional('location', status >= 300 && status < 400 ? headers.location : undefined),
  };
}

/** Maps anything a connector's test threw: HTTP failures, network failures, its own failures, bugs. */
export function describeFailure(cause: unknown, subject: FailureSubject, now = Date.now()): ProviderFailure {
  if (cause instanceof ProviderHttpError) return failureFromResponse(cause.response as ProviderResponse, subject, now);
  if (cause instanceof ProviderFailureError) {
    const { response, status } = cause.context;
    return failureFor(cause.code, subject, {
      ...(response ? responseFacts(response, now) : {}),
      ...optional('status', status),
      ...optional('detail', cause.detail),
    });
  }
  if (cause instanceof ProviderRequestError) {
    const facts: FailureFacts = { host: cause.host, ...optional('timeoutMs', cause.timeoutMs) };
    const code: FailureCode = {
      timeout: 'timeout',
      dns: 'dns_failure',
      refused: 'connection_refused',
      reset: 'connection_reset',
      tls: 'tls_error',
      aborted: 'cancelled',
      network: 'network_error',
      'circuit-open': 'provider_unavailable',
    }[cause.kind] as FailureCode;
    return failureFor(code, subject, facts);
  }
  return failureFor('connector_error', subject, { detail: toError(cause).message });
}

function codeForStatus(status: number, headers: Readonly<Record<string, string>>): FailureCode {
  if (status === 401) return 'invalid_credentials';
  // GitHub (and others) answer an exhausted quota with 403 plus rate-limit headers.
  if (status === 403 && (headers['x-ratelimit-remaining'] === '0' || headers['retry-after'] !== undefined)) return 'rate_limited';
  if (status === 402 || status === 403) return 'insufficient_permissions';
  if (status === 404 || status === 410) return 'not_found';
  if (status === 408) return 'timeout';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'provider_error';
  if (status === 400 || status === 422) return 'bad_request';
  return 'unexpected_response';
}

/**
 * Seconds to wait, from `Retry-After` (seconds or an HTTP date), else the rate-limit headers
 * providers send instead: `ratelimit-reset` (seconds, PagerDuty and the IETF draft) or
 * `x-ratelimit-reset` / `x-rate-limit-reset` (epoch seconds for GitHub and Okta, a date for
 * Segment, seconds elsewhere).
 */
export function retryAfterSeconds(headers: Readonly<Record<string, string>>, now = Date.now()): number | undefined {
  const retryAfter = headers['retry-after'];
  if (retryAfter !== undefined) return secondsFrom(retryAfter, now, false);
  const reset = headers['ratelimit-reset'];
  if (reset !== undefined) return secondsFrom(reset, now, false);
  const xReset = headers['x-ratelimit-reset'] ?? headers['x-rate-limit-reset'];
  if (xReset !== undefined) return secondsFrom(xReset, now, true);
  return undefined;
}

function secondsFrom(value: string, now: number, epochAllowed: boolean): number | undefined {
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) {
    const n = Number(trimmed);
    if (epochAllowed && n > 1_000_000_000) return Math.max(0, Math.ceil(n - now / 1000));
    return Math.ceil(n);
  }
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

/**
 * The provider's own error text, from the shapes providers use: `message`, `error.message`,
 * `error` (string), `error_description`, `errorSummary`, `errors[0].message`, `[0].message`.
 */
export function providerErrorMessage(body: unknown): string | undefined {
  if (typeof body === 'string') {
    const text = body.trim();
    return text && !text.startsWith('<') && text.length <= 500 ? text : undefined;
  }
  if (Array.isArray(body)) return providerErrorMessage(body[0]);
  if (!body || typeof body !== 'object') return undefined;
  const record = body as Record<string, unknown>;
  for (const key of ['errorSummary', 'error_description', 'message', 'title', 'detail']) {
    const value = record[key];
    if (typeof value === 'string' && value.trim()) return value.trim();
  }
  const error = record.error;
  if (typeof error === 'string' && error.trim()) return error.trim();
  if (error && typeof error === 'object') return providerErrorMessage(error);
  const errors = record.errors;
  if (Array.isArray(errors) && errors.length > 0) return providerErrorMessage(errors[0]);
  return undefined;
}

// What might be a credential in a provider's message: a scheme followed by a token, or any long
// opaque run. Narrower than the log scrubber on purpose: "Invalid token provided" stays readable.
const SCHEME_TOKEN = /\b(Bearer|Basic|Token|token=)\s*[A-Za-z0-9._~+/=-]{12,}/g;
const OPAQUE = /[A-Za-z0-9._~+/=-]{32,}/g;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

function clean(text: string): string {
  const scrubbed = text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(SCHEME_TOKEN, '$1 [redacted]')
    .replace(OPAQUE, '[redacted]')
    .replace(EMAIL, '[email]');
  return scrubbed.length > MAX_DETAIL ? `${scrubbed.slice(0, MAX_DETAIL - 1)}…` : scrubbed;
}

function joinWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
