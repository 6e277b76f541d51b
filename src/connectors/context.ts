/**
 * Builds the `ConnectorContext` a connector is handed, from its manifest and one connection's
 * configuration and credential: configuration checked against the manifest's fields, the base URL
 * chosen per provider environment (or the integration's override) and filled in, the credential
 * placed where the manifest says.
 */
import { createHash } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { silentLogger, type FieldError, type Logger } from '../core/index.ts';
import { createProviderClient, createTokenCache, ProviderHttpError, type ConnectionClientOptions, type InjectedCredential, type ProviderHttpClient, type ProviderProxy, type ProviderRequest, type ProviderResponse } from '../proxy/index.ts';
import { parseRateLimit } from './rate-limit.ts';
import { checkFieldValues, type FieldValues } from './fields.ts';
import type { RateLimit } from './rate-limit.ts';
import type { ConnectorManifest, Placement } from './manifest.ts';
import type { Connector, ConnectorContext } from './sdk.ts';
import { fillTemplate, resolveUrlTemplate, TemplateError } from './templates.ts';

/** The limit calls of a connection go under: the integration's own (`100/minute`), else the manifest's. */
export function effectiveRateLimit(connector: Connector, integrationRateLimit: string | null | undefined): RateLimit | undefined {
  return integrationRateLimit ? parseRateLimit(integrationRateLimit) : connector.rateLimit;
}

export interface ConnectorContextOptions {
  /** Provider environment (`production`, `sandbox`…); one the manifest lacks falls back to production. */
  environment?: string;
  /** The integration's base URL override (a simulator in tests and the demo). */
  baseUrl?: string;
  integrationConfig?: FieldValues;
  connectionConfig?: FieldValues;
  /** Secret values: the auth fields in key modes, `{ accessToken }` for OAuth. */
  credentials: Readonly<Record<string, string>>;
  /** Token response fields kept with the connection (e.g. `instance_url`). */
  metadata?: Readonly<Record<string, unknown>>;
  timeoutMs?: number;
  logger?: Logger;
  dispatcher?: Dispatcher;
  signal?: AbortSignal;
  /**
   * Sends the connector's requests through the provider proxy — rate limit (the integration's,
   * else the manifest's), retries, circuit breaker, SSRF guard — instead of a plain client.
   */
  proxy?: ConnectorProxyOptions;
}

export interface ConnectorProxyOptions extends Pick<ConnectionClientOptions, 'limitKey' | 'allowPrivateNetworks' | 'retryAttempts' | 'correlationId' | 'onAttempt'> {
  proxy: ProviderProxy;
  /** The integration's own limit (`100/minute`), replacing the manifest's. */
  rateLimit?: string | undefined;
}

/** Configuration that does not satisfy the manifest's fields. */
export class ConnectorConfigError extends Error {
  constructor(readonly errors: readonly FieldError[]) {
    super(errors.map((e) => e.message).join('; '));
    this.name = 'ConnectorConfigError';
  }
}

/** Integration settings then connection configuration, checked, with defaults. */
export function resolveConfig(
  manifest: ConnectorManifest,
  integrationConfig: FieldValues = {},
  connectionConfig: FieldValues = {},
): Record<string, string> {
  const integration = checkFieldValues(manifest.integrationConfig, integrationConfig, '/integrationConfig');
  const connection = checkFieldValues(manifest.connectionConfig, connectionConfig, '/connectionConfig');
  const errors = [...integration.errors, ...connection.errors];
  if (errors.length > 0) throw new ConnectorConfigError(errors);
  return { ...integration.values, ...connection.values };
}

/** The connection's base URL; throws `TemplateError` when a value it needs is missing. */
export function resolveBaseUrl(
  manifest: ConnectorManifest,
  options: { environment?: string; override?: string; values: Readonly<Record<string, unknown>> },
): string {
  const template =
    options.override ?? manifest.baseUrls[options.environment ?? 'production'] ?? manifest.baseUrls.production;
  if (!template) throw new TemplateError(`${manifest.name} has no base URL: it makes no provider requests`);
  return resolveUrlTemplate(template, options.values);
}

