export { oauthConfiguration, type OAuthClientSettings, type OAuthEndpoints } from './client.ts';
export {
  authorizationUrl,
  exchangeCode,
  renewTokens,
  clientCredentials,
  revokeTokens,
  type TokenResult,
  type AuthorizationRequest,
  type CodeExchange,
  type RevocationResult,
} from './grants.ts';
export { OAuthError, toOAuthError, type OAuthStage } from './errors.ts';
export { OAUTH_TOKENS, EXPIRY_SKEW_MS, expiresWithin, renewable, type OAuthTokenSet } from './tokens.ts';
export {
  createConnectSession,
  findConnectSession,
  sessionAllows,
  sessionIdOfToken,
  deleteConnectSessionsOf,
  deleteExpiredConnectSessions,
  CONNECT_SESSION_TTL_SECONDS,
  type ConnectSessionInput,
} from './sessions.ts';
export {
  createAuthorizationState,
  consumeAuthorizationState,
  deleteStatesOf,
  deleteExpiredStates,
  stateCookieName,
  STATE_TTL_MS,
  type StateInput,
  type StateSecrets,
  type StartedState,
  type ConsumedState,
} from './state.ts';
export { connectSessions, oauthStates, type ConnectSession, type OAuthStateRow } from './schema.ts';
export { randomPKCECodeVerifier, randomNonce } from 'openid-client';
