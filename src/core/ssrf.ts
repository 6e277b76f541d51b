/**
 * The SSRF guard every user-configurable URL passes (endpoints, custom OAuth URLs, custom base
 * URLs, secret-store addresses). `assertPublicUrl` checks a URL when it is configured or used;
 * `createGuardedDispatcher` (ssrf-dispatcher.ts) checks again at connect time, on the addresses
 * the socket actually dials, so a name that resolves to a public address at check time and to
 * 127.0.0.1 a second later (DNS rebinding) is still refused.
 */
import { lookup } from 'node:dns/promises';
import { formatIpv4, inPrefix, parseIp, parseIpv4, parseIpv6 } from './ip.ts';

export type SsrfReason =
  | 'invalid-url'
  | 'protocol'
  | 'cloud-metadata'
  | 'internal-hostname'
  | 'loopback'
  | 'private'
  | 'carrier-grade-nat'
  | 'link-local'
  | 'unique-local'
  | 'unspecified'
  | 'multicast'
  | 'reserved'
  | 'unresolvable';

/** What an environment's `allowPrivateNetworks` lets through. Metadata, multicast and reserved never pass. */
const PRIVATE_REASONS: ReadonlySet<SsrfReason> = new Set<SsrfReason>([
  'internal-hostname',
  'loopback',
  'private',
  'carrier-grade-nat',
  'link-local',
  'unique-local',
  'unspecified',
]);

export class SsrfError extends Error {
  constructor(
    readonly reason: SsrfReason,
    /** Scheme, host and port only: paths and queries may carry secrets. */
    readonly target: string,
    readonly address?: string,
  ) {
    super(describe(reason, target, address));
    this.name = 'SsrfError';
  }
}

function describe(reason: SsrfReason, target: string, address: string | undefined): string {
  const where = address ? `${target} (resolves to ${address})` : target;
  switch (reason) {
    case 'invalid-url':
      return `${target} is not a valid URL.`;
    case 'protocol':
      return `${target}: only http and https URLs are allowed.`;
    case 'unresolvable':
      return `${target}: the host name does not resolve.`;
    case 'cloud-metadata':
      return `${where} is a cloud metadata address; Patchbay never connects to it.`;
    case 'multicast':
    case 'reserved':
      return `${where} is a ${reason} address; Patchbay never connects to it.`;
    default:
      return `${where} is a ${reason} address. Only public addresses are allowed unless the environment allows private networks (allowPrivateNetworks).`;
  }
}

export const isPrivateReason = (reason: SsrfReason): boolean => PRIVATE_REASONS.has(reason);

type Rule = [prefix: Uint8Array, bits: number, reason: SsrfReason];
const v4 = (text: string, bits: number, reason: SsrfReason): Rule => [parseIpv4(text)!, bits, reason];
const v6 = (text: string, bits: number, reason: SsrfReason): Rule => [parseIpv6(text)!, bits, reason];

// First match wins, so the specific metadata addresses come before the ranges holding them.
const IPV4_RULES: Rule[] = [
  v4('169.254.169.254', 32, 'cloud-metadata'), // AWS, GCP, Azure, Oracle, DigitalOcean…
  v4('100.100.100.200', 32, 'cloud-metadata'), // Alibaba Cloud
  v4('0.0.0.0', 8, 'unspecified'),
  v4('10.0.0.0', 8, 'private'),
  v4('100.64.0.0', 10, 'carrier-grade-nat'),
  v4('127.0.0.0', 8, 'loopback'),
  v4('169.254.0.0', 16, 'link-local'),
  v4('172.16.0.0', 12, 'private'),
  v4('192.0.0.0', 24, 'reserved'), // IETF protocol assignments, incl. NAT64 discovery
  v4('192.0.2.0', 24, 'reserved'), // documentation
  v4('192.88.99.0', 24, 'reserved'), // 6to4 relay anycast
  v4('192.168.0.0', 16, 'private'),
  v4('198.18.0.0', 15, 'reserved'), // benchmarking
  v4('198.51.100.0', 24, 'reserved'), // documentation
  v4('203.0.113.0', 24, 'reserved'), // documentation
  v4('224.0.0.0', 4, 'multicast'),
  v4('240.0.0.0', 4, 'reserved'), // incl. 255.255.255.255
];

