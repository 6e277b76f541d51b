/**
 * Validates a manifest: its shape against the TypeBox schemas (manifest.ts), then what a schema
 * cannot say (templates naming declared fields, patterns that compile, a safe icon…). Problems
 * come back as `{ path, message }` for a person to fix; a valid manifest comes back with its
 * defaults filled in.
 */
import Type from 'typebox';
import { Compile } from 'typebox/compile';
import type { TLocalizedValidationError } from 'typebox/error';
import {
  AUTH_SCHEMAS,
  KeySettingsSchema,
  ManifestShapeSchema,
  OAuthSettingsSchema,
  PlacementSchema,
  type ConnectorManifest,
  type Fields,
  type ManifestInput,
  type Placement,
  type ResolvedOAuthSettings,
} from './manifest.ts';
import { isRateLimit } from './rate-limit.ts';
import { placeholders } from './templates.ts';

export interface ManifestProblem {
  /** Dotted path into the manifest, e.g. `auth.fields.apiKey.pattern`; empty for the whole. */
  path: string;
  message: string;
}

export type ManifestValidation = { ok: true; manifest: ConnectorManifest } | { ok: false; problems: ManifestProblem[] };

// TypeBox reports unions (anyOf) incompletely, so a placement is checked against the one
// branch its `in` names, and the settings schemas are checked with a loose `inject`.
const LooseInject = Type.Optional(Type.Object({ in: Type.Enum(['header', 'query', 'basic', 'headers']) }));
const [headerPlacement, queryPlacement, basicPlacement, headersPlacement] = PlacementSchema.anyOf;
const PLACEMENTS: Record<Placement['in'], ErrorSource> = {
  header: Compile(headerPlacement),
  query: Compile(queryPlacement),
  basic: Compile(basicPlacement),
  headers: Compile(headersPlacement),
};
const shapeValidator = Compile(ManifestShapeSchema);
const authValidators = {
  oauth: Compile(Type.Object({ ...OAuthSettingsSchema.properties, inject: LooseInject }, { additionalProperties: false })),
  key: Compile(Type.Object({ ...KeySettingsSchema.properties, inject: LooseInject }, { additionalProperties: false })),
};

/** Known patterns, said in words. */
const PATTERN_WORDS: Record<string, string> = {
  '^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$': 'must be lower-case letters and digits, words joined by single hyphens (e.g. custom-oauth)',
  '^[A-Za-z_][A-Za-z0-9_]*$': 'must be a name of letters, digits and underscores (e.g. apiKey)',
  '^\\d+\\s*/\\s*(?:\\d+\\s*)?(?:second|minute|hour|day)s?$': 'must look like 100/minute or 110/10 seconds',
  '^(?:https://|\\{)': 'must be an https:// URL, or start with a {placeholder} that holds one',
  '^https://': 'must be an https:// URL',
  '^https?://': 'must be an http:// or https:// URL',
  '^/': 'must start with /',
};

export function validateManifest(input: unknown): ManifestValidation {
  if (!input || typeof input !== 'object' || Array.isArray(input)) {
    return { ok: false, problems: [{ path: '', message: 'a manifest must be an object' }] };
  }
  const problems = schemaProblems(shapeValidator, input, '');
  const value = input as Record<string, unknown>;
  const mode = value.connectionMode;
  if (typeof mode === 'string' && Object.hasOwn(AUTH_SCHEMAS, mode) && value.auth && typeof value.auth === 'object') {
    const auth = value.auth as Record<string, unknown>;
    problems.push(...schemaProblems(mode === 'oauth' ? authValidators.oauth : authValidators.key, auth, '/auth'));
    const inject = auth.inject as { in?: unknown } | undefined;
    if (inject && typeof inject === 'object' && typeof inject.in === 'string' && Object.hasOwn(PLACEMENTS, inject.in)) {
      problems.push(...schemaProblems(PLACEMENTS[inject.in as Placement['in']], inject, '/auth/inject'));
    }
  }
  if (problems.length > 0) return { ok: false, problems: byPath(dedupe(problems)) };

  const manifest = input as ManifestInput;
  const semantic = semanticProblems(manifest);
  if (semantic.length > 0) return { ok: false, problems: byPath(semantic) };
  return { ok: true, manifest: withDefaults(manifest) };
}

