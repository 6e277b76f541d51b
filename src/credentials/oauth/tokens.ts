/**
 * What Patchbay keeps of an OAuth grant, sealed in the vault under owner `connection`, name
 * `oauthTokens`. Times are ISO strings so the value round-trips through JSON unchanged.
 */
export interface OAuthTokenSet {
  accessToken: string;
  /** Kept across refreshes unless the provider rotates it. */
  refreshToken?: string;
  tokenType: string;
  /** Absent when the provider did not say (GitHub OAuth apps, Salesforce): used until refused. */
  expiresAt?: string;
  /** The scopes granted, as the provider wrote them. */
  scope?: string;
  idToken?: string;
  /** How it was obtained; client-credentials tokens are renewed by asking again. */
  grant: 'authorization_code' | 'client_credentials';
  obtainedAt: string;
}

/** Name of the token set in the vault (owner: the connection). */
export const OAUTH_TOKENS = 'oauthTokens';

/** A use treats a token as expired this long before its expiry: requests take time. */
export const EXPIRY_SKEW_MS = 30_000;

/** True when the token expires within `marginMs` of `now` (or has expired). */
export function expiresWithin(tokens: Pick<OAuthTokenSet, 'expiresAt'>, now: Date, marginMs: number): boolean {
  if (!tokens.expiresAt) return false;
  return Date.parse(tokens.expiresAt) - marginMs <= now.getTime();
}

/** Whether the token can be renewed without the end customer. */
export function renewable(tokens: Pick<OAuthTokenSet, 'refreshToken' | 'grant'>): boolean {
  return tokens.refreshToken !== undefined || tokens.grant === 'client_credentials';
}
