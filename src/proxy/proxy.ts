/**
 * The provider proxy: the one HTTP client to providers, used by the public proxy route, syncs,
 * metrics and connection tests alike. Around the plain client (credential injection, base URL)
 * it adds, per call: the outbound rate limit of the provider and credential, holds the provider
 * asked for, the retry policy (policy.ts), a circuit breaker per host, the SSRF guard on every
 * connection it opens, a log line with the caller's correlation id, and metrics.
 *
 * A connector sees the same `ProviderHttpClient` either way.
 */
import type { Dispatcher } from 'undici';
import type { Registry } from 'prom-client';
import type { Redis } from 'ioredis';
import { silentLogger, systemClock, type Clock, type Logger } from '../core/index.ts';
import { createBreakers, type BreakerOptions } from './breaker.ts';
import { createProviderClient, guardedProviderAgent, type ProviderClientOptions, type ProviderHttpClient, type ProviderRequest, type ProviderResponse } from './client.ts';
import { ProviderRequestError } from './errors.ts';
import { retryAfterSeconds } from './failures.ts';
import { createOutboundLimiter, realSleep, type OutboundLimiter, type OutboundRateLimit, type Sleep } from './limiter.ts';
import { recordQuota } from './quota.ts';
import { proxyMetrics, type ProxyMetrics } from './metrics.ts';
import { DEFAULT_RETRY_ATTEMPTS, backoffMs, providerHoldMs, retryableFailure, retryableResponse, type RetryReason } from './policy.ts';

export interface ProviderProxyOptions {
  logger?: Logger;
  /** Counters shared by every process when set. */
  redis?: Redis | undefined;
  registry?: Registry | undefined;
  clock?: Clock;
  /** Tests pass a sleep that does not wait (and records what it was asked). */
  sleep?: Sleep;
  random?: () => number;
  breaker?: BreakerOptions;
  /** A Retry-After longer than this is not waited out: the answer goes back to the caller. Default 60 s. */
  maxRetryAfterMs?: number;
  /** Replaces the process-wide guarded agents (tests); the proxy closes what it makes. */
  dispatcher?: (allowPrivateNetworks: boolean) => Dispatcher;
}

/** One connection's client: the plain client's options plus the policy inputs. */
export interface ConnectionClientOptions extends Omit<ProviderClientOptions, 'dispatcher'> {
  /** The connector key: metrics label and log field. */
  provider: string;
  /** Who shares the rate limit (provider and credential), e.g. `hubspot:conn_…`. */
  limitKey: string;
  /** The provider's limit from the manifest, or the integration's own. */
  rateLimit?: OutboundRateLimit | undefined;
  /** Retries after the first attempt. Default 3. */
  retryAttempts?: number | undefined;
  /** The environment's SSRF setting; loopback and private addresses are refused unless true. */
  allowPrivateNetworks: boolean;
  /** Carried on every log line (`requestId`, `jobId`…). */
  correlationId?: string | undefined;
  /** Called for every attempt (a sync run counts its provider calls). */
  onAttempt?: (attempt: { status?: number; failure?: string; durationMs: number }) => void;
}

export interface ProviderProxy {
  client(options: ConnectionClientOptions): ProviderHttpClient;
  readonly limiter: OutboundLimiter;
  close(): Promise<void>;
}

/**
 * @example
 * const proxy = createProviderProxy({ logger, redis, registry });
 * const http = proxy.client({ provider: 'hubspot', limitKey: `hubspot:${connectionId}`, baseUrl, auth,
 *   rateLimit: connector.rateLimit, allowPrivateNetworks: false, correlationId: jobId });
 * const res = await http.request({ path: '/crm/v3/objects/contacts', query: { limit: 100 } });
 */
