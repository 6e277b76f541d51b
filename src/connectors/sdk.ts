/**
 * `defineConnector`: what a file in `catalog/` exports. The manifest half is validated here (a
 * mistake fails at import, naming the field); the behaviour half acts only through the
 * `ConnectorContext` it is handed.
 *
 * @example
 * export default defineConnector({
 *   key: 'acme', name: 'Acme', description: '…', category: 'crm', icon: monogramIcon('A', '#333'),
 *   capabilities: ['proxy'], connectionMode: 'apiKey',
 *   auth: {
 *     fields: { apiKey: { label: 'API key', secret: true } },
 *     inject: { in: 'header', name: 'Authorization', format: 'Bearer {apiKey}' },
 *   },
 *   baseUrls: { production: 'https://api.acme.test' },
 *   docsUrl: 'https://docs.acme.test',
 *   async testConnection(ctx) {
 *     const res = expectOk(await ctx.http.request<{ id: string }>({ path: '/me' }));
 *     return connected({ id: res.body.id });
 *   },
 * });
 */
import type { Logger } from '../core/index.ts';
import type { ProviderFailure, ProviderHttpClient } from '../proxy/index.ts';
import { ProviderFailureError, createProviderClient, expectOk, guardedProviderAgent } from '../proxy/index.ts';
import type { ActionDefinition, InboundWebhookDefinition, MetricDefinition, MetricPoint, MetricQuery, SyncDefinition } from './extensions.ts';
import type { Capability, ConnectorManifest, DeclarativeTest, Field, ManifestInput } from './manifest.ts';
import { parseRateLimit, type RateLimit } from './rate-limit.ts';
import { formatProblems, validateManifest, type ManifestProblem } from './validate.ts';

export { expectOk, ProviderFailureError, ProviderHttpError, createTokenCache, type FailureCode, type ProviderHttpClient } from '../proxy/index.ts';
// For connectors that open their own sockets (a database, SMTP): network failures in the shared words.
export { ProviderRequestError, classifyNetworkError } from '../proxy/index.ts';
export { monogramIcon } from './icons.ts';
export { actionOf, actionInputProblems, runAction } from './actions.ts';
export {
  hmac,
  matchesAny,
  withinTolerance,
  parseSignatureHeader,
  parseJsonBody,
  bodyField,
  jsonField,
  verified,
  refused,
  verifyStandardWebhook,
  type HmacAlgorithm,
  type DigestEncoding,
} from './webhook-verification.ts';

/** Configuration values as a connector reads them: integration fields, then connection fields. */
export type ConfigRecord = Readonly<Record<string, string | undefined>>;

type FieldMap = Readonly<Record<string, Readonly<Field>>>;

/** `{ domain: string }` from `{ domain: { label: 'Okta domain' } }`; optional fields may be undefined. */
export type ConfigValues<F> = {
  readonly [K in keyof F]: F[K] extends { readonly required: false } ? (F[K] extends { readonly default: string } ? string : string | undefined) : string;
};

/** Everything a connector may use. It never sees tables, the API or other connections. */
export interface ConnectorContext<Config = ConfigRecord> {
  /** The provider's API: paths relative to the connection's base URL, credential injected. */
  readonly http: ProviderHttpClient;
  readonly config: Config;
  /** Token response fields the manifest keeps (e.g. Salesforce's `instance_url`). */
  readonly metadata: Readonly<Record<string, unknown>>;
  /**
   * The connection's secret values (the manifest's auth fields; `{ accessToken }` for OAuth), for
   * connectors that speak a protocol other than HTTP (a database, SMTP) and so sign in
   * themselves. HTTP connectors leave them alone: `http` already carries them. Never log them.
   */
  readonly credentials: Readonly<Record<string, string>>;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
}

/** What the dashboard shows about the connected account; `id` and `name` by convention. */
export interface AccountInfo {
  readonly id?: string;
  readonly name?: string;
  readonly [detail: string]: string | number | boolean | null | undefined;
}

export type TestConnectionResult = { ok: true; accountInfo: AccountInfo } | { ok: false; error: ProviderFailure };

