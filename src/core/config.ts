/**
 * The one place that reads the environment. Every setting is parsed and checked here, at start;
 * a bad value stops start-up with a message naming the variable.
 */
import path from 'node:path';
import { DEFAULT_MAX_JSON_DEPTH } from './json.ts';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface MasterKey {
  id: string;
  key: Buffer;
}

export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  /** True when `PUBLIC_URL` set the public URL; otherwise it follows the port served (see `servingOn`). */
  publicUrlFromEnv: boolean;
  databaseUrl: string | undefined;
  dataDir: string;
  /** Current key first. Empty in embedded mode until the hub generates one into the data dir. */
  secretKeys: MasterKey[];
  redisUrl: string | undefined;
  logLevel: LogLevel;
  /** For the CLI against a remote hub. */
  remoteUrl: string | undefined;
  remoteApiKey: string | undefined;
  workerConcurrency: number;
  jobLeaseSeconds: number;
  databasePoolSize: number;
  /** The embedded database runs in a worker thread instead of on the event loop (PGlite only). */
  pgliteThread: boolean;
  /** OAuth access tokens are refreshed in the background this long before they expire. */
  oauthRefreshMarginSeconds: number;
  /** How long an API process keeps a verified API key in memory (revocation still acts at once). */
  apiKeyCacheSeconds: number;
  /** Outbound payloads and attempt bodies older than this are pruned; settled inbound events deleted. */
  retentionDays: number;
  /** An endpoint that only failed for this long is disabled. */
  endpointDisableAfterDays: number;
  /** An `Idempotency-Key` in progress is held by its process this long past its last heartbeat; then a retry runs again. */
  idempotencyLeaseSeconds: number;
  /** Connection health checks: how often, how long one may take, failures in a row before `error`. */
  healthCheckIntervalSeconds: number;
  healthCheckTimeoutMs: number;
  healthFailureThreshold: number;
  /** JSON bodies (API and inbound webhooks) nesting deeper than this are refused. */
  maxJsonDepth: number;
  /** Inbound webhook bodies over 1 MiB (or of unknown length) read and stored at once; the others wait. */
  maxLargeInboundBodies: number;
  /** A request's headers must arrive within this (408 problem otherwise). */
  headersTimeoutSeconds: number;
  /** A request's headers and body must arrive within this (408 problem otherwise). */
  requestTimeoutSeconds: number;
  /** OTLP/HTTP base URL for traces; unset, tracing stays off and its SDK is never loaded. */
  otlpEndpoint: string | undefined;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `expected a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, 'is not a valid URL');
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')}, got ${parsed.protocol}`);
  }
  return raw;
}

/** `PATCHBAY_SECRET_KEYS`: `keyId:base64(32 bytes)`, comma-separated, current key first. */
export function parseSecretKeys(raw: string, variable = 'PATCHBAY_SECRET_KEYS'): MasterKey[] {
  const keys: MasterKey[] = [];
  for (const part of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const sep = part.indexOf(':');
    if (sep <= 0) throw new ConfigError(variable, 'each entry must look like keyId:base64key');
    const id = part.slice(0, sep);
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(id)) throw new ConfigError(variable, `key id "${id}" may use letters, digits, _ . - only`);
    const key = Buffer.from(part.slice(sep + 1), 'base64');
    if (key.length !== 32) throw new ConfigError(variable, `key "${id}" must be 32 bytes of base64 (got ${key.length} bytes)`);
    if (keys.some((k) => k.id === id)) throw new ConfigError(variable, `key id "${id}" appears twice`);
    keys.push({ id, key });
  }
  if (keys.length === 0) throw new ConfigError(variable, 'lists no key');
  return keys;
}

/** Defaults a launcher may change: the demo listens on loopback unless `HOST` says otherwise. */
export interface ConfigDefaults {
  host?: string;
}

