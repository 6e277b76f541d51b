/**
 * One HTTP POST to an endpoint, through undici `request()` over a keep-alive pool whose
 * connector is the SSRF guard (every address dialled is checked, DNS rebinding included).
 * Redirects are not followed. The answer never throws: every outcome, network errors included,
 * comes back as a `SendResult` for the attempt log.
 */
import { request, type Agent } from 'undici';
import { createGuardedDispatcher, SsrfError, toError } from '../../core/index.ts';
import type { ErrorClass } from './schema.ts';
import type { OutboundSettings } from './settings.ts';

export const MAX_BODY_LOGGED = 4 * 1024;
/** Past this much response body the socket is dropped rather than drained. */
const MAX_BODY_DRAINED = 64 * 1024;
const MAX_HEADERS_LOGGED = 50;
const HIDDEN_RESPONSE_HEADERS = /^(set-cookie|authorization|proxy-authorization|www-authenticate)$/i;

export interface SendInput {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  allowPrivateNetworks: boolean;
  /** Aborts the request (shutdown); the result then has errorClass `internal` and `aborted`. */
  signal?: AbortSignal | undefined;
}

export interface SendResult {
  statusCode: number | null;
  headers: Record<string, string> | null;
  body: string | null;
  errorClass: ErrorClass | null;
  error: string | null;
  durationMs: number;
  /** The request was cut short by the caller's signal, not by the endpoint. */
  aborted?: boolean;
}

export const isSuccess = (result: SendResult): boolean => result.errorClass === null && result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_)/;

function classify(err: Error & { code?: string; cause?: unknown }): ErrorClass {
  if (err instanceof SsrfError || err.cause instanceof SsrfError) return 'ssrf';
  const code = err.code ?? (err.cause as { code?: string } | undefined)?.code ?? '';
  if (TIMEOUT_CODES.has(code)) return 'timeout';
  if (TLS_CODE.test(code)) return 'tls';
  return 'connection';
}

function describe(err: Error & { code?: string }): string {
  const text = err.code ? `${err.code}: ${err.message}` : err.message;
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  let seen = 0;
  for (const name in headers) {
    if (seen++ >= MAX_HEADERS_LOGGED) break;
    const value = headers[name];
    if (value === undefined) continue;
    const text = HIDDEN_RESPONSE_HEADERS.test(name) ? '[redacted]' : Array.isArray(value) ? value.join(', ') : value;
    out[name] = text.length > 500 ? `${text.slice(0, 500)}…` : text;
  }
  return out;
}

/** The first 4 KiB of a body of unknown or large length; past 64 KiB the socket is dropped, not drained. */
async function readStart(stream: AsyncIterable<Buffer> & { destroy(): void }): Promise<string> {
  const chunks: Buffer[] = [];
  let kept = 0;
  let total = 0;
  for await (const chunk of stream) {
    total += chunk.length;
    if (kept < MAX_BODY_LOGGED) {
      const part = chunk.subarray(0, MAX_BODY_LOGGED - kept);
      chunks.push(part);
      kept += part.length;
    }
    if (total > MAX_BODY_DRAINED) {
      stream.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

export interface Sender {
  send(input: SendInput): Promise<SendResult>;
  close(): Promise<void>;
}

export function createSender(settings: Pick<OutboundSettings, 'connectionsPerOrigin' | 'keepAliveTimeoutMs' | 'resolve'>): Sender {
  const pools = new Map<boolean, Agent>();
  const pool = (allowPrivateNetworks: boolean): Agent => {
    let agent = pools.get(allowPrivateNetworks);
    if (!agent) {
      agent = createGuardedDispatcher({
        allowPrivateNetworks,
        ...(settings.resolve ? { resolve: settings.resolve } : {}),
        connections: settings.connectionsPerOrigin,
        keepAliveTimeout: settings.keepAliveTimeoutMs,
        pipelining: 1,
      });
      pools.set(allowPrivateNetworks, agent);
    }
    return agent;
  };

  async function send(input: SendInput): Promise<SendResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const timeout = (): SendResult => ({ statusCode: null, headers: null, body: null, errorClass: 'timeout', error: `no complete answer within ${input.timeoutMs} ms`, durationMs: elapsed() });
    // No controller or timer of our own per request (profiled: creating the AbortSignal, its
    // listeners and the timer were ~4 % of the hub's busy time): the caller's signal goes to
    // undici as it is, undici's headersTimeout bounds the wait for the answer and, only when a
    // body is still to come, one timer bounds the rest. Dialling a new connection is bounded by
    // the connector (10 s), which the lease margin covers.
    let bodyTimer: NodeJS.Timeout | undefined;
    let bodyTimedOut = false;
    try {
      const response = await request(input.url, {
        method: 'POST',
        headers: input.headers,
        body: input.body,
        dispatcher: pool(input.allowPrivateNetworks),
        signal: input.signal,
        headersTimeout: input.timeoutMs,
        bodyTimeout: input.timeoutMs,
      });
      const status = response.statusCode;
      const length = Number(response.headers['content-length'] ?? NaN);
      let body: string;
      if (status === 204 || length === 0) {
        // The usual answer: nothing to read; dump() ends it without building a string.
        await response.body.dump();
        body = '';
      } else {
        const left = input.timeoutMs - (performance.now() - started);
        if (left <= 0) {
          response.body.destroy();
          return timeout();
        }
        bodyTimer = setTimeout(() => {
          bodyTimedOut = true;
          response.body.destroy();
        }, left);
        if (length <= MAX_BODY_DRAINED) {
          // Small and of known length, read in one go.
          const text = await response.body.text();
          body = text.length > MAX_BODY_LOGGED ? Buffer.from(text).subarray(0, MAX_BODY_LOGGED).toString('utf8') : text;
        } else {
          body = await readStart(response.body as AsyncIterable<Buffer> & { destroy(): void });
        }
        if (bodyTimedOut) return timeout();
      }
      const ok = status >= 200 && status < 300;
      return {
        statusCode: status,
        headers: flattenHeaders(response.headers),
        body,
        errorClass: ok ? null : status === 410 ? 'gone' : status >= 300 && status < 400 ? 'redirect' : 'http_status',
        error: ok ? null : status >= 300 && status < 400 ? `HTTP ${status}: redirects are not followed` : `HTTP ${status}`,
        durationMs: elapsed(),
      };
    } catch (caught) {
      const err = toError(caught) as Error & { code?: string };
      if (input.signal?.aborted) return { statusCode: null, headers: null, body: null, errorClass: 'internal', error: 'aborted by the worker', durationMs: elapsed(), aborted: true };
      if (bodyTimedOut || err.code === 'UND_ERR_HEADERS_TIMEOUT' || err.code === 'UND_ERR_BODY_TIMEOUT') return timeout();
      return { statusCode: null, headers: null, body: null, errorClass: classify(err), error: describe(err), durationMs: elapsed() };
    } finally {
      if (bodyTimer) clearTimeout(bodyTimer);
    }
  }

  return {
    send,
    async close() {
      await Promise.all([...pools.values()].map((agent) => agent.close().catch(() => undefined)));
      pools.clear();
    },
  };
}