/** IPv6 forms that carry an IPv4 address: classified by the address they carry. */
const EMBEDDED_V4: [prefix: Uint8Array, bits: number, offset: number][] = [
  [parseIpv6('::ffff:0:0')!, 96, 12], // IPv4-mapped
  [parseIpv6('::ffff:0:0:0')!, 96, 12], // IPv4-translated (SIIT)
  [parseIpv6('64:ff9b::')!, 96, 12], // NAT64 well-known prefix
  [parseIpv6('2002::')!, 16, 2], // 6to4
];

const IPV6_RULES: Rule[] = [
  v6('::', 128, 'unspecified'),
  v6('::1', 128, 'loopback'),
  v6('64:ff9b:1::', 48, 'private'), // local-use NAT64
  v6('100::', 64, 'reserved'), // discard-only
  v6('2001::', 23, 'reserved'), // IETF protocol assignments, incl. Teredo 2001::/32
  v6('2001:db8::', 32, 'reserved'), // documentation
  v6('3fff::', 20, 'reserved'), // documentation
  v6('fd00:ec2::254', 128, 'cloud-metadata'), // AWS instance metadata over IPv6
  v6('fc00::', 7, 'unique-local'),
  v6('fe80::', 10, 'link-local'),
  v6('fec0::', 10, 'private'), // site-local (deprecated)
  v6('ff00::', 8, 'multicast'),
];
const GLOBAL_UNICAST = parseIpv6('2000::')!;
const ZERO = new Uint8Array(16);

function matchRules(bytes: Uint8Array, rules: Rule[]): SsrfReason | undefined {
  return rules.find(([prefix, bits]) => inPrefix(bytes, prefix, bits))?.[2];
}

/**
 * Why an address is not public (`'loopback'`, `'private'`, …), or undefined for a public one.
 * Accepts any IPv4 spelling and any IPv6 form; mapped, translated, NAT64 and 6to4 addresses
 * are judged by the IPv4 address they carry.
 */
export function classifyAddress(address: string): SsrfReason | undefined {
  const ip = parseIp(address);
  if (!ip) return 'invalid-url';
  if (ip.version === 4) return matchRules(ip.bytes, IPV4_RULES);
  for (const [prefix, bits, offset] of EMBEDDED_V4) {
    if (inPrefix(ip.bytes, prefix, bits)) return classifyAddress(formatIpv4(ip.bytes.subarray(offset, offset + 4)));
  }
  if (inPrefix(ip.bytes, ZERO, 96) && !inPrefix(ip.bytes, ZERO, 127)) {
    // IPv4-compatible `::a.b.c.d`: report the carried address when it is private, else reserved.
    return classifyAddress(formatIpv4(ip.bytes.subarray(12))) ?? 'reserved';
  }
  return matchRules(ip.bytes, IPV6_RULES) ?? (inPrefix(ip.bytes, GLOBAL_UNICAST, 3) ? undefined : 'reserved');
}

const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data', 'instance-data.ec2.internal']);
const INTERNAL_SUFFIXES = ['.localhost', '.local', '.internal', '.localdomain', '.home.arpa', '.intranet', '.corp', '.lan'];

/** Why a host name (not an IP literal) is not public, or undefined. Single-label names are internal. */
export function classifyHostname(hostname: string): SsrfReason | undefined {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  if (METADATA_HOSTS.has(name)) return 'cloud-metadata';
  if (name === 'localhost' || !name.includes('.')) return 'internal-hostname';
  if (INTERNAL_SUFFIXES.some((suffix) => name.endsWith(suffix))) return 'internal-hostname';
  return undefined;
}

/** The reason to refuse, after applying the environment's `allowPrivateNetworks`. */
export function refusalReason(reason: SsrfReason | undefined, allowPrivateNetworks: boolean): SsrfReason | undefined {
  if (reason === undefined || (allowPrivateNetworks && isPrivateReason(reason))) return undefined;
  return reason;
}

