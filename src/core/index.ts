export { loadConfig, servingOn, parseSecretKeys, ConfigError, CONFIG_VARIABLES, type Config, type ConfigDefaults, type MasterKey, type LogLevel } from './config.ts';
export { newId, randomToken } from './ids.ts';
export { ProblemError, problems, toError, sqlState, isUniqueViolation, isForeignKeyViolation, PROBLEM_BASE, BODY_LIMIT_HEADER, formatBytes, type FieldError } from './errors.ts';
export { DEFAULT_MAX_JSON_DEPTH, JsonDepthError, JsonPrototypeError, jsonDepthExceeds, parseJsonWithin } from './json.ts';
export { systemClock, ManualClock, type Clock } from './clock.ts';
export { createLogger, logDestination, silentLogger, scrub, scrubString, REDACTED, type Logger } from './logging.ts';
export { withLogContext, withOwnLogContext, addLogContext, withoutLogContext, currentLogContext, type LogContext, type LogContextKey, type LogFields } from './log-context.ts';
export { sha256Hex, constantTimeEqual, hashPassword, verifyPassword } from './crypto.ts';
export {
  assertPublicUrl,
  configuredUrlRefusal,
  hostUrl,
  classifyAddress,
  classifyHostname,
  isPrivateReason,
  systemResolver,
  SsrfError,
  type SsrfReason,
  type Resolver,
  type ResolvedAddress,
  type PublicUrlOptions,
  type ConfiguredUrlOptions,
} from './ssrf.ts';
export { parseIp, inPrefix, type ParsedIp } from './ip.ts';
export { createGuardedDispatcher, guardedLookup, type GuardedDispatcherOptions } from './ssrf-dispatcher.ts';
export { filterErrors, assertFilter, compileFilter, isAnchoredPrefix, type PayloadFilter } from './filter.ts';
export { Semaphore } from './semaphore.ts';
export { Batcher, type BatcherOptions, type BatchWrite, type Carried } from './batcher.ts';
