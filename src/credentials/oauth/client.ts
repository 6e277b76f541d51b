/**
 * One OAuth client as openid-client sees it: the provider's endpoints (from the manifest, filled
 * in, or the integration's overrides), the integration's client id and secret, and a fetch that
 * goes through the SSRF-guarded provider agent. For identity connectors the issuer's discovery
 * document gives the JWKS, and ID token signatures are checked (besides issuer, audience and
 * expiry, which openid-client always checks).
 */
import * as oidc from 'openid-client';
import { fetch as undiciFetch, type Dispatcher } from 'undici';
import { guardedProviderAgent } from '../../proxy/index.ts';
import { OAuthError, toOAuthError } from './errors.ts';

export interface OAuthEndpoints {
  authorizationUrl: string;
  tokenUrl: string;
  revocationUrl?: string | undefined;
  /** OpenID Connect issuer: set for identity connectors, whose ID tokens are validated. */
  issuer?: string | undefined;
}

export interface OAuthClientSettings {
  endpoints: OAuthEndpoints;
  clientId: string;
  /** Absent for public clients (PKCE alone). */
  clientSecret?: string | undefined;
  tokenEndpointAuthMethod: 'client_secret_basic' | 'client_secret_post';
  /** The environment's SSRF setting: loopback and private addresses only when allowed. */
  allowPrivateNetworks: boolean;
  timeoutMs: number;
  /** Tests may pass their own; the guarded provider agent otherwise. */
  dispatcher?: Dispatcher;
}

type FetchFn = (url: string, options: { body?: unknown; headers: Record<string, string>; method: string; redirect: 'manual'; signal?: AbortSignal }) => Promise<Response>;

/**
 * Providers answer token requests in ways RFC 6749 does not allow and openid-client refuses; the
 * common ones are read here, for every provider alike: an error sent with HTTP 200 (GitHub,
 * Slack's `ok: false`) becomes a 400, and a token type other than Bearer or DPoP (Slack's `bot`)
 * or none at all is read as Bearer (the provider's own is kept as `provider_token_type`).
 */
async function normalizeTokenResponse(response: Response): Promise<Response> {
  if (!/[/+]json\b/i.test(response.headers.get('content-type') ?? '')) return response;
  const text = await response.text();
  let body: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(text);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return rebuild(response, text, response.status);
    body = parsed as Record<string, unknown>;
  } catch {
    return rebuild(response, text, response.status);
  }
  let status = response.status;
  if (status === 200 && typeof body.error === 'string' && body.access_token === undefined) status = 400;
  if (typeof body.access_token === 'string') {
    const type = typeof body.token_type === 'string' ? body.token_type.toLowerCase() : undefined;
    if (type !== 'bearer' && type !== 'dpop') {
      if (body.token_type !== undefined) body.provider_token_type = body.token_type;
      body.token_type = 'Bearer';
    }
  }
  return rebuild(response, JSON.stringify(body), status);
}

function rebuild(response: Response, body: string, status: number): Response {
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  headers.delete('content-encoding');
  return new Response(body, { status, statusText: status === response.status ? response.statusText : 'Bad Request', headers });
}

function guardedFetch(settings: OAuthClientSettings): FetchFn {
  const dispatcher = settings.dispatcher ?? guardedProviderAgent(settings.allowPrivateNetworks);
  const tokenUrl = new URL(settings.endpoints.tokenUrl).href;
  return async (url, options) => {
    const response = (await undiciFetch(url, { ...(options as object), dispatcher } as never)) as unknown as Response;
    return new URL(url).href === tokenUrl ? normalizeTokenResponse(response) : response;
  };
}

// Issuer → JWKS URI from its discovery document, for ten minutes.
const DISCOVERY_TTL_MS = 10 * 60_000;
const discovered = new Map<string, { jwksUri: string; at: number }>();

async function jwksUriOf(issuer: string, fetchFn: FetchFn, timeoutMs: number): Promise<string> {
  const cached = discovered.get(issuer);
  if (cached && Date.now() - cached.at < DISCOVERY_TTL_MS) return cached.jwksUri;
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  let document: { issuer?: unknown; jwks_uri?: unknown };
  try {
    const response = await fetchFn(url, { method: 'GET', headers: { accept: 'application/json' }, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    if (response.status !== 200) throw new OAuthError('discovery_failed', `${url} answered HTTP ${response.status}.`, 'discovery', { status: response.status });
    document = (await response.json()) as typeof document;
  } catch (err) {
    if (err instanceof OAuthError) throw err;
    const mapped = toOAuthError(err, 'discovery');
    throw new OAuthError(mapped.code === 'refused_address' ? mapped.code : 'discovery_failed', `Could not read ${url}: ${mapped.description ?? mapped.message}`, 'discovery', { cause: err });
  }
  if (document.issuer !== issuer) {
    throw new OAuthError('discovery_failed', `The discovery document at ${url} names the issuer ${String(document.issuer)}, not ${issuer}.`, 'discovery');
  }
  if (typeof document.jwks_uri !== 'string') throw new OAuthError('discovery_failed', `The discovery document at ${url} has no jwks_uri.`, 'discovery');
  discovered.set(issuer, { jwksUri: document.jwks_uri, at: Date.now() });
  return document.jwks_uri;
}

/**
 * The openid-client configuration. `verifyIdTokens` fetches the issuer's discovery document for
 * its JWKS (identity connectors, when a token request may return an ID token).
 */
export async function oauthConfiguration(settings: OAuthClientSettings, options: { verifyIdTokens?: boolean } = {}): Promise<oidc.Configuration> {
  const { endpoints } = settings;
  const fetchFn = guardedFetch(settings);
  const issuer = endpoints.issuer ?? new URL(endpoints.authorizationUrl).origin;
  const jwksUri = endpoints.issuer && options.verifyIdTokens ? await jwksUriOf(endpoints.issuer, fetchFn, settings.timeoutMs) : undefined;
  const metadata: oidc.ServerMetadata = {
    issuer,
    authorization_endpoint: endpoints.authorizationUrl,
    token_endpoint: endpoints.tokenUrl,
    ...(endpoints.revocationUrl ? { revocation_endpoint: endpoints.revocationUrl } : {}),
    ...(jwksUri ? { jwks_uri: jwksUri } : {}),
  };
  const auth = !settings.clientSecret
    ? oidc.None()
    : settings.tokenEndpointAuthMethod === 'client_secret_post'
      ? oidc.ClientSecretPost(settings.clientSecret)
      : oidc.ClientSecretBasic(settings.clientSecret);
  const config = new oidc.Configuration(metadata, settings.clientId, undefined, auth);
  config[oidc.customFetch] = fetchFn as never;
  config.timeout = Math.max(1, Math.ceil(settings.timeoutMs / 1000));
  // Plain http reaches only environments that allow private networks (checked when URLs are saved).
  if ([endpoints.authorizationUrl, endpoints.tokenUrl, endpoints.revocationUrl, jwksUri].some((u) => u?.startsWith('http:'))) {
    if (!settings.allowPrivateNetworks) throw new OAuthError('refused_address', 'OAuth endpoints must use https in this environment.', 'token');
    oidc.allowInsecureRequests(config);
  }
  if (jwksUri) oidc.enableNonRepudiationChecks(config);
  return config;
}