/** The OAuth endpoints of one connection, filled in (for the OAuth flows). */
export function resolveOAuthEndpoints(
  manifest: ConnectorManifest,
  values: Readonly<Record<string, unknown>>,
): { authorizationUrl: string; tokenUrl: string; revocationUrl?: string; issuer?: string } {
  if (manifest.connectionMode !== 'oauth') throw new TypeError(`${manifest.key} does not use OAuth`);
  const { auth } = manifest;
  // A revocation URL built only from optional fields left empty means "no revocation".
  const optionalFields = new Set(
    Object.entries({ ...manifest.integrationConfig, ...manifest.connectionConfig })
      .filter(([, field]) => field.required === false)
      .map(([name]) => name),
  );
  let revocationUrl: string | undefined;
  if (auth.revocationUrl) {
    try {
      revocationUrl = resolveUrlTemplate(auth.revocationUrl, values);
    } catch (err) {
      if (!(err instanceof TemplateError && err.placeholder && optionalFields.has(err.placeholder))) throw err;
    }
  }
  return {
    authorizationUrl: resolveUrlTemplate(auth.authorizationUrl, values),
    tokenUrl: resolveUrlTemplate(auth.tokenUrl, values),
    ...(revocationUrl ? { revocationUrl } : {}),
    ...(auth.oidc ? { issuer: resolveUrlTemplate(auth.oidc.issuer, values) } : {}),
  };
}

/**
 * Where and how the credential goes, filled from the secret values. A connector that exchanges
 * its credential (`auth.exchange`) has none to place until the exchange: `none` without its values.
 */
export function resolveCredential(manifest: ConnectorManifest, credentials: Readonly<Record<string, string>>): InjectedCredential {
  const placement: Placement | undefined = manifest.auth.inject;
  if (!placement) return { type: 'none' };
  const exchanged = manifest.connectionMode === 'oauth' ? undefined : manifest.auth.exchange;
  if (exchanged && exchanged.values.some((name) => credentials[name] === undefined)) return { type: 'none' };
  const fill = (template: string): string => {
    const value = fillTemplate(template, credentials);
    if (/[\r\n\0]/.test(value)) throw new TemplateError('a credential value contains a line break');
    return value;
  };
  switch (placement.in) {
    case 'header':
      return { type: 'header', name: placement.name, value: fill(placement.format) };
    case 'query':
      return { type: 'query', name: placement.name, value: fill(placement.format) };
    case 'basic':
      return { type: 'basic', username: fill(placement.username), password: fill(placement.password) };
    case 'headers':
      return { type: 'headers', headers: Object.fromEntries(Object.entries(placement.headers).map(([name, format]) => [name, fill(format)])) };
  }
}

/**
 * @throws ConnectorConfigError when the configuration does not fit the manifest
 * @throws TemplateError when the base URL or credential cannot be filled in
 */
