/**
 * Endpoints: where an environment's messages go. The URL passes the SSRF guard when it is set
 * (and again at every connection, in the delivery pool); the signing keys live in the vault
 * (owner `endpoint`, name `signingKeys`), so master-key rotation re-wraps them with the rest.
 */
import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import { assertPublicUrl, newId, problems, SsrfError, type Clock, type FieldError } from '../../core/index.ts';
import type { Db } from '../../db/index.ts';
import { findEnvironment, type Environment } from '../../auth/index.ts';
import { publish } from '../../events/index.ts';
import type { Vault } from '../../credentials/index.ts';
import { assertFilter, type PayloadFilter } from './filter.ts';
import { EVENT_TYPE_NAME } from './event-types.ts';
import { maxRetries, MAX_RETRIES } from './retry.ts';
import { attempts, deliveries, endpoints, endpointState, type EndpointKind, type EndpointRow, type RetryConfig, type SignatureType } from './schema.ts';
import { generateSigningKey, secretProblem, type SigningKey, type SigningKeys } from './signing.ts';
import type { OutboundSettings } from './settings.ts';
import type { Scope } from './scope.ts';

export const SECRET_NAME = 'signingKeys';
export const DEFAULT_GRACE_HOURS = 24;
const MAX_HEADERS = 20;
const RESERVED_HEADERS = /^(host|content-length|content-type|transfer-encoding|connection|keep-alive|upgrade|te|trailer|expect|user-agent|webhook-.*)$/i;
const SENSITIVE_HEADER = /authorization|cookie|token|secret|key|signature|pass/i;

export interface EndpointDeps {
  vault: Vault;
  clock: Clock;
  settings: Pick<OutboundSettings, 'resolve' | 'loopGuard'>;
}

export interface EndpointInput {
  url: string;
  description?: string | undefined;
  eventTypes?: string[] | null | undefined;
  channels?: string[] | null | undefined;
  filter?: PayloadFilter | null | undefined;
  headers?: Record<string, string> | undefined;
  signatureType?: SignatureType | undefined;
  /** A caller-chosen `whsec_` secret (v1 only); generated when absent. */
  secret?: string | undefined;
  timeoutMs?: number | undefined;
  rateLimit?: number | null | undefined;
  maxConcurrency?: number | undefined;
  fifo?: boolean | undefined;
  retryConfig?: RetryConfig | undefined;
  enabled?: boolean | undefined;
}

export type EndpointPatch = Partial<Omit<EndpointInput, 'secret' | 'signatureType'>>;

/** Header values that look like credentials are masked in every answer. */
export function maskHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, SENSITIVE_HEADER.test(k) ? '[redacted]' : v]));
}

async function environmentOf(db: Db, scope: Scope): Promise<Environment> {
  const env = await findEnvironment(db, scope.organizationId, scope.environmentId);
  if (!env) throw problems.notFound('Environment', scope.environmentId);
  return env;
}

/**
 * Refuses a URL an endpoint may not use: not http(s), credentials in it, plain http outside a
 * development environment, one of this hub's own inbound URLs (a loop), or an address the SSRF
 * guard refuses.
 */
export async function checkEndpointUrl(url: string, env: Environment, settings: Pick<OutboundSettings, 'resolve' | 'loopGuard'>, db?: Db): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw problems.validation([{ field: '/url', message: 'is not a valid URL' }]);
  }
  if (parsed.username || parsed.password) throw problems.validation([{ field: '/url', message: 'must not carry credentials; use custom headers' }]);
  const relaxed = env.name === 'dev' || env.allowPrivateNetworks;
  if (parsed.protocol === 'http:' && !relaxed) {
    throw problems.unprocessable(`Endpoints in ${env.name} must use https.`, [{ field: '/url', message: 'must use https' }]);
  }
  const loop = db && settings.loopGuard ? await settings.loopGuard(parsed, db) : undefined;
  if (loop) throw problems.unprocessable(loop, [{ field: '/url', message: 'is an inbound URL of this hub' }]);
  try {
    await assertPublicUrl(parsed, { allowPrivateNetworks: env.allowPrivateNetworks, ...(settings.resolve ? { resolve: settings.resolve } : {}) });
  } catch (err) {
    if (err instanceof SsrfError) throw problems.unprocessable(err.message, [{ field: '/url', message: `refused: ${err.reason}` }]);
    throw err;
  }
}

