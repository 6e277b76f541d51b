export {
  connections,
  embedTokens,
  type EmbedToken,
  CONNECTION_STATUSES,
  CREDENTIAL_TYPES,
  type Connection,
  type ConnectionStatus,
  type CredentialType,
  type TestOutcome,
} from './schema.ts';
export {
  setConnectionStatus,
  recordSyncOutcome,
  isAuthError,
  AUTH_REASONS,
  type AuthReason,
  type ConnectionScope,
  type StatusUpdate,
  type StatusChange,
} from './status.ts';
export { getConnectionContext, getConnection, revealCredentials, type ConnectionContext, type ConnectionServiceOptions, type RevealedCredentials } from './context.ts';
export { createConnection, listConnections, findIntegration, CONNECTION_ID, END_CUSTOMER_ID, type ConnectionInput, type ConnectionFilter, type CreateOptions } from './connections.ts';
export { testConnection, testRefused, type TestResult } from './test.ts';
export { replaceConnectionCredentials, type CredentialReplacement, type ReplacedCredentials } from './replace.ts';
export { refreshConnectionTokens, REFRESH_JOB, REFRESH_MAX_ATTEMPTS, type RefreshOptions } from './refresh.ts';
export { deleteConnection, eraseEndCustomer, onEndCustomerErased, revokeConnectionTokens, type EndCustomerEraser, type EndCustomerSubject, type ErasureReport } from './delete.ts';
export { startAuthorization, finishAuthorization, ConnectFlowError, type FlowFailure, type FlowFacts, type StartInput, type FinishInput } from './authorize.ts';
export { installConnectionJobs, enqueueDueRefreshes, REFRESH_SCAN_JOB, type ConnectionJobsDeps } from './jobs.ts';
export { CredentialUnavailableError, openTokens, connectionOwner } from './credentials.ts';
export { findConnectionByAccount, type AccountLookup } from './by-account.ts';
export { checkTheme, exactOrigin, LOCALE, THEME_TOKENS, type Theme, type ColorScheme } from './theme.ts';
export {
  connectableIntegrations,
  connectWithSession,
  testWithSession,
  markSessionUsed,
  sessionUsed,
  sessionScope,
  isConnectable,
  connectionModeOf,
  CONNECTABLE_MODES,
  type ConnectableIntegration,
  type SessionConnectInput,
} from './connect.ts';
export {
  createEmbedToken,
  findEmbedToken,
  embeddedConnections,
  deleteEmbedTokensOf,
  EMBED_TOKEN_TTL_SECONDS,
  EMBED_SCOPES,
  type EmbedScope,
  type EmbedTokenInput,
} from './embed.ts';
export { getIntegrationTheme, integrationThemesOf, setIntegrationTheme, removeIntegrationTheme } from './theme-store.ts';
