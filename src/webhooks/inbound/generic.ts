/**
 * Verification of a generic source (a sender with no preset): an HMAC with a configurable header,
 * algorithm, encoding, prefix and signed-content template; basic auth; or a static bearer or
 * API-key header. And the IP allow-list every source may add.
 */
import { hmac, matchesAny, refused, verified, withinTolerance, type InboundWebhookRequest, type VerifyResult } from '../../connectors/index.ts';
import { inPrefix, parseIp } from '../../core/index.ts';
import type { GenericVerification } from './schema.ts';

/**
 * The signed content of an HMAC source: `{body}` is the raw body, `{timestamp}` the timestamp
 * header's value, `{id}` the event id header's, `{method}` and `{url}` the request's.
 * @example '{timestamp}.{body}' (Stripe-like), '{id}.{timestamp}.{body}' (Standard Webhooks-like)
 */
export const TEMPLATE_PLACEHOLDERS = ['body', 'timestamp', 'method', 'url'] as const;

function signedContent(template: string, request: InboundWebhookRequest, timestamp: string | undefined): Buffer[] {
  const parts: Buffer[] = [];
  let rest = template;
  for (;;) {
    const match = /\{(body|timestamp|method|url)\}/.exec(rest);
    if (!match) break;
    parts.push(Buffer.from(rest.slice(0, match.index)));
    const name = match[1];
    parts.push(name === 'body' ? request.rawBody : Buffer.from(name === 'timestamp' ? (timestamp ?? '') : name === 'method' ? request.method : request.url));
    rest = rest.slice(match.index + match[0].length);
  }
  parts.push(Buffer.from(rest));
  return parts;
}

export function verifyGeneric(config: GenericVerification, request: InboundWebhookRequest, secrets: readonly string[], toleranceSeconds: number): VerifyResult {
  switch (config.type) {
    case 'none':
      return verified;
    case 'hmac': {
      const header = request.headers[config.header.toLowerCase()];
      if (!header) return refused(`the ${config.header} header is missing`);
      let timestamp: string | undefined;
      if (config.timestampHeader) {
        timestamp = request.headers[config.timestampHeader.toLowerCase()];
        const stale = withinTolerance(timestamp, request.receivedAt, toleranceSeconds, config.timestampUnit ?? 'seconds');
        if (stale) return refused(stale);
      }
      const parts = signedContent(config.template ?? '{body}', request, timestamp);
      const prefix = config.prefix ?? '';
      const expected = secrets.map((secret) => prefix + hmac(config.algorithm, secret, ...parts).toString(config.encoding));
      // Several signatures may come in one header, comma- or space-separated.
      const received = [header, ...header.split(/[ ,]+/)];
      const hexCase = config.encoding === 'hex' ? received.map((r) => r.toLowerCase()) : received;
      return matchesAny(expected, hexCase) ? verified : refused('the signature does not match');
    }
    case 'basic': {
      const header = request.headers.authorization;
      const match = header ? /^Basic\s+(\S+)$/i.exec(header) : null;
      if (!match) return refused('basic authorization is missing');
      const expected = secrets.map((password) => Buffer.from(`${config.username}:${password}`).toString('base64'));
      return matchesAny(expected, [match[1]]) ? verified : refused('the credentials do not match');
    }
    case 'header': {
      const name = config.header.toLowerCase();
      const value = request.headers[name];
      if (!value) return refused(`the ${config.header} header is missing`);
      const expected = secrets.map((secret) => (config.scheme ? `${config.scheme} ${secret}` : secret));
      return matchesAny(expected, [value]) ? verified : refused(`the ${config.header} header does not match`);
    }
  }
}

/** Parses `10.0.0.0/8`, `2001:db8::/32` or a single address into a matcher. */
export function parseCidr(text: string): { version: 4 | 6; bytes: Uint8Array; bits: number } | undefined {
  const [address, bitsText] = text.trim().split('/');
  const ip = parseIp(address ?? '');
  if (!ip || (bitsText !== undefined && !/^\d{1,3}$/.test(bitsText))) return undefined;
  const max = ip.version === 4 ? 32 : 128;
  const bits = bitsText === undefined ? max : Number(bitsText);
  if (bits > max) return undefined;
  return { version: ip.version, bytes: ip.bytes, bits };
}

/** True when `address` is in one of `allowed` (an empty list allows every address). */
export function ipAllowed(address: string | undefined, allowed: readonly string[]): boolean {
  if (allowed.length === 0) return true;
  if (!address) return false;
  let ip = parseIp(address);
  // An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d.
  if (ip?.version === 6 && ip.bytes.subarray(0, 12).every((b, i) => b === (i < 10 ? 0 : 0xff))) ip = { version: 4, bytes: ip.bytes.slice(12) };
  if (!ip) return false;
  return allowed.some((entry) => {
    const cidr = parseCidr(entry);
    return cidr !== undefined && cidr.version === ip.version && inPrefix(ip.bytes, cidr.bytes, cidr.bits);
  });
}