function checkFields(input: EndpointPatch): void {
  const errors: FieldError[] = [];
  for (const name of input.eventTypes ?? []) {
    const bare = name.endsWith('.*') ? name.slice(0, -2) : name;
    if (!EVENT_TYPE_NAME.test(bare)) errors.push({ field: '/eventTypes', message: `${name} is not an event type name (a trailing .* matches a prefix)` });
  }
  for (const [name, value] of Object.entries(input.headers ?? {})) {
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/.test(name)) errors.push({ field: `/headers/${name}`, message: 'is not a header name' });
    else if (RESERVED_HEADERS.test(name)) errors.push({ field: `/headers/${name}`, message: 'is set by Patchbay and cannot be overridden' });
    if (/[\r\n\0]/.test(value) || value.length > 2_000) errors.push({ field: `/headers/${name}`, message: 'must be one line of at most 2000 characters' });
  }
  if (Object.keys(input.headers ?? {}).length > MAX_HEADERS) errors.push({ field: '/headers', message: `at most ${MAX_HEADERS} headers` });
  const retry = input.retryConfig;
  if (retry) {
    if (retry.backoffStrategy === 'explicit' && !retry.schedule?.length) errors.push({ field: '/retryConfig/schedule', message: 'is required for the explicit strategy' });
    if ((retry.backoffStrategy === 'linear' || retry.backoffStrategy === 'exponential') && retry.retryDelay === undefined) {
      errors.push({ field: '/retryConfig/retryDelay', message: `is required for the ${retry.backoffStrategy} strategy` });
    }
    if (maxRetries(retry) > MAX_RETRIES) errors.push({ field: '/retryConfig/maxRetries', message: `at most ${MAX_RETRIES}` });
  }
  if (errors.length > 0) throw problems.validation(errors);
  if (input.filter) assertFilter(input.filter);
}

const where = (scope: Scope, id: string) => and(eq(endpoints.organizationId, scope.organizationId), eq(endpoints.environmentId, scope.environmentId), eq(endpoints.id, id));

export async function getEndpoint(db: Db, scope: Scope, id: string): Promise<EndpointRow> {
  const [row] = await db.select().from(endpoints).where(where(scope, id));
  if (!row) throw problems.notFound('Endpoint', id);
  return row;
}

export async function listEndpoints(db: Db, scope: Scope, options: { limit: number; after?: string | undefined; kind?: EndpointKind }): Promise<EndpointRow[]> {
  const conditions = [eq(endpoints.organizationId, scope.organizationId), eq(endpoints.environmentId, scope.environmentId), eq(endpoints.kind, options.kind ?? 'http')];
  if (options.after) conditions.push(gt(endpoints.id, options.after));
  return db.select().from(endpoints).where(and(...conditions)).orderBy(asc(endpoints.id)).limit(options.limit);
}

