/**
 * The provider HTTP client: one connection's base URL with its credential injected, over a pooled
 * undici Agent. Connectors act through it (ConnectorContext.http); the proxy grows around it
 * (rate limits, retries, circuit breaker) without changing what a connector sees.
 *
 * Headers are never logged, and logged URLs carry no query string, so neither an Authorization
 * header nor a credential placed in the query reaches a log line.
 */
import type { Readable } from 'node:stream';
import { Agent, type Dispatcher } from 'undici';
import type { Logger } from '../core/index.ts';
import { createGuardedDispatcher, silentLogger, toError } from '../core/index.ts';
import { ProviderHttpError, ProviderRequestError, classifyNetworkError, mayHaveReachedProvider } from './errors.ts';
import { failSpan, inSpan, SpanKind, tracingEnabled } from '../core/tracing.ts';
import { CallSignal } from './call-signal.ts';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

export type QueryValue = string | number | boolean | null | undefined | readonly (string | number | boolean)[];

export interface ProviderRequest {
  method?: HttpMethod;
  /**
   * Relative to the connection's base URL, starting with `/`; it may carry its own `?query`. An
   * absolute URL (a provider's `next` link) is accepted only under the base URL: the credential is
   * never sent to another host.
   */
  path: string;
  query?: Readonly<Record<string, QueryValue>>;
  headers?: Readonly<Record<string, string>>;
  /** A plain object or array is sent as JSON; a string, bytes or URLSearchParams as they are. */
  body?: unknown;
  /** Overrides the client's timeout for this request (whole request: connect, headers and body). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * Says a POST or PATCH is safe to repeat (a search, a write carrying the provider's own
   * idempotency key in the body). GET, HEAD, OPTIONS, PUT and DELETE are idempotent anyway.
   */
  idempotent?: boolean;
  /** `buffer`: the body as bytes, untouched (the public proxy). Default: parsed JSON or text. */
  responseType?: 'parsed' | 'buffer';
  /**
   * Takes the facts of the answer the call returns instead of the provider proxy's own
   * "provider call" line: the public proxy writes them on the API request's one line. Failed
   * attempts and answers that are retried are logged in full either way.
   */
  report?: (call: ProviderCallReport) => void;
}

/** The answer a call through the provider proxy returned, for the caller's own log line. */
export interface ProviderCallReport {
  /** The connector key. */
  provider: string;
  /** Origin and path, no query string. */
  url: string;
  status: number;
  /** 1 when the first attempt answered; more after retries. */
  attempts: number;
  /** The last attempt's duration. */
  durationMs: number;
}

export interface ProviderResponse<T = unknown> {
  status: number;
  /** Lower-case names; repeated headers joined with `, ` (set-cookie with `\n`). */
  headers: Readonly<Record<string, string>>;
  /** Parsed JSON when the provider says it is JSON, else the text; `null` when empty. Not validated. */
  body: T;
  /** What was asked, for messages: method and path without the query string. */
  request: { method: HttpMethod; path: string };
}

export interface ProviderHttpClient {
  readonly baseUrl: string;
  request<T = unknown>(request: ProviderRequest): Promise<ProviderResponse<T>>;
}

/** Where the credential goes, already filled in (connectors/context.ts builds it from the manifest). */
export type InjectedCredential =
  | { type: 'header'; name: string; value: string }
  | { type: 'query'; name: string; value: string }
  | { type: 'basic'; username: string; password: string }
  /** Several headers (a provider that wants two keys). */
  | { type: 'headers'; headers: Readonly<Record<string, string>> }
  | { type: 'none' };

