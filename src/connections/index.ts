export {
  connections,
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