/** One line per problem, for error messages. */
export function formatProblems(problems: readonly ManifestProblem[]): string {
  return problems.map((p) => `  - ${p.path || '(manifest)'}: ${p.message}`).join('\n');
}

interface ErrorSource {
  Errors(value: unknown): TLocalizedValidationError[];
}

function schemaProblems(validator: ErrorSource, value: unknown, prefix: string): ManifestProblem[] {
  const out: ManifestProblem[] = [];
  for (const error of validator.Errors(value)) {
    const at = prefix + error.instancePath;
    const params = error.params as Record<string, unknown>;
    switch (error.keyword) {
      case 'boolean':
        break; // repeated by the additionalProperties error that follows
      case 'additionalProperties':
        for (const name of (params.additionalProperties as string[] | undefined) ?? []) {
          out.push({ path: dotted(`${at}/${name}`), message: 'is not a known property (check its spelling)' });
        }
        break;
      case 'required':
        for (const name of (params.requiredProperties as string[] | undefined) ?? []) {
          out.push({ path: dotted(`${at}/${name}`), message: 'is required' });
        }
        break;
      case 'enum':
        out.push({ path: dotted(at), message: `must be one of ${(params.allowedValues as unknown[]).join(', ')}` });
        break;
      case 'pattern':
        out.push({ path: dotted(at), message: PATTERN_WORDS[String(params.pattern)] ?? error.message });
        break;
      default:
        out.push({ path: dotted(at), message: error.message });
    }
  }
  return out;
}

