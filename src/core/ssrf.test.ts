import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import {
  assertPublicUrl,
  classifyAddress,
  createGuardedDispatcher,
  isPrivateReason,
  SsrfError,
  type ResolvedAddress,
  type Resolver,
  type SsrfReason,
} from './index.ts';

// A stand-in DNS, so the table needs no network and names can point anywhere.
const DNS: Record<string, string[]> = {
  'example.com': ['93.184.216.34'],
  'rebind.example': ['127.0.0.1'],
  'intranet.example': ['10.1.2.3'],
  'mixed.example': ['93.184.216.34', '192.168.0.10'],
  'v6-loopback.example': ['::1'],
  'mapped.example': ['::ffff:127.0.0.1'],
  'metadata.example': ['169.254.169.254'],
  localhost: ['127.0.0.1', '::1'],
  'localhost.': ['127.0.0.1'],
  'api.localhost': ['127.0.0.1'],
  'printer.local': ['192.168.1.20'],
  'db.corp.internal': ['10.0.0.5'],
  intranet: ['10.0.0.6'],
};
const fakeDns: Resolver = async (hostname) => {
  const found = DNS[hostname];
  if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return found.map((address): ResolvedAddress => ({ address, family: address.includes(':') ? 6 : 4 }));
};

// Every attempt tried, with the reason it is refused for (null: allowed, it is public).
const ATTEMPTS: [url: string, reason: SsrfReason | null][] = [
  // not http(s), or not a URL
  ['ftp://example.com/file', 'protocol'],
  ['file:///etc/passwd', 'protocol'],
  ['gopher://127.0.0.1:25/_HELO', 'protocol'],
  ['dict://127.0.0.1:11211/stat', 'protocol'],
  ['javascript:alert(1)', 'protocol'],
  ['not a url', 'invalid-url'],
  // loopback, in every IPv4 spelling
  ['http://127.0.0.1/', 'loopback'],
  ['http://127.255.255.254:8080/', 'loopback'],
  ['http://2130706433/', 'loopback'], // decimal
  ['http://017700000001/', 'loopback'], // octal, one part
  ['http://0177.0.0.1/', 'loopback'], // octal
  ['http://0x7f.1/', 'loopback'], // hex, short
  ['http://0x7f000001/', 'loopback'], // hex, one part
  ['http://127.1/', 'loopback'], // short
  ['http://127.0.1/', 'loopback'],
  // internal names
  ['http://localhost/', 'internal-hostname'],
  ['http://LOCALHOST./', 'internal-hostname'],
  ['http://api.localhost:3000/', 'internal-hostname'],
  ['http://printer.local/', 'internal-hostname'],
  ['http://db.corp.internal/', 'internal-hostname'],
  ['http://intranet/', 'internal-hostname'],
  // unspecified, private, shared address space, link-local, cloud metadata
  ['http://0/', 'unspecified'],
  ['http://0.0.0.0:8080/', 'unspecified'],
  ['http://10.0.0.1/', 'private'],
  ['http://172.16.0.1/', 'private'],
  ['http://172.31.255.255/', 'private'],
  ['http://192.168.1.1/', 'private'],
  ['http://100.64.0.1/', 'carrier-grade-nat'],
  ['http://100.127.255.255/', 'carrier-grade-nat'],
  ['http://169.254.0.1/', 'link-local'],
  ['http://169.254.169.254/latest/meta-data/', 'cloud-metadata'],
  ['http://0xa9fea9fe/', 'cloud-metadata'], // 169.254.169.254 in hex
  ['http://2852039166/', 'cloud-metadata'], // 169.254.169.254 in decimal
  ['http://100.100.100.200/latest/meta-data/', 'cloud-metadata'],
  ['http://metadata.google.internal/computeMetadata/v1/', 'cloud-metadata'],
  ['http://metadata/computeMetadata/v1/', 'cloud-metadata'],
  ['http://[fd00:ec2::254]/latest/meta-data/', 'cloud-metadata'],
  // multicast and reserved
  ['http://224.0.0.1/', 'multicast'],
  ['http://239.255.255.250:1900/', 'multicast'],
  ['http://240.0.0.1/', 'reserved'],
  ['http://255.255.255.255/', 'reserved'],
  ['http://192.0.0.170/', 'reserved'],
  ['http://192.0.2.1/', 'reserved'],
  ['http://198.18.0.1/', 'reserved'],
  ['http://203.0.113.7/', 'reserved'],
  // IPv6
  ['http://[::1]/', 'loopback'],
  ['http://[0:0:0:0:0:0:0:1]/', 'loopback'],
  ['http://[::]/', 'unspecified'],
  ['http://[fe80::1]/', 'link-local'],
  ['http://[febf:ffff::1]/', 'link-local'],
  ['http://[fc00::1]/', 'unique-local'],
  ['http://[fd12:3456:789a::1]/', 'unique-local'],
  ['http://[fec0::1]/', 'private'],
  ['http://[ff02::1]/', 'multicast'],
  ['http://[2001:db8::1]/', 'reserved'],
  ['http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/', 'reserved'], // Teredo
  ['http://[100::1]/', 'reserved'],
  ['http://[::1:0:0:1]/', 'reserved'], // outside global unicast
  // IPv4 inside IPv6: mapped, compatible, translated, NAT64, 6to4
  ['http://[::ffff:127.0.0.1]/', 'loopback'],
  ['http://[::ffff:7f00:1]/', 'loopback'],
  ['http://[0:0:0:0:0:ffff:127.0.0.1]/', 'loopback'],
  ['http://[::ffff:10.0.0.1]/', 'private'],
  ['http://[::ffff:169.254.169.254]/', 'cloud-metadata'],
  ['http://[::127.0.0.1]/', 'loopback'],
  ['http://[::7f00:1]/', 'loopback'],
  ['http://[::8.8.8.8]/', 'reserved'], // IPv4-compatible is deprecated even for a public address
  ['http://[::ffff:0:7f00:1]/', 'loopback'],
  ['http://[64:ff9b::127.0.0.1]/', 'loopback'],
  ['http://[64:ff9b::a9fe:a9fe]/', 'cloud-metadata'],
  ['http://[64:ff9b:1::a00:1]/', 'private'],
  ['http://[2002:7f00:1::]/', 'loopback'],
  ['http://[2002:c0a8:101::1]/', 'private'],
  // names that resolve to refused addresses
  ['http://rebind.example/', 'loopback'],
  ['http://intranet.example/', 'private'],
  ['http://mixed.example/', 'private'], // one private answer is enough
  ['http://v6-loopback.example/', 'loopback'],
  ['http://mapped.example/', 'loopback'],
  ['http://metadata.example/', 'cloud-metadata'],
  ['http://nowhere.example/', 'unresolvable'],
  // public: allowed
  ['https://example.com/hooks', null],
  ['https://user:pw@example.com:8443/x?token=1', null],
  ['http://8.8.8.8/', null],
  ['http://172.32.0.1/', null],
  ['http://100.128.0.1/', null],
  ['http://[2606:4700:4700::1111]/', null],
  ['http://[::ffff:8.8.8.8]/', null],
  ['http://[64:ff9b::808:808]/', null],
  ['http://[2002:808:808::1]/', null],
];