export function loadConfig(env: Env = process.env, defaults: ConfigDefaults = {}): Config {
  const port = integer(env, 'PORT', 4000, 0, 65535);
  const host = env.HOST?.trim() || defaults.host || '0.0.0.0';
  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const dataDir = path.resolve(env.PATCHBAY_DATA_DIR?.trim() || '.patchbay');
  const rawKeys = env.PATCHBAY_SECRET_KEYS?.trim();
  if (databaseUrl && !rawKeys) {
    throw new ConfigError('PATCHBAY_SECRET_KEYS', 'is required when DATABASE_URL is set (format keyId:base64(32 bytes), current first)');
  }
  const secretKeys = rawKeys ? parseSecretKeys(rawKeys) : [];
  const logLevel = (env.LOG_LEVEL?.trim() || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  const explicitPublicUrl = url(env, 'PUBLIC_URL', ['http:', 'https:']);
  const publicUrl = (explicitPublicUrl ?? defaultPublicUrl(port)).replace(/\/$/, '');
  const headersTimeoutSeconds = integer(env, 'PATCHBAY_HEADERS_TIMEOUT_SECONDS', 10, 1, 600);
  const requestTimeoutSeconds = integer(env, 'PATCHBAY_REQUEST_TIMEOUT_SECONDS', 30, 1, 3600);
  if (headersTimeoutSeconds > requestTimeoutSeconds) {
    throw new ConfigError('PATCHBAY_HEADERS_TIMEOUT_SECONDS', `must not be longer than PATCHBAY_REQUEST_TIMEOUT_SECONDS (${requestTimeoutSeconds})`);
  }
  return {
    port,
    host,
    publicUrl,
    publicUrlFromEnv: explicitPublicUrl !== undefined,
    databaseUrl,
    dataDir,
    secretKeys,
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    logLevel,
    remoteUrl: url(env, 'PATCHBAY_URL', ['http:', 'https:']),
    remoteApiKey: env.PATCHBAY_API_KEY?.trim() || undefined,
    workerConcurrency: integer(env, 'PATCHBAY_WORKER_CONCURRENCY', 20, 1, 1000),
    jobLeaseSeconds: integer(env, 'PATCHBAY_JOB_LEASE_SECONDS', 60, 2, 3600),
    databasePoolSize: integer(env, 'PATCHBAY_DB_POOL_SIZE', 10, 1, 200),
    pgliteThread: pgliteInThread(env),
    oauthRefreshMarginSeconds: integer(env, 'PATCHBAY_OAUTH_REFRESH_MARGIN_SECONDS', 300, 0, 86_400),
    apiKeyCacheSeconds: integer(env, 'PATCHBAY_API_KEY_CACHE_SECONDS', 30, 0, 300),
    retentionDays: integer(env, 'PATCHBAY_RETENTION_DAYS', 30, 1, 3650),
    endpointDisableAfterDays: integer(env, 'PATCHBAY_ENDPOINT_DISABLE_AFTER_DAYS', 5, 1, 365),
    idempotencyLeaseSeconds: integer(env, 'PATCHBAY_IDEMPOTENCY_LEASE_SECONDS', 30, 1, 3600),
    healthCheckIntervalSeconds: integer(env, 'PATCHBAY_HEALTH_CHECK_INTERVAL_SECONDS', 60, 5, 86_400),
    healthCheckTimeoutMs: integer(env, 'PATCHBAY_HEALTH_CHECK_TIMEOUT_MS', 5_000, 100, 60_000),
    healthFailureThreshold: integer(env, 'PATCHBAY_HEALTH_FAILURE_THRESHOLD', 3, 1, 100),
    maxJsonDepth: integer(env, 'PATCHBAY_MAX_JSON_DEPTH', DEFAULT_MAX_JSON_DEPTH, 2, 10_000),
    maxLargeInboundBodies: integer(env, 'PATCHBAY_MAX_LARGE_INBOUND_BODIES', 2, 1, 1_000),
    headersTimeoutSeconds,
    requestTimeoutSeconds,
    otlpEndpoint: url(env, 'OTEL_EXPORTER_OTLP_ENDPOINT', ['http:', 'https:']),
  };
}

// On by default: measured on the 2-core machine (bench/inbound.bench.ts, bench/outbound.bench.ts
// headers), inbound p99 at half rate on PGlite went from 565–775 ms to 85–97 ms, outbound from
// 16–22 % to 19–22 % of its limit (2,709 to 4,158 deliveries/s on the quieter run).
const PGLITE_THREAD_DEFAULT = true;

/**
 * `PATCHBAY_PGLITE_THREAD`: 1 runs the embedded database in a worker thread, 0 on the hub's
 * thread. Read here for `openDatabase`, which callers without a `Config` (tests, tools) use too.
 */
export function pgliteInThread(env: Env = process.env): boolean {
  const raw = env.PATCHBAY_PGLITE_THREAD?.trim();
  if (raw === undefined || raw === '') return PGLITE_THREAD_DEFAULT;
  if (raw !== '0' && raw !== '1') throw new ConfigError('PATCHBAY_PGLITE_THREAD', `expected 0 or 1, got "${raw}"`);
  return raw === '1';
}
function defaultPublicUrl(port: number): string {
  return `http://localhost:${port}`;
}

/**
 * The configuration of a process that serves on `port` (`patchbay serve --port 4201`): source
 * URLs, connect URLs and the OAuth callback follow that port unless `PUBLIC_URL` was set.
 *
 * @example servingOn(loadConfig({}), 4201).publicUrl // 'http://localhost:4201'
 */
export function servingOn(config: Config, port: number): Config {
  return { ...config, port, publicUrl: config.publicUrlFromEnv ? config.publicUrl : defaultPublicUrl(port) };
}

/** The documented variables, in README order (the README table is checked against this list). */
export const CONFIG_VARIABLES = [
  'PORT',
  'HOST',
  'PUBLIC_URL',
  'DATABASE_URL',
  'PATCHBAY_DATA_DIR',
  'PATCHBAY_SECRET_KEYS',
  'REDIS_URL',
  'LOG_LEVEL',
  'PATCHBAY_URL',
  'PATCHBAY_API_KEY',
  'PATCHBAY_WORKER_CONCURRENCY',
  'PATCHBAY_JOB_LEASE_SECONDS',
  'PATCHBAY_DB_POOL_SIZE',
  'PATCHBAY_PGLITE_THREAD',
  'PATCHBAY_OAUTH_REFRESH_MARGIN_SECONDS',
  'PATCHBAY_API_KEY_CACHE_SECONDS',
  'PATCHBAY_IDEMPOTENCY_LEASE_SECONDS',
  'PATCHBAY_RETENTION_DAYS',
  'PATCHBAY_ENDPOINT_DISABLE_AFTER_DAYS',
  'PATCHBAY_HEALTH_CHECK_INTERVAL_SECONDS',
  'PATCHBAY_HEALTH_CHECK_TIMEOUT_MS',
  'PATCHBAY_HEALTH_FAILURE_THRESHOLD',
  'PATCHBAY_MAX_JSON_DEPTH',
  'PATCHBAY_MAX_LARGE_INBOUND_BODIES',
  'PATCHBAY_HEADERS_TIMEOUT_SECONDS',
  'PATCHBAY_REQUEST_TIMEOUT_SECONDS',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
] as const;