/** Creates an endpoint and seals its signing key, in the caller's transaction. */
export async function createEndpoint(tx: Db, deps: EndpointDeps, scope: Scope, input: EndpointInput, kind: EndpointKind = 'http'): Promise<EndpointRow> {
  checkFields(input);
  const signatureType = input.signatureType ?? 'v1';
  if (input.secret !== undefined) {
    if (signatureType !== 'v1') throw problems.validation([{ field: '/secret', message: 'can only be chosen for v1 (v1a keys are generated)' }]);
    const problem = secretProblem(input.secret);
    if (problem) throw problems.validation([{ field: '/secret', message: problem }]);
  }
  if (kind === 'http') await checkEndpointUrl(input.url, await environmentOf(tx, scope), deps.settings, tx);
  const id = newId('ep');
  const key: SigningKey = input.secret ? { type: 'v1', secret: input.secret } : generateSigningKey(signatureType);
  const keys: SigningKeys = { current: key, previous: [] };
  const secretId = await deps.vault.seal(tx, { ...scope, ownerType: 'endpoint', ownerId: id, name: SECRET_NAME, value: keys as unknown as object });
  const now = deps.clock.now();
  const [row] = await tx
    .insert(endpoints)
    .values({
      id,
      ...scope,
      kind,
      url: input.url,
      description: input.description ?? '',
      eventTypes: input.eventTypes?.length ? input.eventTypes : null,
      channels: input.channels?.length ? input.channels : null,
      filter: input.filter ?? null,
      headers: input.headers ?? {},
      signatureType,
      secretId,
      timeoutMs: input.timeoutMs ?? 10_000,
      rateLimit: input.rateLimit ?? null,
      maxConcurrency: input.maxConcurrency ?? 20,
      fifo: input.fifo ?? false,
      retryConfig: input.retryConfig ?? { backoffStrategy: 'default' },
      enabled: input.enabled ?? true,
      disabledReason: input.enabled === false ? 'disabled by a user' : null,
      disabledAt: input.enabled === false ? now : null,
      streamSeenAt: kind === 'stream' ? now : null,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  await tx.insert(endpointState).values({ endpointId: id });
  return row!;
}

/** Changes an endpoint. Enabling clears the failure streak; disabling dead-letters what is pending. */
export async function updateEndpoint(tx: Db, deps: EndpointDeps, scope: Scope, id: string, patch: EndpointPatch): Promise<EndpointRow> {
  const existing = await getEndpoint(tx, scope, id);
  checkFields(patch);
  if (patch.url !== undefined && patch.url !== existing.url) await checkEndpointUrl(patch.url, await environmentOf(tx, scope), deps.settings, tx);
  const now = deps.clock.now();
  const values: Partial<EndpointRow> = { updatedAt: now };
  if (patch.url !== undefined) values.url = patch.url;
  if (patch.description !== undefined) values.description = patch.description;
  if (patch.eventTypes !== undefined) values.eventTypes = patch.eventTypes?.length ? patch.eventTypes : null;
  if (patch.channels !== undefined) values.channels = patch.channels?.length ? patch.channels : null;
  if (patch.filter !== undefined) values.filter = patch.filter;
  if (patch.headers !== undefined) values.headers = patch.headers;
  if (patch.timeoutMs !== undefined) values.timeoutMs = patch.timeoutMs;
  if (patch.rateLimit !== undefined) values.rateLimit = patch.rateLimit;
  if (patch.maxConcurrency !== undefined) values.maxConcurrency = patch.maxConcurrency;
  if (patch.fifo !== undefined && patch.fifo !== existing.fifo) {
    values.fifo = patch.fifo;
    // Deliveries carry the setting (see the FIFO index): the ones still open follow the endpoint.
    await tx.update(deliveries).set({ fifo: patch.fifo }).where(and(eq(deliveries.endpointId, id), inArray(deliveries.state, ['pending', 'delivering'])));
  }
  if (patch.retryConfig !== undefined) values.retryConfig = patch.retryConfig;
  if (patch.enabled === true && !existing.enabled) {
    Object.assign(values, { enabled: true, disabledReason: null, disabledAt: null });
    await tx.update(endpointState).set({ failingSince: null, pausedUntil: null }).where(eq(endpointState.endpointId, id));
  }
  const [row] = await tx.update(endpoints).set(values).where(where(scope, id)).returning();
  if (patch.enabled === false && existing.enabled) return (await disableEndpoints(tx, deps.clock, [{ id, reason: 'disabled by a user' }], { emit: false }))[0] ?? row!;
  return row!;
}

/** Deletes an endpoint with its delivery history and its signing keys. */
export async function deleteEndpoint(tx: Db, vault: Vault, scope: Scope, id: string): Promise<EndpointRow> {
  const existing = await getEndpoint(tx, scope, id);
  await tx.delete(attempts).where(eq(attempts.endpointId, id));
  await tx.delete(deliveries).where(eq(deliveries.endpointId, id));
  await tx.delete(endpointState).where(eq(endpointState.endpointId, id));
  await tx.delete(endpoints).where(where(scope, id));
  await vault.remove(tx, scope, { ownerType: 'endpoint', ownerId: id });
  return existing;
}

/**
 * Disables endpoints that are enabled, dead-letters their pending deliveries and (unless
 * `emit: false`) publishes `endpoint.disabled` for each, all in the caller's transaction.
 * Returns the endpoints it disabled.
 */
export async function disableEndpoints(
  tx: Db,
  clock: Clock,
  targets: { id: string; reason: string; failingSince?: Date | null }[],
  options: { emit?: boolean } = {},
): Promise<EndpointRow[]> {
  const now = clock.now();
  const disabled: EndpointRow[] = [];
  for (const target of targets) {
    const [row] = await tx
      .update(endpoints)
      .set({ enabled: false, disabledReason: target.reason, disabledAt: now, updatedAt: now })
      .where(and(eq(endpoints.id, target.id), eq(endpoints.enabled, true)))
      .returning();
    if (!row) continue;
    disabled.push(row);
    await tx
      .update(deliveries)
      .set({ state: 'failed', nextAttemptAt: null, lastError: `endpoint disabled: ${target.reason}`, updatedAt: now })
      .where(and(eq(deliveries.endpointId, row.id), eq(deliveries.state, 'pending')));
    if (options.emit === false || row.kind !== 'http') continue;
    await publish(tx, {
      organizationId: row.organizationId,
      environmentId: row.environmentId,
      type: 'endpoint.disabled',
      data: { endpointId: row.id, url: row.url, reason: target.reason, failingSince: target.failingSince?.toISOString() ?? null },
      occurredAt: now,
      origin: 'system',
    });
  }
  return disabled;
}

export async function openSigningKeys(db: Db, vault: Vault, endpoint: Pick<EndpointRow, 'organizationId' | 'environmentId' | 'secretId'>): Promise<SigningKeys> {
  return vault.open<SigningKeys & object>(db, { organizationId: endpoint.organizationId, environmentId: endpoint.environmentId }, endpoint.secretId);
}

/** What `GET /endpoints/{id}/secret` reveals: the v1 secret, or the v1a public key (never the private key). */
export async function revealSecret(db: Db, vault: Vault, scope: Scope, id: string): Promise<{ signatureType: SignatureType; secret: string | null; publicKey: string | null }> {
  const endpoint = await getEndpoint(db, scope, id);
  const { current } = await openSigningKeys(db, vault, endpoint);
  return current.type === 'v1' ? { signatureType: 'v1', secret: current.secret, publicKey: null } : { signatureType: 'v1a', secret: null, publicKey: current.publicKey ?? null };
}

export interface RotateInput {
  /** A caller-chosen `whsec_` secret (v1); generated when absent. */
  secret?: string | undefined;
  /** Switch the signature type with the rotation. */
  signatureType?: SignatureType | undefined;
  /** How long the old key keeps signing too (both signatures are sent). Default 24 h; 0 ends it now. */
  gracePeriodHours?: number | undefined;
}

/** Rotates the signing key: a new current key, the old one kept signing through the grace period. */
export async function rotateSecret(tx: Db, deps: EndpointDeps, scope: Scope, id: string, input: RotateInput): Promise<{ endpoint: EndpointRow; previousExpiresAt: Date | null }> {
  const endpoint = await getEndpoint(tx, scope, id);
  const type = input.signatureType ?? endpoint.signatureType;
  if (input.secret !== undefined) {
    const problem = type === 'v1' ? secretProblem(input.secret) : 'can only be chosen for v1 (v1a keys are generated)';
    if (problem) throw problems.validation([{ field: '/secret', message: problem }]);
  }
  const now = deps.clock.now();
  const keys = await openSigningKeys(tx, deps.vault, endpoint);
  const graceMs = (input.gracePeriodHours ?? DEFAULT_GRACE_HOURS) * 3_600_000;
  const expiresAt = new Date(now.getTime() + graceMs);
  const previous = keys.previous.filter((k) => Date.parse(k.expiresAt) > now.getTime());
  if (graceMs > 0) previous.unshift({ ...keys.current, expiresAt: expiresAt.toISOString() });
  const next: SigningKeys = { current: input.secret ? { type: 'v1', secret: input.secret } : generateSigningKey(type), previous };
  await deps.vault.replace(tx, scope, endpoint.secretId, next as unknown as object);
  const [row] = await tx
    .update(endpoints)
    .set({ signatureType: type, secretVersion: sql`${endpoints.secretVersion} + 1`, updatedAt: now })
    .where(where(scope, id))
    .returning();
  return { endpoint: row!, previousExpiresAt: graceMs > 0 ? expiresAt : null };
}

/** Endpoints by id within one scope (for operations that take a list). */
export async function endpointsById(db: Db, scope: Scope, ids: string[]): Promise<EndpointRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(endpoints)
    .where(and(eq(endpoints.organizationId, scope.organizationId), eq(endpoints.environmentId, scope.environmentId), inArray(endpoints.id, ids)));
}
