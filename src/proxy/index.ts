export {
  createProviderClient,
  expectOk,
  providerAgent,
  guardedProviderAgent,
  closeProviderAgent,
  type ProviderHttpClient,
  type ProviderRequest,
  type ProviderResponse,
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