export function createConnectorContext(connector: Connector, options: ConnectorContextOptions): ConnectorContext {
  const { manifest } = connector;
  const config = resolveConfig(manifest, options.integrationConfig, options.connectionConfig);
  const metadata = options.metadata ?? {};
  const logger = (options.logger ?? silentLogger).child({ connector: manifest.key });
  const hasBaseUrl = options.baseUrl !== undefined || Object.keys(manifest.baseUrls).length > 0;
  const baseUrl = hasBaseUrl
    ? resolveBaseUrl(manifest, {
        values: { ...metadata, ...config },
        ...(options.environment ? { environment: options.environment } : {}),
        ...(options.baseUrl ? { override: options.baseUrl } : {}),
      })
    : undefined;
  const common = {
    headers: manifest.requestHeaders,
    logger,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  };
  const via = options.proxy;
  const clientWith = (auth: InjectedCredential, url: string): ProviderHttpClient =>
    via
      ? via.proxy.client({
          ...common,
          auth,
          baseUrl: url,
          provider: manifest.key,
          limitKey: via.limitKey,
          allowPrivateNetworks: via.allowPrivateNetworks,
          rateLimit: effectiveRateLimit(connector, via.rateLimit),
          retryAttempts: via.retryAttempts,
          correlationId: via.correlationId,
          ...(via.onAttempt ? { onAttempt: via.onAttempt } : {}),
        })
      : createProviderClient({ ...common, auth, baseUrl: url, ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}) });
  const http = !baseUrl
    ? noProviderApi(manifest.name)
    : connector.exchangeCredential
      ? exchangingClient(connector, { baseUrl, config, credentials: options.credentials, logger, clientWith, ...(options.signal ? { signal: options.signal } : {}) })
      : clientWith(resolveCredential(manifest, options.credentials), baseUrl);
  return Object.freeze({
    http,
    config: Object.freeze(config),
    metadata: Object.freeze({ ...metadata }),
    credentials: Object.freeze({ ...options.credentials }),
    logger,
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

/** For connectors with no provider API (webhook-only): any request is a connector bug. */
function noProviderApi(name: string): ConnectorContext['http'] {
  return {
    baseUrl: '',
    request: () => Promise.reject(new Error(`${name} has no provider API (no base URL in its manifest)`)),
  };
}

/** Exchanged credentials by connector, base URL and credential version (a digest of the stored values). */
const exchangedCredentials = createTokenCache<Readonly<Record<string, string>>>();
const DEFAULT_EXCHANGE_TTL_SECONDS = 300;

/**
 * The provider client of a connector that exchanges its credential (`auth.exchange`): before a
 * request it takes the exchanged values from the cache (exchanging when absent or expiring), places
 * them as the manifest says, and sends. A 401 to a cached value (revoked early) exchanges once more
 * and sends again; a refusal of a fresh one is the answer.
 */
function exchangingClient(
  connector: Connector,
  parts: {
    baseUrl: string;
    config: Record<string, string>;
    credentials: Readonly<Record<string, string>>;
    logger: Logger;
    signal?: AbortSignal;
    clientWith(auth: InjectedCredential, baseUrl: string): ProviderHttpClient;
  },
): ProviderHttpClient {
  const { manifest } = connector;
  const bare = parts.clientWith({ type: 'none' }, parts.baseUrl);
  const version = createHash('sha256')
    .update(JSON.stringify([manifest.key, parts.baseUrl, Object.entries(parts.credentials).sort(), Object.entries(parts.config).sort()]))
    .digest('base64url');
  const clients = new Map<Readonly<Record<string, string>>, ProviderHttpClient>();
  const exchange = async (): Promise<{ value: Readonly<Record<string, string>>; ttlMs: number }> => {
    const result = await connector.exchangeCredential!({
      http: bare,
      config: parts.config,
      credentials: parts.credentials,
      logger: parts.logger,
      ...(parts.signal ? { signal: parts.signal } : {}),
    });
    return { value: Object.freeze({ ...result.values }), ttlMs: (result.expiresInSeconds ?? DEFAULT_EXCHANGE_TTL_SECONDS) * 1000 };
  };
  const clientFor = (values: Readonly<Record<string, string>>): ProviderHttpClient => {
    let client = clients.get(values);
    if (!client) clients.set(values, (client = parts.clientWith(resolveCredential(manifest, { ...parts.credentials, ...values }), parts.baseUrl)));
    return client;
  };
  // The provider's refusal of the exchange is its answer to the request (the proxy passes it on).
  const exchanged = async (req: ProviderRequest) => {
    try {
      return { values: await exchangedCredentials.get(version, exchange) };
    } catch (err) {
      if (!(err instanceof ProviderHttpError)) throw err;
      const { body } = err.response;
      const bytes = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body ?? null));
      return { refusal: { ...err.response, body: req.responseType === 'buffer' ? bytes : body } as ProviderResponse };
    }
  };
  return {
    baseUrl: bare.baseUrl,
    async request(req: ProviderRequest) {
      const first = await exchanged(req);
      if (!first.values) return first.refusal;
      const response = await clientFor(first.values.value).request(req);
      if (response.status !== 401 || first.values.fresh) return response;
      exchangedCredentials.delete(version, first.values.value);
      const again = await exchanged(req);
      return again.values ? clientFor(again.values.value).request(req) : again.refusal;
    },
  } as ProviderHttpClient;
}