function dotted(pointer: string): string {
  return pointer
    .split('/')
    .filter(Boolean)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

/** Problems ordered by path (stable), so a report reads top to bottom. */
function byPath(problems: ManifestProblem[]): ManifestProblem[] {
  return [...problems].sort((a, b) => a.path.localeCompare(b.path));
}

function dedupe(problems: ManifestProblem[]): ManifestProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const id = `${p.path}\u0000${p.message}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

const RESERVED_AUTHORIZATION_PARAMS = new Set(['client_id', 'redirect_uri', 'state', 'response_type', 'scope', 'code_challenge', 'code_challenge_method', 'nonce']);
const FORBIDDEN_REQUEST_HEADERS = new Set(['authorization', 'host', 'cookie', 'content-length', 'connection', 'transfer-encoding']);

/** Checks a schema cannot express. Assumes the shape is valid. */
function semanticProblems(m: ManifestInput): ManifestProblem[] {
  const problems: ManifestProblem[] = [];
  const problem = (path: string, message: string): void => {
    problems.push({ path, message });
  };

  iconProblems(m.icon, problem);
  const connectionConfig = m.connectionConfig ?? {};
  const integrationConfig = m.integrationConfig ?? {};
  fieldProblems(connectionConfig, 'connectionConfig', problem);
  fieldProblems(integrationConfig, 'integrationConfig', problem);
  for (const name of Object.keys(connectionConfig)) {
    if (name in integrationConfig) problem(`connectionConfig.${name}`, 'is also an integrationConfig field; a name may be used once');
  }

  // What URL templates may name: configuration fields, and for base URLs kept token fields.
  const configKinds = new Map<string, 'url' | 'part'>();
  for (const [name, field] of Object.entries({ ...integrationConfig, ...connectionConfig })) {
    configKinds.set(name, field.format === 'url' ? 'url' : 'part');
  }
  const baseUrlKinds = new Map(configKinds);

  if (m.connectionMode === 'oauth') {
    const auth = m.auth;
    urlTemplateProblems(auth.authorizationUrl, 'auth.authorizationUrl', configKinds, problem);
    urlTemplateProblems(auth.tokenUrl, 'auth.tokenUrl', configKinds, problem);
    if (auth.revocationUrl) urlTemplateProblems(auth.revocationUrl, 'auth.revocationUrl', configKinds, problem);
    if (auth.oidc) urlTemplateProblems(auth.oidc.issuer, 'auth.oidc.issuer', configKinds, problem);
    for (const name of Object.keys(auth.authorizationParams ?? {})) {
      if (RESERVED_AUTHORIZATION_PARAMS.has(name)) problem(`auth.authorizationParams.${name}`, 'is set by Patchbay during the flow and cannot be fixed here');
    }
    for (const name of auth.tokenResponseFields ?? []) {
      if (configKinds.has(name)) problem(`auth.tokenResponseFields`, `"${name}" is also a configuration field`);
      // A kept token field such as instance_url is usually a whole URL.
      baseUrlKinds.set(name, 'url');
    }
    if (auth.inject) placementProblems(auth.inject, 'auth.inject', new Set(['accessToken']), problem);
  } else {
    const auth = m.auth;
    fieldProblems(auth.fields, 'auth.fields', problem);
    if (auth.inject) placementProblems(auth.inject, 'auth.inject', new Set([...Object.keys(auth.fields), ...(auth.exchange?.values ?? [])]), problem);
    for (const name of auth.exchange?.values ?? []) {
      if (name in auth.fields) problem('auth.exchange.values', `"${name}" is also a credential field`);
    }
    if (auth.exchange && !auth.inject) problem('auth.exchange', 'needs auth.inject: the exchanged credential goes to the provider');
    if (m.connectionMode === 'basic' && auth.inject && auth.inject.in !== 'basic') {
      problem('auth.inject.in', 'must be basic for connectionMode basic');
    }
    if (!auth.inject && (m.capabilities.includes('proxy') || m.test)) {
      problem('auth.inject', 'is required when the connector calls the provider (say where the credential goes)');
    }
  }

  const baseUrls = m.baseUrls ?? {};
  for (const [environment, template] of Object.entries(baseUrls)) {
    urlTemplateProblems(template, `baseUrls.${environment}`, baseUrlKinds, problem);
  }
  if (Object.keys(baseUrls).length > 0 && !baseUrls.production) problem('baseUrls.production', 'is required when base URLs are given (the default environment)');
  if (!baseUrls.production && (m.capabilities.includes('proxy') || m.test)) {
    problem('baseUrls.production', 'is required when the connector calls the provider (proxy capability or a declarative test)');
  }
  for (const name of Object.keys(m.requestHeaders ?? {})) {
    if (FORBIDDEN_REQUEST_HEADERS.has(name.toLowerCase())) problem(`requestHeaders.${name}`, 'cannot be set here (credentials go in auth.inject)');
  }
  if (m.rateLimit !== undefined && !isRateLimit(m.rateLimit)) problem('rateLimit', 'must be at least 1 request per window, e.g. 100/minute');
  urlProblems(m.docsUrl, 'docsUrl', ['https:'], problem);
  if (m.test?.okWhen && !isPrimitive(m.test.okWhen.equals)) problem('test.okWhen.equals', 'must be a string, number, boolean or null');
  return problems;
}

function isPrimitive(value: unknown): boolean {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

type Report = (path: string, message: string) => void;

function iconProblems(icon: string, problem: Report): void {
  const svg = icon.trim();
  if (!/^<svg[\s>]/i.test(svg) || !/<\/svg>$/i.test(svg)) problem('icon', 'must be an inline SVG document: <svg …>…</svg>');
  if (/<script|<foreignObject|javascript:/i.test(svg)) problem('icon', 'must not contain scripts, foreignObject or javascript: URLs');
  if (/\son[a-z]+\s*=/i.test(svg)) problem('icon', 'must not contain event handler attributes (on…=)');
  if (/(?:xlink:)?href\s*=\s*["'](?!#)/i.test(svg)) problem('icon', 'must not reference external resources (href may only point inside the SVG)');
}

function fieldProblems(fields: Fields, at: string, problem: Report): void {
  for (const [name, field] of Object.entries(fields)) {
    if (field.pattern === undefined) continue;
    let pattern: RegExp;
    try {
      pattern = new RegExp(`^(?:${field.pattern})$`);
    } catch (err) {
      problem(`${at}.${name}.pattern`, `is not a valid regular expression (${(err as Error).message})`);
      continue;
    }
    if (field.default !== undefined && !pattern.test(field.default)) problem(`${at}.${name}.default`, 'does not match the field pattern');
  }
}

function placementProblems(placement: Placement, at: string, known: ReadonlySet<string>, problem: Report): void {
  const templates = placement.in === 'basic' ? [placement.username, placement.password] : placement.in === 'headers' ? Object.values(placement.headers) : [placement.format];
  const names = templates.flatMap(placeholders);
  if (names.length === 0) problem(at, `must use the credential through a placeholder such as {${[...known][0] ?? 'apiKey'}}`);
  for (const name of names) {
    if (!known.has(name)) problem(at, `{${name}} is not a credential value; use one of ${[...known].map((k) => `{${k}}`).join(', ')}`);
  }
  if (placement.in === 'header' && FORBIDDEN_REQUEST_HEADERS.has(placement.name.toLowerCase()) && placement.name.toLowerCase() !== 'authorization') {
    problem(`${at}.name`, `"${placement.name}" cannot carry a credential`);
  }
  if (placement.in === 'headers') {
    for (const name of Object.keys(placement.headers)) {
      if (FORBIDDEN_REQUEST_HEADERS.has(name.toLowerCase()) && name.toLowerCase() !== 'authorization') problem(`${at}.headers.${name}`, `"${name}" cannot carry a credential`);
    }
  }
}

function urlTemplateProblems(template: string, at: string, known: ReadonlyMap<string, 'url' | 'part'>, problem: Report): void {
  const names = placeholders(template);
  for (const name of names) {
    if (!known.has(name)) {
      problem(at, `{${name}} is not a configuration field; declare it in connectionConfig or integrationConfig`);
      return;
    }
  }
  const leading = template.startsWith('{') ? names[0] : undefined;
  if (leading !== undefined && known.get(leading) !== 'url') {
    problem(at, `starts with {${leading}}, so that field must hold a whole URL (format: url)`);
    return;
  }
  const sample = template.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string, offset: number) =>
    offset === 0 && name === leading ? 'https://example.com' : 'x',
  );
  urlProblems(sample, at, ['https:'], (_, message) => problem(at, message.replace(sample, template)));
}

function urlProblems(value: string, at: string, protocols: string[], problem: Report): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problem(at, `"${value}" is not a valid URL`);
    return;
  }
  if (!protocols.includes(url.protocol)) problem(at, `must use ${protocols.map((p) => p.replace(':', '')).join(' or ')}`);
  if (url.username || url.password) problem(at, 'must not carry credentials');
}

function withDefaults(m: ManifestInput): ConnectorManifest {
  const common = {
    ...m,
    connectionConfig: m.connectionConfig ?? {},
    integrationConfig: m.integrationConfig ?? {},
    baseUrls: m.baseUrls ?? {},
    requestHeaders: m.requestHeaders ?? {},
    uiEmbeds: m.uiEmbeds ?? [],
  };
  if (m.connectionMode === 'oauth') {
    const auth: ResolvedOAuthSettings = {
      ...m.auth,
      scopeSeparator: m.auth.scopeSeparator ?? ' ',
      pkce: m.auth.pkce ?? true,
      authorizationParams: m.auth.authorizationParams ?? {},
      tokenResponseFields: m.auth.tokenResponseFields ?? [],
      tokenEndpointAuthMethod: m.auth.tokenEndpointAuthMethod ?? 'client_secret_basic',
      clientCredentials: m.auth.clientCredentials ?? false,
      inject: m.auth.inject ?? { in: 'header', name: 'Authorization', format: 'Bearer {accessToken}' },
    };
    return { ...common, connectionMode: 'oauth', auth };
  }
  return { ...common, connectionMode: m.connectionMode, auth: m.auth };
}