async function refusal(url: string, allowPrivateNetworks: boolean): Promise<SsrfReason | null> {
  try {
    await assertPublicUrl(url, { allowPrivateNetworks, resolve: fakeDns });
    return null;
  } catch (err) {
    if (err instanceof SsrfError) return err.reason;
    throw err;
  }
}

describe('assertPublicUrl', () => {
  it.each(ATTEMPTS)('judges %s as %s', async (url, reason) => {
    expect(await refusal(url, false)).toBe(reason);
  });

  it.each(ATTEMPTS)('with allowPrivateNetworks, lets %s through if %s is a private reason', async (url, reason) => {
    const expected = reason && isPrivateReason(reason) ? null : reason;
    expect(await refusal(url, true)).toBe(expected);
  });

  it('names the host and the reason, never the path or query', async () => {
    const err = await assertPublicUrl('http://169.254.169.254/latest/meta-data/?token=abc', { allowPrivateNetworks: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SsrfError);
    expect((err as SsrfError).message).toContain('169.254.169.254');
    expect((err as SsrfError).message).toContain('cloud metadata');
    expect((err as SsrfError).message).not.toContain('token=abc');
  });

  it('classifies resolved addresses the same way as literals', () => {
    expect(classifyAddress('127.0.0.1')).toBe('loopback');
    expect(classifyAddress('::ffff:7f00:1')).toBe('loopback');
    expect(classifyAddress('fe80::1%eth0')).toBe('link-local');
    expect(classifyAddress('93.184.216.34')).toBeUndefined();
  });
});

describe('guarded dispatcher', () => {
  let server: http.Server;
  let port: number;
  beforeAll(async () => {
    server = http.createServer((_req, res) => res.end('inside'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('refuses at connect time a name that resolved to a public address when checked (DNS rebinding)', async () => {
    let calls = 0;
    const rebinding: Resolver = async () => [{ address: calls++ === 0 ? '93.184.216.34' : '127.0.0.1', family: 4 }];
    const url = `http://rebind.example:${port}/`;
    await expect(assertPublicUrl(url, { allowPrivateNetworks: false, resolve: rebinding })).resolves.toBeInstanceOf(URL);
    const dispatcher = createGuardedDispatcher({ allowPrivateNetworks: false, resolve: rebinding });
    try {
      const err = await request(url, { dispatcher }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SsrfError);
      expect((err as SsrfError).reason).toBe('loopback');
    } finally {
      await dispatcher.close();
    }
  });

  it('refuses an IP literal, which net.connect would dial without a lookup', async () => {
    const dispatcher = createGuardedDispatcher({ allowPrivateNetworks: false });
    try {
      for (const host of ['127.0.0.1', '[::ffff:127.0.0.1]']) {
        const err = await request(`http://${host}:${port}/`, { dispatcher }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(SsrfError);
      }
    } finally {
      await dispatcher.close();
    }
  });

  it('lets loopback through when the environment allows private networks', async () => {
    const dispatcher = createGuardedDispatcher({ allowPrivateNetworks: true });
    try {
      await assertPublicUrl(`http://localhost:${port}/`, { allowPrivateNetworks: true });
      for (const url of [`http://localhost:${port}/`, `http://127.0.0.1:${port}/`]) {
        const res = await request(url, { dispatcher });
        expect(await res.body.text()).toBe('inside');
      }
    } finally {
      await dispatcher.close();
    }
  });

  it('still refuses cloud metadata when private networks are allowed', async () => {
    const dispatcher = createGuardedDispatcher({ allowPrivateNetworks: true, resolve: fakeDns });
    try {
      const err = await request('http://metadata.example/', { dispatcher }).catch((e: unknown) => e);
      expect((err as SsrfError).reason).toBe('cloud-metadata');
    } finally {
      await dispatcher.close();
    }
  });
});
