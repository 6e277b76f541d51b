export {
  createProviderClient,
  expectOk,
  providerAgent,
  guardedProviderAgent,
  closeProviderAgent,
  type ProviderHttpClient,
  type ProviderRequest,
  type ProviderResponse,
  type ProviderCallReport,
  type ProviderClientOptions,
  type InjectedCredential,
  type HttpMethod,
  type QueryValue,
} from './client.ts';
export {
  ProviderRequestError,
  ProviderHttpError,
  ProviderFailureError,
  classifyNetworkError,
  mayHaveReachedProvider,
  ssrfRefusal,
  type NetworkFailureKind,
  type FailureCode,
} from './errors.ts';
export {
  failureFor,
  failureFromResponse,
  describeFailure,
  retryAfterSeconds,
  providerErrorMessage,
  type ProviderFailure,
  type FailureSubject,
  type FailureFacts,
} from './failures.ts';
export { createProviderProxy, type ProviderProxy, type ProviderProxyOptions, type ConnectionClientOptions } from './proxy.ts';
export { connectionLimitKey, createOutboundLimiter, realSleep, type OutboundLimiter, type OutboundRateLimit, type Sleep, type LimiterOptions, type QuotaUsage } from './limiter.ts';
export { quotaUsage, quotaByProvider, type QuotaSnapshot } from './quota.ts';
export { isIdempotent, backoffMs, providerHoldMs, retryableResponse, retryableFailure, DEFAULT_RETRY_ATTEMPTS, type RetryReason } from './policy.ts';
export { proxyMetrics, type ProxyMetrics } from './metrics.ts';
export type { BreakerOptions } from './breaker.ts';
export { createTokenCache, expirySkewMs, type TokenCache, type CachedValue, type TokenCacheOptions } from './token-cache.ts';