export interface ConnectorBehaviour<Config = ConfigRecord> {
  /**
   * Proves the credential works, with the cheapest call that names the account. It may throw:
   * `expectOk` failures, network failures and `ProviderFailureError`s become the shared messages.
   */
  testConnection?(ctx: ConnectorContext<Config>): Promise<TestConnectionResult>;
  syncs?: readonly SyncDefinition<Config>[];
  /** The metrics `fetchMetrics` can report. */
  metrics?: readonly MetricDefinition[];
  /** Values of the asked metrics between two instants (a backfill asks for `historicalDays`). */
  fetchMetrics?(ctx: ConnectorContext<Config>, query: MetricQuery): Promise<readonly MetricPoint[]>;
  webhooks?: InboundWebhookDefinition;
  /** For the `identity` capability: finds one user of the connected directory by id or email (undefined: none). */
  lookupUser?(ctx: ConnectorContext<Config>, query: UserQuery): Promise<DirectoryUser | undefined>;
  /** For the `actions` capability: what the connector does on request, by name (`send`). */
  actions?: Readonly<Record<string, ActionDefinition<Config>>>;
  /**
   * For manifests with `auth.exchange`: turns the stored credential into the short-lived values
   * `auth.inject` uses (PayPal's client id and secret into an access token). Called before the
   * first provider request, and again when the result expires or the provider refuses it; the
   * result is cached per connector, base URL and credential version. It may throw like
   * `testConnection` (a refusal here is the credential's refusal).
   */
  exchangeCredential?(ctx: CredentialExchangeContext<Config>): Promise<ExchangedCredential>;
}

/** What `exchangeCredential` is handed: the provider's API without the credential, and the stored values. */
export interface CredentialExchangeContext<Config = ConfigRecord> {
  /** Paths relative to the connection's base URL; nothing is injected (send what the exchange needs). */
  readonly http: ProviderHttpClient;
  readonly config: Config;
  /** The stored secret values: the manifest's auth fields. */
  readonly credentials: Readonly<Record<string, string>>;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
}

export interface ExchangedCredential {
  /** The values named in `auth.exchange.values`, e.g. `{ accessToken }`. */
  values: Readonly<Record<string, string>>;
  /** How long they stay good (they are renewed a little before). Absent: 5 minutes. */
  expiresInSeconds?: number | undefined;
}

/** Who to look up in a directory: by the provider's id or by email. */
export interface UserQuery {
  readonly id?: string;
  readonly email?: string;
}

/** A user of a connected directory, in the words every identity connector shares. */
export interface DirectoryUser {
  readonly id: string;
  readonly email?: string | undefined;
  readonly name?: string | undefined;
  /** The provider's status word (ACTIVE, blocked…), as it says it. */
  readonly status?: string | undefined;
  readonly active?: boolean | undefined;
}

/** What `defineConnector` takes: a manifest plus behaviour. A plain manifest (no code) is one too. */
export type ConnectorDefinition<CC extends FieldMap = FieldMap, IC extends FieldMap = FieldMap> = ManifestInput & {
  connectionConfig?: CC;
  integrationConfig?: IC;
} & ConnectorBehaviour<ConfigValues<IC & CC>>;

const BRAND = Symbol.for('patchbay.connector');

/** A loaded connector: its validated manifest and its behaviour. */
export interface Connector<Config = ConfigRecord> {
  readonly [BRAND]: true;
  readonly key: string;
  /** Validated, defaults filled in; JSON-safe (what the catalog API returns). */
  readonly manifest: ConnectorManifest;
  readonly rateLimit: RateLimit | undefined;
  /** True when it carries no code (a declarative test, or none needed). */
  readonly declarative: boolean;
  testConnection(ctx: ConnectorContext<Config>): Promise<TestConnectionResult>;
  readonly syncs: readonly SyncDefinition<Config>[];
  readonly metrics: readonly MetricDefinition[];
  fetchMetrics: ((ctx: ConnectorContext<Config>, query: MetricQuery) => Promise<readonly MetricPoint[]>) | undefined;
  readonly webhooks: InboundWebhookDefinition | undefined;
  lookupUser: ((ctx: ConnectorContext<Config>, query: UserQuery) => Promise<DirectoryUser | undefined>) | undefined;
  readonly actions: Readonly<Record<string, ActionDefinition<Config>>>;
  exchangeCredential: ((ctx: CredentialExchangeContext<Config>) => Promise<ExchangedCredential>) | undefined;
}