export interface ResolvedAddress {
  address: string;
  family: number;
}
/** Resolves a host name to every address it has (dns.lookup with `all: true` by default). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;
export const systemResolver: Resolver = (hostname) => lookup(hostname, { all: true, verbatim: true });

export interface PublicUrlOptions {
  allowPrivateNetworks: boolean;
  /** Tests stand in their own DNS. */
  resolve?: Resolver;
}

/** `host` without brackets: `[::1]` → `::1`. */
export const bareHost = (host: string): string => (host.startsWith('[') ? host.slice(1, -1) : host);

/**
 * Parses a user-supplied URL and refuses it unless it is http(s) and every address its host
 * resolves to is public (or private and allowed). Returns the parsed URL.
 *
 * @example
 * const url = await assertPublicUrl(input.url, { allowPrivateNetworks: environment.allowPrivateNetworks });
 */
export async function assertPublicUrl(input: string | URL, options: PublicUrlOptions): Promise<URL> {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new SsrfError('invalid-url', typeof input === 'string' ? input.slice(0, 200) : String(input));
  }
  const target = `${url.protocol}//${url.host}`;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SsrfError('protocol', url.protocol);
  const host = bareHost(url.hostname);
  const allow = options.allowPrivateNetworks;
  if (parseIp(host)) {
    const reason = refusalReason(classifyAddress(host), allow);
    if (reason) throw new SsrfError(reason, target, host);
    return url;
  }
  const nameReason = refusalReason(classifyHostname(host), allow);
  if (nameReason) throw new SsrfError(nameReason, target);
  await checkResolved(host, target, options);
  return url;
}

/** Resolves `host` and refuses it if any of its addresses is refused: one private answer is enough. */
export async function checkResolved(host: string, target: string, options: PublicUrlOptions): Promise<ResolvedAddress[]> {
  let addresses: ResolvedAddress[];
  try {
    addresses = await (options.resolve ?? systemResolver)(host);
  } catch {
    throw new SsrfError('unresolvable', target);
  }
  if (addresses.length === 0) throw new SsrfError('unresolvable', target);
  for (const { address } of addresses) {
    const reason = refusalReason(classifyAddress(address), options.allowPrivateNetworks);
    if (reason) throw new SsrfError(reason, target, address);
  }
  return addresses;
}

export interface ConfiguredUrlOptions {
  allowPrivateNetworks: boolean;
  resolve?: Resolver | undefined;
}

/**
 * The one address policy for a configured URL, applied when it is saved (the guarded dispatcher
 * applies it again when it is used): http(s) only, no credentials, plain http only where private
 * networks are allowed, and every address public unless allowed. Returns why it is refused, or
 * undefined. A name that does not resolve today cannot be judged here; the use-time guard will.
 *
 * @example
 * const why = await configuredUrlRefusal('https://169.254.169.254', { allowPrivateNetworks: false });
 * // 'is refused: https://169.254.169.254 (resolves to 169.254.169.254) is a cloud metadata address; …'
 */
export async function configuredUrlRefusal(raw: string, options: ConfiguredUrlOptions): Promise<string | undefined> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be a URL such as https://api.example.com';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must use https';
  if (url.username || url.password) return 'must not carry credentials';
  if (url.protocol === 'http:' && !options.allowPrivateNetworks) {
    return 'must use https (plain http is only allowed in environments that allow private networks)';
  }
  try {
    await assertPublicUrl(url, { allowPrivateNetworks: options.allowPrivateNetworks, ...(options.resolve ? { resolve: options.resolve } : {}) });
  } catch (err) {
    if (err instanceof SsrfError && err.reason === 'unresolvable') return undefined;
    if (err instanceof SsrfError) return `is refused: ${err.message}`;
    throw err;
  }
  return undefined;
}

/** The URL a configured host name (`acme.okta.com`) stands for, so it passes the same policy as a URL. */
export const hostUrl = (host: string): string => `https://${host}`;
