export { ROLES, SCOPES, ALL_SCOPES, ROLE_SCOPES, isRole, isScope, scopesForRole, missingScopesOver, type Role, type Scope } from './roles.ts';
export {
  createOrganization,
  createEnvironment,
  getOrganization,
  getOrganizationBySlug,
  listEnvironments,
  findEnvironment,
  updateEnvironment,
  deleteEnvironment,
  deleteOrganization,
  renameOrganization,
  DEFAULT_ENVIRONMENTS,
  SLUG,
  type Organization,
  type Environment,
} from './organizations.ts';
export {
  createUser,
  findUserByEmail,
  addMember,
  listMembers,
  getMember,
  setMemberRole,
  removeMember,
  countOwners,
  authenticateUser,
  createSession,
  findSession,
  deleteSession,
  SESSION_TTL_MS,
  type User,
  type Member,
  type SessionInfo,
} from './users.ts';
export { createApiKey, listApiKeys, getApiKey, revokeApiKey, changeApiKeyScopes, type ApiKeyRecord, type ApiKeyView, type CreateApiKeyInput } from './api-keys.ts';
export { createApiKeyVerifier, type ApiKeyVerifier, type ApiKeyVerifierOptions } from './verified-keys.ts';
export type { VerifiedApiKey } from './key-cache.ts';
export { recordAudit, listAudit, type Actor, type AuditInput, type AuditEntry } from './audit.ts';
export { bootstrapOrganization, type BootstrapInput, type BootstrapResult } from './bootstrap.ts';
export type { KeyRateLimits } from './schema.ts';
export { environments } from './schema.ts';