export interface ProviderClientOptions {
  baseUrl: string;
  auth?: InjectedCredential;
  /** Default 30 s, the integration default. */
  timeoutMs?: number;
  /** Sent with every request (e.g. GitHub's `accept` and API version); request headers win. */
  headers?: Readonly<Record<string, string>>;
  logger?: Logger;
  /** Defaults to the process-wide pooled agent. */
  dispatcher?: Dispatcher;
  /** Responses larger than this fail instead of filling memory. Default 10 MiB. */
  maxResponseBytes?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
const FORBIDDEN_HEADERS = new Set(['host', 'content-length', 'connection', 'transfer-encoding']);

let sharedAgent: Agent | undefined;

/** The pooled agent every provider client shares unless given another dispatcher. */
export function providerAgent(): Agent {
  sharedAgent ??= new Agent({
    connections: 32,
    keepAliveTimeout: 10_000,
    keepAliveMaxTimeout: 60_000,
    connect: { timeout: 10_000 },
  });
  return sharedAgent;
}

const guardedAgents = new Map<boolean, Agent>();

/**
 * The pooled agent for one environment's provider requests: every address it dials passes the
 * SSRF guard, because base URLs, OAuth endpoints and the configuration filling them in are
 * user-configurable. One pool per `allowPrivateNetworks` setting.
 */
export function guardedProviderAgent(allowPrivateNetworks: boolean): Agent {
  let agent = guardedAgents.get(allowPrivateNetworks);
  if (!agent) {
    agent = createGuardedDispatcher({
      allowPrivateNetworks,
      connections: 32,
      keepAliveTimeout: 10_000,
      keepAliveMaxTimeout: 60_000,
      connect: { timeout: 10_000 },
    });
    guardedAgents.set(allowPrivateNetworks, agent);
  }
  return agent;
}

/** Closes the shared agents (at shutdown); the next client opens new ones. */
export async function closeProviderAgent(): Promise<void> {
  const agents = [sharedAgent, ...guardedAgents.values()];
  sharedAgent = undefined;
  guardedAgents.clear();
  await Promise.all(agents.map((agent) => agent?.close()));
}

/**
 * @example
 * const http = createProviderClient({
 *   baseUrl: 'https://api.stripe.com',
 *   auth: { type: 'header', name: 'authorization', value: `Bearer ${secretKey}` },
 * });
 * const res = await http.request({ path: '/v1/account' });
 */
export function createProviderClient(options: ProviderClientOptions): ProviderHttpClient {
  const base = parseBaseUrl(options.baseUrl);
  const auth = options.auth ?? { type: 'none' };
  const logger = options.logger ?? silentLogger;
  const defaultTimeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const defaults = lowerCaseHeaders(options.headers ?? {});

  async function send<T>(req: ProviderRequest): Promise<ProviderResponse<T>> {
    const method = req.method ?? 'GET';
    const url = buildUrl(base, req.path, req.query, auth);
    const loggedUrl = url.origin + url.pathname;
    const headers = { ...defaults, ...lowerCaseHeaders(req.headers ?? {}) };
    const body = encodeBody(req.body, headers);
    injectHeader(headers, auth);

    const timeoutMs = req.timeoutMs ?? defaultTimeout;
    const controller = new CallSignal();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onCallerAbort = (): void => controller.abort();
    if (req.signal?.aborted) controller.abort();
    else req.signal?.addEventListener('abort', onCallerAbort, { once: true });
    const started = performance.now();

    try {
      // Straight to the dispatcher with origin and path: undici's top-level request() would parse
      // the URL we just built a second time (a measurable share of a proxied call, bench/proxy.bench.ts).
      const res = await (options.dispatcher ?? providerAgent()).request({
        origin: url.origin,
        path: url.pathname + url.search,
        method,
        headers,
        body: body ?? null,
        signal: controller,
      });
      const bytes = await readBytes(res.body, maxBytes, loggedUrl);
      const flatHeaders = flattenHeaders(res.headers);
      const response: ProviderResponse<T> = {
        status: res.statusCode,
        headers: flatHeaders,
        body: (req.responseType === 'buffer' ? bytes : parseBody(bytes.toString('utf8'), flatHeaders['content-type'])) as T,
        request: { method, path: url.pathname },
      };
      logger.debug({ method, url: loggedUrl, status: res.statusCode, durationMs: Math.round(performance.now() - started) }, 'provider request');
      return response;
    } catch (err) {
      const failure = toRequestError(err, { timedOut, timeoutMs, url: loggedUrl, callerAborted: req.signal?.aborted === true });
      logger.debug({ method, url: loggedUrl, failure: failure.kind, err: failure, durationMs: Math.round(performance.now() - started) }, 'provider request failed');
      throw failure;
    } finally {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onCallerAbort);
    }
  }

