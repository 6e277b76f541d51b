/**
 * IP address parsing to bytes, for the SSRF guard. Addresses from DNS and from the WHATWG URL
 * parser are canonical; `parseIpv4Loose` also reads the inet_aton forms some resolvers accept
 * (`2130706433`, `0177.0.0.1`, `0x7f.1`, `127.1`), so no spelling of an address slips past.
 */
import { isIPv4, isIPv6 } from 'node:net';

export type ParsedIp = { version: 4; bytes: Uint8Array } | { version: 6; bytes: Uint8Array };

/** Dotted decimal only (`127.0.0.1`). */
export function parseIpv4(text: string): Uint8Array | undefined {
  if (!isIPv4(text)) return undefined;
  return Uint8Array.from(text.split('.').map(Number));
}

/** inet_aton: one to four parts, each decimal, octal (`0…`) or hex (`0x…`); the last fills the rest. */
export function parseIpv4Loose(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length > 4 || parts.some((p) => p === '')) return undefined;
  const values: number[] = [];
  for (const part of parts) {
    let value: number;
    if (/^0x[0-9a-f]*$/i.test(part)) value = part.length === 2 ? 0 : parseInt(part.slice(2), 16);
    else if (/^0[0-7]*$/.test(part)) value = parseInt(part, 8);
    else if (/^[1-9][0-9]*$/.test(part)) value = parseInt(part, 10);
    else return undefined;
    values.push(value);
  }
  const last = values.pop()!;
  if (values.some((v) => v > 255) || last >= 2 ** (8 * (4 - values.length))) return undefined;
  let n = last;
  values.forEach((v, i) => (n += v * 2 ** (8 * (3 - i))));
  return Uint8Array.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
}

/** Any IPv6 text form, with or without brackets and zone (`[fe80::1%eth0]`), to 16 bytes. */
export function parseIpv6(input: string): Uint8Array | undefined {
  let text = input.startsWith('[') && input.endsWith(']') ? input.slice(1, -1) : input;
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  if (!isIPv6(text)) return undefined;
  const words = (part: string): number[] => {
    if (part === '') return [];
    return part.split(':').flatMap((group) => {
      if (!group.includes('.')) return [parseInt(group, 16)];
      const v4 = parseIpv4(group)!;
      return [(v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!];
    });
  };
  const gap = text.indexOf('::');
  const head = words(gap >= 0 ? text.slice(0, gap) : text);
  const tail = gap >= 0 ? words(text.slice(gap + 2)) : [];
  const all = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  all.forEach((word, i) => {
    bytes[2 * i] = word >> 8;
    bytes[2 * i + 1] = word & 255;
  });
  return bytes;
}

/** An IP literal (IPv4 in any inet_aton form, IPv6 with or without brackets), or undefined for a name. */
export function parseIp(text: string): ParsedIp | undefined {
  const v6 = parseIpv6(text);
  if (v6) return { version: 6, bytes: v6 };
  const v4 = parseIpv4Loose(text);
  return v4 ? { version: 4, bytes: v4 } : undefined;
}

/** True when the first `bits` bits of `bytes` equal those of `prefix`. */
export function inPrefix(bytes: Uint8Array, prefix: Uint8Array, bits: number): boolean {
  for (let i = 0; i < bits; i += 8) {
    const take = Math.min(8, bits - i);
    const mask = (0xff << (8 - take)) & 0xff;
    if (((bytes[i / 8]! ^ prefix[i / 8]!) & mask) !== 0) return false;
  }
  return true;
}

export function formatIpv4(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 4)).join('.');
}