export function createProviderProxy(options: ProviderProxyOptions = {}): ProviderProxy {
  const clock = options.clock ?? systemClock;
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
  const metrics: ProxyMetrics = proxyMetrics(options.registry);
  const limiter = createOutboundLimiter({ redis: options.redis, clock, sleep });
  const breakers = createBreakers(options.breaker ?? {}, metrics);
  // The process-wide guarded agents by default (closed with the hub); a test's own are ours to close.
  const owned = new Map<boolean, Dispatcher>();
  const dispatcherFor = (allowPrivateNetworks: boolean): Dispatcher => {
    if (!options.dispatcher) return guardedProviderAgent(allowPrivateNetworks);
    let dispatcher = owned.get(allowPrivateNetworks);
    if (!dispatcher) owned.set(allowPrivateNetworks, (dispatcher = options.dispatcher(allowPrivateNetworks)));
    return dispatcher;
  };

  function client(connection: ConnectionClientOptions): ProviderHttpClient {
    const { provider, limitKey, rateLimit, correlationId, onAttempt } = connection;
    const retryAttempts = connection.retryAttempts ?? DEFAULT_RETRY_ATTEMPTS;
    // The fields go on each line rather than into a child logger: a client often lives for one
    // proxied request, and pino serializes a child's bindings every time one is made.
    const logger = connection.logger ?? options.logger ?? silentLogger;
    const fields = { provider, ...(correlationId ? { correlationId } : {}) };
    const plain = createProviderClient({ ...connection, logger: silentLogger, dispatcher: dispatcherFor(connection.allowPrivateNetworks) });
    const { host, origin } = hostOf(plain.baseUrl);

    async function request<T>(req: ProviderRequest): Promise<ProviderResponse<T>> {
      const method = req.method ?? 'GET';
      for (let attempt = 1; ; attempt++) {
        const waited = await limiter.acquire(limitKey, rateLimit, req.signal);
        if (waited > 0) metrics.waited(provider, waited / 1000);
        const usage = limiter.usage(limitKey);
        if (usage) recordQuota(limitKey, provider, usage, clock.now().getTime());
        const started = performance.now();
        let response: ProviderResponse<T>;
        try {
          response = (await breakers.run(host, origin, () => plain.request(req))) as ProviderResponse<T>;
        } catch (err) {
          const durationMs = Math.round(performance.now() - started);
          if (!(err instanceof ProviderRequestError)) throw err;
          const outcome = err.kind === 'circuit-open' ? 'circuit_open' : 'network';
          metrics.call(provider, method, outcome, durationMs / 1000);
          onAttempt?.({ failure: err.kind, durationMs });
          const reason = retryableFailure(req, err);
          logger.info({ ...fields, method, url: err.url, failure: err.kind, err, attempt, durationMs, willRetry: Boolean(reason && attempt <= retryAttempts) }, 'provider call failed');
          if (!reason || attempt > retryAttempts) throw err;
          await pause(reason, backoffMs(attempt, random), req.signal);
          continue;
        }
        const durationMs = Math.round(performance.now() - started);
        const status = response.status;
        metrics.call(provider, method, outcomeOf(status), durationMs / 1000);
        onAttempt?.({ status, durationMs });
        const now = clock.now().getTime();
        const holdMs = providerHoldMs(response.headers, now);
        const reason = retryableResponse(req, status, response.headers);
        const retryAfterMs = reason === 'rate_limited' ? (retryAfterSeconds(response.headers, now) ?? 0) * 1000 : 0;
        // A 429 holds every caller of this provider and credential, not just this one.
        if (Math.max(holdMs, retryAfterMs) > 0) await limiter.hold(limitKey, Math.min(Math.max(holdMs, retryAfterMs), maxRetryAfterMs));
        const willRetry = Boolean(reason) && attempt <= retryAttempts && retryAfterMs <= maxRetryAfterMs;
        const done = !reason || !willRetry;
        if (done && req.report) req.report({ provider, url: origin + response.request.path, status, attempts: attempt, durationMs });
        else logger.info({ ...fields, method, url: origin + response.request.path, status, attempt, durationMs, ...(reason ? { willRetry } : {}) }, 'provider call');
        if (done) return response;
        await pause(reason, Math.max(backoffMs(attempt, random), retryAfterMs), req.signal);
      }
    }

    async function pause(reason: RetryReason, ms: number, signal: AbortSignal | undefined): Promise<void> {
      metrics.retry(provider, reason);
      await sleep(ms, signal);
    }

    return { baseUrl: plain.baseUrl, request };
  }

  return {
    client,
    limiter,
    async close() {
      breakers.shutdown();
      await Promise.all([...owned.values()].map((d) => d.close()));
      owned.clear();
    },
  };
}

// A client often lives for one proxied request; its base URL is one of a few per process.
const hosts = new Map<string, { host: string; origin: string }>();
function hostOf(baseUrl: string): { host: string; origin: string } {
  let known = hosts.get(baseUrl);
  if (!known) {
    const { host, origin } = new URL(baseUrl);
    if (hosts.size >= 1_000) hosts.clear();
    hosts.set(baseUrl, (known = { host, origin }));
  }
  return known;
}

function outcomeOf(status: number): string {
  if (status === 429) return '429';
  return `${Math.floor(status / 100)}xx`;
}