  /** One span per request (tracing on): a child of the job or API request that called the provider. */
  function traced<T>(req: ProviderRequest): Promise<ProviderResponse<T>> {
    if (!tracingEnabled()) return send<T>(req);
    const method = req.method ?? 'GET';
    const attributes = { 'http.request.method': method, 'server.address': base.hostname, 'url.path': req.path.split('?')[0] ?? '' };
    return inSpan(`provider ${method}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
      const response = await send<T>(req);
      span?.setAttribute('http.response.status_code', response.status);
      if (response.status >= 500) failSpan(span, `HTTP ${response.status}`);
      return response;
    });
  }

  return { baseUrl: base.href.replace(/\/$/, ''), request: traced };
}

function parseBaseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (err) {
    throw new TypeError(`provider base URL is not a valid URL: ${raw}`, { cause: err });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError(`provider base URL must use http or https, got ${url.protocol}`);
  }
  if (url.username || url.password) throw new TypeError('provider base URL must not carry credentials');
  url.search = '';
  url.hash = '';
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

/** Where a request goes: the parts of a URL the client uses. */
type TargetUrl = Pick<URL, 'origin' | 'pathname' | 'search'>;

// Characters the WHATWG URL parser leaves untouched in a path (no percent-encoding applies to
// them, and dot segments are refused before) and in a query of an http(s) URL, one that does
// not start with `?` (the setter drops one). Checked against the parser on random strings of them.
const UNCHANGED_PATH = /^[A-Za-z0-9\-._~!$&()*+,;=:@%/]*$/;
const UNCHANGED_QUERY = /^(?:[A-Za-z0-9\-._~!$&()*+,;=:@%/][A-Za-z0-9\-._~!$&()*+,;=:@%/?]*)?$/;
const origins = new WeakMap<URL, string>();
function originOf(base: URL): string {
  let origin = origins.get(base);
  if (origin === undefined) origins.set(base, (origin = base.origin));
  return origin;
}

/**
 * Joins a relative path to the base URL. A path can never leave the base: absolute URLs,
 * protocol-relative `//host` and `..` segments are refused.
 */
function buildUrl(base: URL, given: string, query: ProviderRequest['query'], auth: InjectedCredential): TargetUrl {
  const path = /^https?:\/\//i.test(given) ? underBase(base, given) : given;
  if (!path.startsWith('/') || path.startsWith('//') || path.includes('\\')) {
    throw new TypeError(`provider path must start with a single "/": ${JSON.stringify(path)}`);
  }
  const [pathname = '', search = ''] = splitOnce(path, '?');
  // Servers decode %2e, so an encoded `..` climbs as well as a plain one.
  if (pathname.split('/').some((segment) => segment === '..' || segment === '.' || /^(?:\.|%2e){1,2}$/i.test(segment))) {
    throw new TypeError(`provider path must not contain dot segments: ${JSON.stringify(pathname)}`);
  }
  const joined = base.pathname + pathname.slice(1);
  // A path and query the URL parser would leave as they are, with nothing to append, need no
  // parser (a URL built and set per call was a share of every proxied call, bench/proxy.bench.ts).
  if (auth.type !== 'query' && (query === undefined || Object.keys(query).length === 0) && UNCHANGED_PATH.test(joined) && UNCHANGED_QUERY.test(search)) {
    return { origin: originOf(base), pathname: joined, search: search ? `?${search}` : '' };
  }
  const url = new URL(base.href);
  url.pathname = joined;
  url.search = search;
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null) continue;
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) url.searchParams.append(name, String(v));
  }
  if (auth.type === 'query') url.searchParams.set(auth.name, auth.value);
  return url;
}

