/**
 * Authorization state: one row per authorization in flight, single use, expiring after ten
 * minutes. The `state` parameter itself is never stored (only its SHA-256); the PKCE verifier and
 * the OIDC nonce are sealed with AES-256-GCM under a key derived from the state, so they can be
 * opened only by the request that brings the state back. A cookie set on the browser that
 * started the flow must come back with it (`bindingHash`): a link to the provider forwarded to
 * someone else cannot attach their account to this end customer.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { and, eq, lte } from 'drizzle-orm';
import { constantTimeEqual, randomToken, sha256Hex, type Clock } from '../../core/index.ts';
import type { Db } from '../../db/index.ts';
import { oauthStates, type OAuthStateRow } from './schema.ts';

export const STATE_TTL_MS = 10 * 60_000;

export interface StateSecrets {
  codeVerifier?: string;
  nonce?: string;
  /** Secret connection configuration fields entered before the flow. */
  configSecrets?: Record<string, string>;
}

export interface StateInput {
  organizationId: string;
  environmentId: string;
  integrationId: string;
  connectionId: string;
  reauthorize: boolean;
  endCustomerId: string;
  connectionConfig: Record<string, string>;
  tags: string[];
  connectSessionId?: string | null | undefined;
  userId?: string | null | undefined;
  secrets: StateSecrets;
}

export interface StartedState {
  /** Goes to the provider as `state`. */
  state: string;
  /** Goes to the browser as the cookie `cookieName`. */
  binding: string;
  cookieName: string;
  expiresAt: Date;
}

const stateId = (state: string): string => sha256Hex(`patchbay/oauth-state/1\0${state}`);
const stateKey = (state: string): Buffer => createHash('sha256').update(`patchbay/oauth-state-key/1\0${state}`).digest();

/** A cookie name per flow, so two flows in one browser (two popups) do not overwrite each other. */
export const stateCookieName = (state: string): string => `pb_oauth_${stateId(state).slice(0, 16)}`;

function seal(state: string, id: string, secrets: StateSecrets): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', stateKey(state), iv);
  cipher.setAAD(Buffer.from(id));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(secrets), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, ciphertext, cipher.getAuthTag()]);
}

function open(state: string, id: string, sealed: Buffer): StateSecrets {
  const decipher = createDecipheriv('aes-256-gcm', stateKey(state), sealed.subarray(0, 12));
  decipher.setAAD(Buffer.from(id));
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  const plaintext = Buffer.concat([decipher.update(sealed.subarray(12, sealed.length - 16)), decipher.final()]);
  return JSON.parse(plaintext.toString('utf8')) as StateSecrets;
}

export async function createAuthorizationState(tx: Db, clock: Clock, input: StateInput): Promise<StartedState> {
  const state = randomToken(32);
  const binding = randomToken(24);
  const id = stateId(state);
  const now = clock.now();
  const expiresAt = new Date(now.getTime() + STATE_TTL_MS);
  await tx.insert(oauthStates).values({
    id,
    organizationId: input.organizationId,
    environmentId: input.environmentId,
    integrationId: input.integrationId,
    connectionId: input.connectionId,
    reauthorize: input.reauthorize,
    endCustomerId: input.endCustomerId,
    connectionConfig: input.connectionConfig,
    tags: input.tags,
    connectSessionId: input.connectSessionId ?? null,
    userId: input.userId ?? null,
    bindingHash: sha256Hex(binding),
    sealed: seal(state, id, input.secrets),
    expiresAt,
    createdAt: now,
  });
  return { state, binding, cookieName: stateCookieName(state), expiresAt };
}

export type ConsumedState =
  | { ok: true; row: OAuthStateRow; secrets: StateSecrets }
  | { ok: false; reason: 'unknown' | 'expired' | 'other-browser'; row?: OAuthStateRow };

/**
 * Takes a state out of the store (it can be used once, whatever happens next) and checks its
 * expiry and its browser binding.
 */
export async function consumeAuthorizationState(db: Db, clock: Clock, state: string, binding: string | undefined): Promise<ConsumedState> {
  const id = stateId(state);
  const [row] = await db.delete(oauthStates).where(eq(oauthStates.id, id)).returning();
  if (!row) return { ok: false, reason: 'unknown' };
  if (row.expiresAt.getTime() <= clock.now().getTime()) return { ok: false, reason: 'expired', row };
  if (!binding || !constantTimeEqual(sha256Hex(binding), row.bindingHash)) return { ok: false, reason: 'other-browser', row };
  try {
    return { ok: true, row, secrets: open(state, id, row.sealed) };
  } catch {
    return { ok: false, reason: 'unknown' };
  }
}

export async function deleteStatesOf(tx: Db, scope: { organizationId: string; environmentId: string }, endCustomerId: string): Promise<number> {
  const removed = await tx
    .delete(oauthStates)
    .where(and(eq(oauthStates.organizationId, scope.organizationId), eq(oauthStates.environmentId, scope.environmentId), eq(oauthStates.endCustomerId, endCustomerId)))
    .returning({ id: oauthStates.id });
  return removed.length;
}

export async function deleteExpiredStates(db: Db, clock: Clock): Promise<number> {
  const removed = await db.delete(oauthStates).where(lte(oauthStates.expiresAt, clock.now())).returning({ id: oauthStates.id });
  return removed.length;
}
