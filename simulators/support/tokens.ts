/**
 * Short-lived tokens a simulator issues in exchange for a stored credential (PayPal's client
 * credentials grant, Docker Hub's token for a personal access token). They carry no state: a token
 * is the credential it was issued for and its expiry, sealed with the simulator's key, so the
 * credential reader maps a live token back to that credential — and the controls that refuse a
 * credential (`control.credentials`) refuse its tokens too.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CredentialReader } from './kit.ts';

export interface IssuedTokens {
  /** A token for `credential` (as the reader reads it), good for `ttlSeconds`. */
  issue(credential: string, ttlSeconds: number): string;
  /** The credential a live token was issued for; undefined for a forged, foreign or expired one. */
  read(token: string): string | undefined;
  /** A credential reader: the bearer token (with this scheme) mapped back to its credential. */
  reader(scheme?: string): CredentialReader;
}

/**
 * `prefix` starts every token (PayPal's `A21AA`); with `jwt`, tokens are HS256 JWTs whose `exp`
 * (seconds) a client may read, as Docker Hub's are.
 */
export function issuedTokens(options: { prefix?: string; jwt?: boolean; key?: string }): IssuedTokens {
  const prefix = options.jwt ? `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')}.` : (options.prefix ?? '');
  const key = options.key ?? `patchbay-simulator-${prefix}`;
  const seal = (payload: string): string => createHmac('sha256', key).update(prefix + payload).digest('base64url');
  const tokens: IssuedTokens = {
    issue(credential, ttlSeconds) {
      const payload = Buffer.from(JSON.stringify({ sub: credential, exp: Math.floor(Date.now() / 1000) + ttlSeconds })).toString('base64url');
      return `${prefix}${payload}.${seal(payload)}`;
    },
    read(token) {
      if (!token.startsWith(prefix)) return undefined;
      const [payload = '', mac = ''] = token.slice(prefix.length).split('.');
      const expected = Buffer.from(seal(payload));
      if (Buffer.from(mac).length !== expected.length || !timingSafeEqual(Buffer.from(mac), expected)) return undefined;
      try {
        const { sub, exp } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub: string; exp: number };
        return exp * 1000 > Date.now() ? sub : undefined;
      } catch {
        return undefined;
      }
    },
    reader(scheme = 'Bearer') {
      return (req) => {
        const match = new RegExp(`^${scheme}\\s+(\\S+)$`, 'i').exec(String(req.headers.authorization ?? ''));
        return match ? tokens.read(match[1]!) : undefined;
      };
    },
  };
  return tokens;
}