/** An absolute URL as a path relative to the base, if it lies under it. */
function underBase(base: URL, absolute: string): string {
  let url: URL;
  try {
    url = new URL(absolute);
  } catch (err) {
    throw new TypeError(`provider URL is not valid: ${JSON.stringify(absolute)}`, { cause: err });
  }
  if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname)) {
    throw new TypeError(`refusing a provider URL outside the connection's base URL: ${url.origin}${url.pathname}`);
  }
  return `/${url.pathname.slice(base.pathname.length)}${url.search}`;
}

function splitOnce(value: string, separator: string): [string, string] {
  const at = value.indexOf(separator);
  return at < 0 ? [value, ''] : [value.slice(0, at), value.slice(at + 1)];
}

function lowerCaseHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (FORBIDDEN_HEADERS.has(lower)) throw new TypeError(`header "${name}" is set by the client and cannot be given`);
    out[lower] = value;
  }
  return out;
}

/** The credential is set last, so a request header can never replace or remove it. */
function injectHeader(headers: Record<string, string>, auth: InjectedCredential): void {
  if (auth.type === 'header') headers[auth.name.toLowerCase()] = auth.value;
  if (auth.type === 'headers') for (const [name, value] of Object.entries(auth.headers)) headers[name.toLowerCase()] = value;
  if (auth.type === 'basic') {
    headers.authorization = 'Basic ' + Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
  }
}

function encodeBody(body: unknown, headers: Record<string, string>): string | Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (body instanceof URLSearchParams) {
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
    return body.toString();
  }
  headers['content-type'] ??= 'application/json';
  return JSON.stringify(body);
}

/**
 * The body as one buffer, refusing more than `maxBytes`. Read from the stream's events rather
 * than its async iterator: the iterator costs promises per chunk, on every proxied call.
 */
function readBytes(body: Readable, maxBytes: number, url: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        body.destroy();
        reject(new ProviderRequestError('network', url, `response from ${url} is larger than ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    body.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    body.once('error', reject);
  });
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(name.toLowerCase() === 'set-cookie' ? '\n' : ', ') : value;
  }
  return out;
}

function parseBody(text: string, contentType: string | undefined): unknown {
  if (text === '') return null;
  if (contentType && /[/+]json\b/i.test(contentType)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

function toRequestError(err: unknown, context: { timedOut: boolean; timeoutMs: number; url: string; callerAborted: boolean }): ProviderRequestError {
  if (err instanceof ProviderRequestError) return err;
  const { url } = context;
  if (context.timedOut) {
    return new ProviderRequestError('timeout', url, `no complete answer from ${url} within ${context.timeoutMs} ms`, {
      cause: err,
      timeoutMs: context.timeoutMs,
    });
  }
  if (context.callerAborted) return new ProviderRequestError('aborted', url, `request to ${url} was cancelled`, { cause: err });
  const kind = classifyNetworkError(err);
  const reason = toError(err).message;
  return new ProviderRequestError(kind, url, `request to ${url} failed (${kind}): ${reason}`, {
    cause: err,
    reachedProvider: mayHaveReachedProvider(err),
    ...(kind === 'timeout' ? { timeoutMs: context.timeoutMs } : {}),
  });
}

/** Returns a 2xx response as is and throws `ProviderHttpError` for anything else. */
export function expectOk<T>(response: ProviderResponse<T>): ProviderResponse<T> {
  if (response.status < 200 || response.status > 299) throw new ProviderHttpError(response);
  return response;
}