/** A definition that does not hold; `problems` say where. */
export class ManifestError extends Error {
  constructor(
    readonly problems: readonly ManifestProblem[],
    readonly key?: string,
  ) {
    super(`connector ${key ? `"${key}" ` : ''}definition is invalid:\n${formatProblems(problems)}`);
    this.name = 'ManifestError';
  }
}

const BEHAVIOUR_KEYS = ['testConnection', 'syncs', 'metrics', 'fetchMetrics', 'webhooks', 'lookupUser', 'actions', 'exchangeCredential'] as const;

export function isConnector(value: unknown): value is Connector {
  return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
}

/**
 * Validates a definition and returns the connector; throws `ManifestError` listing every problem.
 * The config types of `ctx.config` come from `connectionConfig` and `integrationConfig`.
 */
export function defineConnector<const CC extends FieldMap = {}, const IC extends FieldMap = {}>(definition: ConnectorDefinition<CC, IC>): Connector<ConfigValues<IC & CC>> {
  return toConnector(definition) as unknown as Connector<ConfigValues<IC & CC>>;
}

/** `defineConnector` for values of unknown shape (a module's export, parsed JSON). */
export function toConnector(value: unknown): Connector {
  if (isConnector(value)) return value;
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new ManifestError([{ path: '', message: 'a connector definition must be an object' }]);
  }
  const record = value as Record<string, unknown>;
  const manifestPart: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(record)) {
    if (!(BEHAVIOUR_KEYS as readonly string[]).includes(name)) manifestPart[name] = v;
  }
  const key = typeof record.key === 'string' ? record.key : undefined;
  const problems: ManifestProblem[] = [];
  const validation = validateManifest(manifestPart);
  if (!validation.ok) problems.push(...validation.problems);
  problems.push(...behaviourProblems(record));
  if (!validation.ok || problems.length > 0) throw new ManifestError(problems, key);

  const manifest = validation.manifest;
  const behaviour = record as ConnectorBehaviour;
  const code = behaviour.testConnection;
  const test = manifest.test;
  const testConnection = code ? (ctx: ConnectorContext) => code.call(behaviour, ctx) : (ctx: ConnectorContext) => runDeclarativeTest(test!, ctx);
  return Object.freeze({
    [BRAND]: true as const,
    key: manifest.key,
    manifest: deepFreeze(manifest),
    rateLimit: manifest.rateLimit === undefined ? undefined : parseRateLimit(manifest.rateLimit),
    declarative: BEHAVIOUR_KEYS.every((name) => record[name] === undefined),
    testConnection,
    syncs: Object.freeze([...(behaviour.syncs ?? [])]),
    metrics: Object.freeze([...(behaviour.metrics ?? [])]),
    fetchMetrics: behaviour.fetchMetrics ? (ctx: ConnectorContext, query: MetricQuery) => behaviour.fetchMetrics!.call(behaviour, ctx, query) : undefined,
    webhooks: behaviour.webhooks,
    lookupUser: behaviour.lookupUser ? (ctx: ConnectorContext, query: UserQuery) => behaviour.lookupUser!.call(behaviour, ctx, query) : undefined,
    actions: Object.freeze({ ...behaviour.actions }),
    exchangeCredential: behaviour.exchangeCredential ? (ctx: CredentialExchangeContext) => behaviour.exchangeCredential!.call(behaviour, ctx) : undefined,
  });
}

/**
 * The capabilities a connector really implements: `proxy` when it has a provider API and a way
 * to send the credential, `records` with syncs, `metrics` with metrics and `fetchMetrics`,
 * `webhooks` with an inbound definition, `identity` with `lookupUser`. The conformance suite
 * requires these to equal the manifest's `capabilities`.
 */
