import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/index.ts';
import {
  createProviderClient,
  describeFailure,
  expectOk,
  providerErrorMessage,
  retryAfterSeconds,
  ProviderHttpError,
  ProviderRequestError,
  type FailureSubject,
} from '../../src/proxy/index.ts';

const SECRET = 'sk_live_SuperSecretValue1234567890abcd';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let server: http.Server;
let base: string;
const seen: Seen[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const url = new URL(req.url!, 'http://x');
      if (url.pathname === '/api/text') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        return res.end('plain words');
      }
      if (url.pathname === '/api/empty') {
        res.writeHead(204);
        return res.end();
      }
      if (url.pathname === '/api/denied') {
        res.writeHead(401, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ error: { message: `Invalid API Key provided: ${SECRET}` } }));
      }
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'x-multi': ['a', 'b'] });
      res.end(JSON.stringify({ path: url.pathname, query: url.search }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function capture(): { logger: ReturnType<typeof createLogger>; text: () => string } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger({ level: 'trace', destination }), text: () => lines.join('') };
}

describe('the provider client', () => {
  it('sends paths relative to the base URL with the query and the injected credential', async () => {
    const client = createProviderClient({ baseUrl: base, auth: { type: 'header', name: 'Authorization', value: `Bearer ${SECRET}` } });
    const res = await client.request<{ path: string; query: string }>({ path: '/v1/things?expand=a', query: { limit: 5, tags: ['x', 'y'], skip: undefined } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ path: '/api/v1/things', query: '?expand=a&limit=5&tags=x&tags=y' });
    expect(res.headers['x-multi']).toBe('a, b');
    expect(res.request).toEqual({ method: 'GET', path: '/api/v1/things' });
    expect(seen.at(-1)!.headers.authorization).toBe(`Bearer ${SECRET}`);
  });

  it('sends objects as JSON and forms as form bodies', async () => {
    const client = createProviderClient({ baseUrl: base });
    await client.request({ method: 'POST', path: '/json', body: { a: 1 } });
    expect(seen.at(-1)).toMatchObject({ method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } });
    await client.request({ method: 'POST', path: '/form', body: new URLSearchParams({ b: '2' }) });
    expect(seen.at(-1)).toMatchObject({ body: 'b=2', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  });

  it('parses text and empty bodies', async () => {
    const client = createProviderClient({ baseUrl: base });
    expect((await client.request({ path: '/text' })).body).toBe('plain words');
    expect((await client.request({ path: '/empty' })).body).toBeNull();
  });

  it('places query and basic credentials, and a request header cannot replace the credential', async () => {
    const query = createProviderClient({ baseUrl: base, auth: { type: 'query', name: 'api_key', value: SECRET } });
    await query.request({ path: '/q' });
    expect(seen.at(-1)!.url).toBe(`/api/q?api_key=${SECRET}`);
    const basic = createProviderClient({ baseUrl: base, auth: { type: 'basic', username: SECRET, password: '' } });
    await basic.request({ path: '/b', headers: { Authorization: 'Bearer attacker' } });
    expect(seen.at(-1)!.headers.authorization).toBe(`Basic ${Buffer.from(`${SECRET}:`).toString('base64')}`);
  });

  it('refuses paths that would leave the base URL', async () => {
    const client = createProviderClient({ baseUrl: base });
    for (const path of ['https://evil.example/x', '//evil.example/x', '/../admin', '/a/%2e%2E/b', '/a/.%2e/b', 'relative', '/a\\b']) {
      await expect(client.request({ path }), path).rejects.toThrow(TypeError);
    }
    await expect(client.request({ path: '/x', headers: { Host: 'evil.example' } })).rejects.toThrow(/set by the client/);
  });

  it('expectOk throws the response for a non-2xx answer', async () => {
    const client = createProviderClient({ baseUrl: base });
    const res = await client.request({ path: '/denied' });
    expect(() => expectOk(res)).toThrow(ProviderHttpError);
  });

  it('never logs the Authorization header, a query credential or a secret, even on failures', async () => {
    const { logger, text } = capture();
    const header = createProviderClient({ baseUrl: base, logger, auth: { type: 'header', name: 'Authorization', value: `Bearer ${SECRET}` } });
    const query = createProviderClient({ baseUrl: base, logger, auth: { type: 'query', name: 'api_key', value: SECRET } });
    const basic = createProviderClient({ baseUrl: base, logger, auth: { type: 'basic', username: 'user', password: SECRET } });
    await header.request({ path: '/ok', headers: { 'X-Trace': 'yes' } });
    await header.request({ path: '/denied' });
    await query.request({ path: '/ok?token=also-secret-value' });
    await basic.request({ path: '/ok' });
    const refused = createProviderClient({ baseUrl: 'http://127.0.0.1:1', logger, auth: { type: 'header', name: 'Authorization', value: `Bearer ${SECRET}` } });
    const error = await refused.request({ path: '/x' }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ProviderRequestError);
    logger.error({ err: error }, 'request failed');
    logger.flush();

    const output = text();
    expect(output).toContain('provider request');
    expect(output).toContain('/api/denied');
    expect(output).not.toContain(SECRET);
    expect(output).not.toContain('also-secret-value');
    expect(output.toLowerCase()).not.toContain('authorization');
    expect(output).not.toContain('Bearer');
    expect(output).not.toContain('Basic ');
  });

  it('reports timeouts, refused connections and DNS failures as typed errors', async () => {
    const slow = http.createServer(() => {
      /* never answers */
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    try {
      const client = createProviderClient({ baseUrl: `http://127.0.0.1:${(slow.address() as AddressInfo).port}`, timeoutMs: 100 });
      await expect(client.request({ path: '/' })).rejects.toMatchObject({ kind: 'timeout', timeoutMs: 100 });
    } finally {
      slow.closeAllConnections();
      await new Promise<void>((resolve) => slow.close(() => resolve()));
    }
    await expect(createProviderClient({ baseUrl: 'http://127.0.0.1:1' }).request({ path: '/' })).rejects.toMatchObject({ kind: 'refused' });
    await expect(createProviderClient({ baseUrl: 'http://host.invalid' }).request({ path: '/' })).rejects.toMatchObject({ kind: 'dns', host: 'host.invalid' });
  });

  it('reads a body in many chunks, fails one larger than maxResponseBytes, and times out one that stalls', async () => {
    const chunky = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      if (req.url === '/stall') return void res.write('x'.repeat(100));
      let sent = 0;
      const more = (): void => {
        if (sent >= 64) return void res.end();
        sent++;
        res.write(Buffer.alloc(1024, sent % 256), more);
      };
      more();
    });
    await new Promise<void>((resolve) => chunky.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(chunky.address() as AddressInfo).port}`;
    try {
      const whole = await createProviderClient({ baseUrl: url }).request<Buffer>({ path: '/', responseType: 'buffer' });
      expect(whole.body.length).toBe(64 * 1024);
      expect([whole.body[0], whole.body[1024], whole.body.at(-1)]).toEqual([1, 2, 64]);
      await expect(createProviderClient({ baseUrl: url, maxResponseBytes: 10_000 }).request({ path: '/' })).rejects.toMatchObject({ kind: 'network', message: expect.stringMatching(/larger than 10000 bytes/) });
      await expect(createProviderClient({ baseUrl: url, timeoutMs: 200 }).request({ path: '/stall' })).rejects.toMatchObject({ kind: 'timeout', timeoutMs: 200 });
    } finally {
      chunky.closeAllConnections();
      await new Promise<void>((resolve) => chunky.close(() => resolve()));
    }
  });

  it('stops when the caller cancels', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(createProviderClient({ baseUrl: base }).request({ path: '/ok', signal: controller.signal })).rejects.toMatchObject({ kind: 'aborted' });
  });
});

describe('the failure mapping', () => {
  const subject: FailureSubject = { provider: 'Acme', credential: 'API key', reauthorize: false, configFields: ['Region'] };

  it('reads Retry-After as seconds or a date, and the rate-limit headers providers use instead', () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    expect(retryAfterSeconds({ 'retry-after': '30' }, now)).toBe(30);
    expect(retryAfterSeconds({ 'retry-after': new Date(now + 90_000).toUTCString() }, now)).toBe(90);
    expect(retryAfterSeconds({ 'ratelimit-reset': '20' }, now)).toBe(20);
    expect(retryAfterSeconds({ 'x-ratelimit-reset': String(now / 1000 + 45) }, now)).toBe(45);
    expect(retryAfterSeconds({ 'x-rate-limit-reset': String(now / 1000 + 60) }, now)).toBe(60);
    expect(retryAfterSeconds({}, now)).toBeUndefined();
  });

  it('finds the provider message in the usual error shapes', () => {
    expect(providerErrorMessage({ error: { message: 'Stripe style' } })).toBe('Stripe style');
    expect(providerErrorMessage({ status: 'error', message: 'HubSpot style' })).toBe('HubSpot style');
    expect(providerErrorMessage([{ message: 'Salesforce style', errorCode: 'X' }])).toBe('Salesforce style');
    expect(providerErrorMessage({ errors: [{ type: 'x', message: 'Segment style' }] })).toBe('Segment style');
    expect(providerErrorMessage({ errorCode: 'E0000011', errorSummary: 'Okta style' })).toBe('Okta style');
    expect(providerErrorMessage({ error: 'invalid_grant', error_description: 'OAuth style' })).toBe('OAuth style');
    expect(providerErrorMessage('<html>gateway</html>')).toBeUndefined();
  });

  it('treats a 403 with exhausted rate-limit headers as rate limiting', () => {
    const failure = describeFailure(
      new ProviderHttpError({
        status: 403,
        headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 100) },
        body: { message: 'API rate limit exceeded' },
        request: { method: 'GET', path: '/user' },
      }),
      subject,
    );
    expect(failure.code).toBe('rate_limited');
    expect(failure.retryAfterSeconds).toBeGreaterThan(90);
  });

  it('keeps secrets out of messages built from provider answers', () => {
    const failure = describeFailure(
      new ProviderHttpError({ status: 401, headers: {}, body: { message: `Bad key ${SECRET} for owner@example.com` }, request: { method: 'GET', path: '/' } }),
      subject,
    );
    expect(failure.message).toBe('Acme did not accept the API key (HTTP 401). Acme said: "Bad key [redacted] for [email]".');
    expect(failure.hint).toBe('Check the API key entered for this connection: it may be mistyped, revoked or rotated. Paste a current one from Acme and test again.');
  });

  it('names the provider redirect and tells to update the base URL', () => {
    const failure = describeFailure(
      new ProviderHttpError({ status: 301, headers: { location: 'https://api2.acme.example/v1' }, body: null, request: { method: 'GET', path: '/v1' } }),
      subject,
    );
    expect(failure).toMatchObject({ code: 'unexpected_response', message: 'Acme redirected the request (HTTP 301) to https://api2.acme.example/v1.' });
  });
});
