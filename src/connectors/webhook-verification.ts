/**
 * Building blocks for verifying providers' webhook signatures: one HMAC helper, a constant-time
 * comparison against every candidate (several secrets during a rotation, several signatures in
 * one header), timestamp tolerance, and the header formats providers share. Connector files and
 * the generic source verifier both use these, so every scheme compares the same careful way.
 */
import { createHmac, createPublicKey, verify as verifySignature } from 'node:crypto';
import { constantTimeEqual } from '../core/index.ts';
import type { InboundWebhookRequest, VerifyResult } from './extensions.ts';
import { pickJsonField } from './json-pick.ts';

export type HmacAlgorithm = 'sha1' | 'sha256' | 'sha512';
export type DigestEncoding = 'hex' | 'base64';

export const DEFAULT_TOLERANCE_SECONDS = 300;

export const verified: VerifyResult = Object.freeze({ ok: true });
export const refused = (reason: string): VerifyResult => ({ ok: false, reason });

/** HMAC of the parts, concatenated, as bytes. */
export function hmac(algorithm: HmacAlgorithm, key: string | Buffer, ...parts: (string | Buffer)[]): Buffer {
  const mac = createHmac(algorithm, key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/**
 * True when any expected value equals any received one. Every pair is compared in constant time
 * and every pair is compared (no early exit), so timing says nothing about which matched.
 */
export function matchesAny(expected: readonly (string | Buffer)[], received: readonly (string | undefined)[]): boolean {
  let match = false;
  for (const want of expected) {
    for (const got of received) {
      if (got === undefined || got === '') continue;
      if (constantTimeEqual(Buffer.from(got), typeof want === 'string' ? Buffer.from(want) : want)) match = true;
    }
  }
  return match;
}

/**
 * Checks a provider timestamp: `undefined` when within `toleranceSeconds` of `now` (either way),
 * otherwise the reason. `unit` says how the provider writes it.
 */
export function withinTolerance(raw: string | undefined, now: Date, toleranceSeconds: number, unit: 'seconds' | 'milliseconds' | 'iso' = 'seconds'): string | undefined {
  if (raw === undefined || raw.trim() === '') return 'the timestamp is missing';
  let ms: number;
  if (unit === 'iso') ms = Date.parse(raw);
  else if (/^\d{1,16}$/.test(raw.trim())) ms = Number(raw) * (unit === 'seconds' ? 1000 : 1);
  else ms = Number.NaN;
  if (!Number.isFinite(ms)) return 'the timestamp is not valid';
  if (Math.abs(now.getTime() - ms) > toleranceSeconds * 1000) return 'the timestamp is outside the tolerance (stale or from the future)';
  return undefined;
}

/**
 * Parses `t=123,v1=abc,v1=def` (Stripe) or `ts=123;h1=abc` (Paddle) into lists per key.
 * @example parseSignatureHeader('t=1,v1=a,v1=b').get('v1') // ['a', 'b']
 */
export function parseSignatureHeader(value: string | undefined, separator = ','): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of (value ?? '').split(separator)) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const key = part.slice(0, eq).trim();
    const list = out.get(key) ?? [];
    list.push(part.slice(eq + 1).trim());
    out.set(key, list);
  }
  return out;
}

/** The body as JSON, or undefined when it is not JSON. */
export function parseJsonBody(request: Pick<InboundWebhookRequest, 'rawBody'>): unknown {
  if (request.rawBody.length === 0) return undefined;
  try {
    return JSON.parse(request.rawBody.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * A string or number at a dotted path of a JSON body, read without parsing the rest of it: what
 * an event id or a handshake check should use, since they run before the request is answered.
 */
export function bodyField(request: Pick<InboundWebhookRequest, 'rawBody'>, path: string): string | undefined {
  return pickJsonField(request.rawBody, path);
}

/** A string or number at a dotted path of a parsed body, as a string (`jsonField(body, 'event.id')`). */
export function jsonField(value: unknown, path: string): string | undefined {
  let current = value;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  if (typeof current === 'string' && current !== '') return current;
  if (typeof current === 'number' && Number.isFinite(current)) return String(current);
  return undefined;
}

/**
 * Standard Webhooks (https://www.standardwebhooks.com), also what Svix signs with (`svix-*`
 * headers): `v1,<base64 HMAC-SHA256(id.timestamp.body)>` keyed by the base64 secret after
 * `whsec_`, and `v1a,<base64 ed25519 signature>` checked against a `whpk_` public key;
 * several space-separated signatures may be sent.
 */
export function verifyStandardWebhook(request: InboundWebhookRequest, secrets: readonly string[], toleranceSeconds: number): VerifyResult {
  const prefix = request.headers['webhook-id'] !== undefined ? 'webhook' : 'svix';
  const id = request.headers[`${prefix}-id`];
  const timestamp = request.headers[`${prefix}-timestamp`];
  const header = request.headers[`${prefix}-signature`];
  if (!id || !timestamp || !header) return refused(`the ${prefix}-id, ${prefix}-timestamp and ${prefix}-signature headers are required`);
  const stale = withinTolerance(timestamp, request.receivedAt, toleranceSeconds);
  if (stale) return refused(stale);
  const prefixBytes = `${id}.${timestamp}.`;
  const signatures = header.split(' ').map((s) => s.trim()).filter(Boolean);
  const v1 = signatures.filter((s) => s.startsWith('v1,')).map((s) => s.slice(3));
  const v1a = signatures.filter((s) => s.startsWith('v1a,')).map((s) => s.slice(4));
  const hmacs = secrets.filter((s) => !s.startsWith('whpk_')).map((s) => hmac('sha256', Buffer.from(s.replace(/^whsec_/, ''), 'base64'), prefixBytes, request.rawBody).toString('base64'));
  let ok = matchesAny(hmacs, v1);
  // Ed25519 signs the content in one piece: it is put together only for a public key.
  const publicKeys = secrets.filter((s) => s.startsWith('whpk_'));
  const content = publicKeys.length > 0 && v1a.length > 0 ? Buffer.concat([Buffer.from(prefixBytes), request.rawBody]) : undefined;
  for (const key of content ? publicKeys : []) {
    for (const signature of v1a) if (ed25519(key, content!, signature)) ok = true;
  }
  return ok ? verified : refused('no signature matches');
}

function ed25519(publicKey: string, content: Buffer, signature: string): boolean {
  try {
    const raw = Buffer.from(publicKey.slice('whpk_'.length), 'base64');
    // A raw 32-byte ed25519 key wrapped in its SPKI prefix.
    const key = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]), format: 'der', type: 'spki' });
    return verifySignature(null, content, key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