export function implementedCapabilities(connector: Connector): Capability[] {
  const { manifest } = connector;
  const out: Capability[] = [];
  const sendsCredential = manifest.connectionMode === 'oauth' || manifest.auth.inject !== undefined;
  if (manifest.baseUrls.production && sendsCredential) out.push('proxy');
  if (connector.syncs.length > 0) out.push('records');
  if (connector.metrics.length > 0 && connector.fetchMetrics) out.push('metrics');
  if (connector.webhooks) out.push('webhooks');
  if (connector.lookupUser) out.push('identity');
  if (Object.keys(connector.actions).length > 0) out.push('actions');
  return out;
}

function behaviourProblems(record: Record<string, unknown>): ManifestProblem[] {
  const problems: ManifestProblem[] = [];
  if (record.testConnection !== undefined && typeof record.testConnection !== 'function') {
    problems.push({ path: 'testConnection', message: 'must be a function (ctx) => Promise<TestConnectionResult>' });
  }
  if (record.testConnection === undefined && record.test === undefined) {
    problems.push({ path: 'testConnection', message: 'is required: write testConnection(ctx), or give a declarative `test` request' });
  }
  const syncs = record.syncs;
  if (syncs !== undefined && !Array.isArray(syncs)) problems.push({ path: 'syncs', message: 'must be an array' });
  if (Array.isArray(syncs)) {
    const models = new Set<string>();
    syncs.forEach((item: unknown, i) => {
      const sync = (item ?? {}) as Record<string, unknown>;
      if (typeof sync.model !== 'string' || !/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(sync.model)) {
        problems.push({ path: `syncs.${i}.model`, message: 'must be a name of letters, digits, _ and - (e.g. contact)' });
      } else if (models.has(sync.model)) {
        problems.push({ path: `syncs.${i}.model`, message: `"${sync.model}" is declared twice` });
      } else models.add(sync.model);
      if (typeof sync.exec !== 'function') problems.push({ path: `syncs.${i}.exec`, message: 'must be a function' });
      if (!sync.schema || typeof sync.schema !== 'object') problems.push({ path: `syncs.${i}.schema`, message: "must be a JSON Schema of the record's data" });
      if (sync.update !== undefined && typeof sync.update !== 'function') problems.push({ path: `syncs.${i}.update`, message: 'must be a function' });
    });
  }
  const metrics = record.metrics;
  if (metrics !== undefined && !Array.isArray(metrics)) problems.push({ path: 'metrics', message: 'must be an array' });
  if (Array.isArray(metrics)) {
    metrics.forEach((item: unknown, i) => {
      const metric = (item ?? {}) as Record<string, unknown>;
      if (typeof metric.id !== 'string' || !metric.id) problems.push({ path: `metrics.${i}.id`, message: 'must be a non-empty string' });
      if (typeof metric.name !== 'string' || !metric.name) problems.push({ path: `metrics.${i}.name`, message: 'must be a non-empty string' });
      if (!['sum', 'avg', 'min', 'max', 'last'].includes(metric.aggregation as string)) {
        problems.push({ path: `metrics.${i}.aggregation`, message: 'must be one of sum, avg, min, max, last' });
      }
    });
    if (metrics.length > 0 && typeof record.fetchMetrics !== 'function') {
      problems.push({ path: 'fetchMetrics', message: 'must be a function (ctx, { metricIds, startDate, endDate }) when metrics are declared' });
    }
  }
  const exchanges = (record.auth as { exchange?: unknown } | undefined)?.exchange !== undefined && record.connectionMode !== 'oauth';
  if (record.exchangeCredential !== undefined && typeof record.exchangeCredential !== 'function')
    problems.push({ path: 'exchangeCredential', message: 'must be a function (ctx) => Promise<{ values, expiresInSeconds }>' });
  if (exchanges && record.exchangeCredential === undefined) problems.push({ path: 'exchangeCredential', message: 'is required when auth.exchange is declared' });
  if (!exchanges && record.exchangeCredential !== undefined) problems.push({ path: 'auth.exchange', message: 'must name the values exchangeCredential gives (e.g. { values: ["accessToken"] })' });
  const webhooks = record.webhooks as Record<string, unknown> | undefined;
  const actions = record.actions;
  if (actions !== undefined && (!actions || typeof actions !== 'object' || Array.isArray(actions))) problems.push({ path: 'actions', message: 'must be an object of actions by name' });
  else if (actions) {
    for (const [name, item] of Object.entries(actions as Record<string, unknown>)) {
      const action = (item ?? {}) as Record<string, unknown>;
      if (!/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(name)) problems.push({ path: `actions.${name}`, message: 'must be named with letters, digits, _ and - (e.g. send)' });
      if (typeof action.run !== 'function') problems.push({ path: `actions.${name}.run`, message: 'must be a function (ctx, input)' });
      if (!action.input || typeof action.input !== 'object') problems.push({ path: `actions.${name}.input`, message: 'must be a JSON Schema of the input' });
      if (typeof action.description !== 'string' || !action.description) problems.push({ path: `actions.${name}.description`, message: 'must be a non-empty string' });
    }
  }
  if (record.lookupUser !== undefined && typeof record.lookupUser !== 'function') problems.push({ path: 'lookupUser', message: 'must be a function (ctx, { id, email })' });
  if (webhooks !== undefined && ['verify', 'eventId', 'route'].some((fn) => typeof webhooks?.[fn] !== 'function')) {
    problems.push({ path: 'webhooks', message: 'must have verify(request, secrets, options), eventId(request) and route(request) functions' });
  }
  return problems;
}

/** `{ ok: true, accountInfo }` with empty values left out. */
export function connected(accountInfo: Record<string, string | number | boolean | null | undefined> = {}): TestConnectionResult {
  const info: Record<string, string | number | boolean | null> = {};
  for (const [name, value] of Object.entries(accountInfo)) {
    if (value !== undefined && value !== '') info[name] = value;
  }
  return { ok: true, accountInfo: info };
}

/** Runs a manifest's declarative `test`: one request, 2xx (and `okWhen`) means connected. */
export async function runDeclarativeTest(test: DeclarativeTest, ctx: ConnectorContext): Promise<TestConnectionResult> {
  const response = expectOk(await ctx.http.request({ method: test.method ?? 'GET', path: test.path, ...(test.query ? { query: test.query } : {}) }));
  if (test.okWhen) {
    const actual = pick(response.body, test.okWhen.path);
    if (actual !== test.okWhen.equals) {
      throw new ProviderFailureError('unexpected_response', `${test.okWhen.path} was ${JSON.stringify(actual) ?? 'missing'}`, { response });
    }
  }
  const info: Record<string, string | number | boolean | null> = {};
  for (const [name, path] of Object.entries(test.accountInfo ?? {})) {
    const value = pick(response.body, path);
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) info[name] = value as string | number | boolean | null;
  }
  return connected(info);
}

/** `pick(body, 'team.name')`; array indexes as numbers (`results.0.id`). */
export function pick(value: unknown, path: string): unknown {
  let current = value;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

const verificationOrigins = new Map<string, string>();

/**
 * Sends a connector's webhook-verification calls to another origin (its simulator) instead of the
 * provider's; `undefined` restores the provider's. For tests and the demo: a verifier has no
 * integration whose base URL it could take.
 */
export function overrideVerificationOrigin(connectorKey: string, origin: string | undefined): void {
  if (origin === undefined) verificationOrigins.delete(connectorKey);
  else verificationOrigins.set(connectorKey, origin);
}

/**
 * A provider client for a webhook verifier that asks its provider whether a delivery is genuine
 * (PayPal's verify-webhook-signature API). `origin` is the provider's own, fixed in the connector
 * — never read from the request, whose headers the sender chooses — and only public addresses
 * are dialled, unless an override (tests, the demo) points at a simulator.
 */
export function verificationClient(connectorKey: string, origin: string, options: { timeoutMs?: number } = {}): ProviderHttpClient {
  const override = verificationOrigins.get(connectorKey);
  return createProviderClient({ baseUrl: override ?? origin, timeoutMs: options.timeoutMs ?? 10_000, dispatcher: guardedProviderAgent(override !== undefined) });
}
