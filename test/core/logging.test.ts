import Fastify from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scrub, scrubString } from '../../src/core/index.ts';
import { captureLogs } from '../support/logs.ts';
import { createTestApi, type TestApi } from '../support/api.ts';
import { createServer } from 'node:net';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createProviderProxy } from '../../src/proxy/index.ts';

describe('log redaction', () => {
  it('blanks values of secret-named keys at any depth', () => {
    const out = scrub({ headers: { authorization: 'Bearer abc', cookie: 'pb_session=x' }, body: { password: 'hunter2', clientSecret: 's', apiKey: 'k', refresh_token: 'r', nested: [{ accessToken: 't' }] }, ok: true });
    expect(JSON.stringify(out)).not.toMatch(/abc|hunter2|pb_session|"s"|"k"|"r"|"t"/);
    expect(out).toMatchObject({ ok: true });
  });

  it('removes emails, phone numbers, bearer tokens, our key formats and secret query parameters from text', () => {
    const text = scrubString('user jane.doe+x@example.com phone +1 (415) 555-0100 or +447700900123 sent Bearer eyJhbGciOi.abc key pb_live_abcdef0123 secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw url /cb?code=4/P7q&state=xyz&page=2');
    for (const leaked of ['jane.doe', '555-0100', '7700900123', 'eyJhbGciOi', 'pb_live_abcdef0123', 'whsec_MfKQ', '4/P7q', 'xyz']) expect(text).not.toContain(leaked);
    expect(text).toContain('page=2');
  });

  it('scrubs a secret that is the whole string, with nothing around it', () => {
    const alone = ['jane@example.com', '415-555-0100', '415.555.0100', '(415) 555-0100', '+447700900123', 'pb_live_abcdef0123', 'pb_sess_abcdef', 'whsec_MfKQ9r8GKYqrTwjU', 'whpk_abcdef', '/cb?code=4/P7q', '&state=xyz', 'Bearer\teyJhbGciOi'];
    for (const value of alone) expect(scrubString(value), value).not.toBe(value);
  });

  it('keeps ordinary numbers, ids and durations', () => {
    expect(scrubString('job_01m80tdqny17sr0z84cq took 1234 ms on port 4000, 20000 jobs')).toBe('job_01m80tdqny17sr0z84cq took 1234 ms on port 4000, 20000 jobs');
  });

  it('scrubs the message, merged objects and errors of real log lines', () => {
    const logs = captureLogs();
    logs.logger.info({ user: { email: 'a@b.example' }, token: 'tok_123' }, 'signed in a@b.example with pb_test_zzzzzzzzzzzzzzzzzzzz');
    logs.logger.error({ err: new Error('failed for carol@corp.example using Bearer sekrit') }, 'boom');
    const text = logs.text();
    for (const leaked of ['a@b.example', 'tok_123', 'pb_test_zzzz', 'carol@corp.example', 'sekrit']) expect(text).not.toContain(leaked);
    expect(text).toContain('[email]');
  });

  it('logs a request as its method and path, and its answer as its status — not their whole object graphs', async () => {
    const logs = captureLogs('info');
    const app = Fastify({ loggerInstance: logs.logger as never });
    app.get('/things/:id', async () => ({ ok: true }));
    await app.inject({ method: 'GET', url: '/things/7?token=pb_test_abcdefghij&page=2' });
    const [incoming, completed] = logs.lines();
    expect(incoming).toMatchObject({ msg: 'incoming request', req: { method: 'GET', url: '/things/7' } });
    expect(completed).toMatchObject({ msg: 'request completed', res: { statusCode: 200 } });
    expect(logs.text()).not.toContain('pb_test_');
    await app.close();
  });

  it('writes instances by their JSON form or their class name, and dates as ISO text', () => {
    class Socketish {
      server = { connections: [{ deep: true }] };
    }
    expect(scrub({ socket: new Socketish(), at: new Date(Date.UTC(2026, 0, 1)), url: new URL('https://x.test/a?token=abc') })).toEqual({
      socket: '[Socketish]',
      at: '2026-01-01T00:00:00.000Z',
      url: 'https://x.test/a?token=[redacted]',
    });
  });
});

class DiskError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'DiskError';
  }
}

const forcedFailure: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/forced-failure', { config: { public: true }, schema: { hide: true } }, async () => {
    const low = Object.assign(new Error('socket hang up for dave@corp.example'), { code: 'ECONNRESET' });
    throw new DiskError('forced failure while writing pb_test_abcdefghijklmnop', 'EDISKFULL', 'volume /data is full', { cause: low });
  });
};

describe('errors in the logs', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await createTestApi({ plugins: [{ plugin: forcedFailure, absolute: true }] });
  });
  afterAll(async () => {
    await api.close();
  });

  it("writes a forced error's type, message, code, stack and cause on the request's log line, with secrets still redacted", async () => {
    const res = await api.app.inject({ method: 'GET', url: '/forced-failure' });
    expect(res.statusCode).toBe(500);
    const requestId = res.headers['x-request-id'];
    const line = api.logs.lines().find((l) => l.msg === 'request failed' && l.requestId === requestId);
    expect(line).toBeDefined();
    const err = line!.err as Record<string, unknown>;
    expect(err).toMatchObject({ type: 'DiskError', code: 'EDISKFULL', detail: 'volume /data is full' });
    expect(err.message).toContain('forced failure while writing');
    expect(err.stack).toMatch(/^DiskError: forced failure[\s\S]*at .*logging\.test\.ts/);
    expect(err.cause).toMatchObject({ type: 'Error', code: 'ECONNRESET' });
    expect((err.cause as { stack: string }).stack).toContain('socket hang up');
    expect(api.logs.text()).not.toContain('pb_test_abcdefghijklmnop');
    expect(api.logs.text()).not.toContain('dave@corp.example');
  });

  it('never writes an error as "[Object]", whichever way it is logged', () => {
    const logs = captureLogs();
    const error = Object.assign(new Error('queue stalled', { cause: 'plain text cause' }), { code: 'E_STALL' });
    logs.logger.error({ err: error }, 'job failed');
    logs.logger.warn({ error }, 'could not queue dispatch jobs');
    logs.logger.error(error);
    logs.logger.child({ jobId: 'job_1' }).error({ err: new AggregateError([new Error('first'), new Error('second')], 'all failed') }, 'job failed');
    expect(logs.text()).not.toContain('[Object]');
    const [first, second, third, fourth] = logs.lines();
    for (const line of [first!.err, second!.error, third!.err]) expect(line).toMatchObject({ type: 'Error', message: 'queue stalled', code: 'E_STALL', cause: 'plain text cause' });
    expect((first!.err as { stack: string }).stack).toContain('queue stalled');
    expect(fourth!.err).toMatchObject({ type: 'AggregateError', message: 'all failed', errors: [{ message: 'first' }, { message: 'second' }] });
  });
});

describe('provider proxy failures in the logs', () => {
  it('logs a failed provider call with the error message, code and stack', async () => {
    // A port that was just free: the call is refused.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const logs = captureLogs();
    const proxy = createProviderProxy({ logger: logs.logger, sleep: async () => {} });
    const http = proxy.client({ provider: 'example', limitKey: 'example:conn_1', baseUrl: `http://127.0.0.1:${port}`, allowPrivateNetworks: true, retryAttempts: 0 });
    await expect(http.request({ path: '/v1/things' })).rejects.toThrow(/refused/);
    await proxy.close();
    const line = logs.lines().find((l) => l.msg === 'provider call failed');
    expect(line).toMatchObject({ provider: 'example', failure: 'refused', err: { type: 'ProviderRequestError', kind: 'refused' } });
    const err = line!.err as { message: string; stack: string; cause: { code?: string } };
    expect(err.message).toContain(`127.0.0.1:${port}`);
    expect(err.stack).toContain('ProviderRequestError');
    expect(JSON.stringify(err.cause)).toContain('ECONNREFUSED');
  });
});

describe('the buffered log destination', () => {
  const logging = fileURLToPath(new URL('../../src/core/logging.ts', import.meta.url));
  const script = (file: string, end: string) =>
    `import { createLogger, logDestination } from ${JSON.stringify(logging)};
     const logger = createLogger({ level: 'info', destination: logDestination({ dest: ${JSON.stringify(file)} }) });
     for (let i = 0; i < 25; i++) logger.info({ i }, 'line');
     ${end}`;
  const linesIn = (file: string) => fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-logs-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['the process ends on its own', ''],
    ['process.exit is called', 'process.exit(0);'],
    ['an uncaught error ends it', "throw new Error('boom');"],
  ])('loses no line when %s', (_case, end) => {
    const file = path.join(dir, `${_case.replace(/\W+/g, '-')}.log`);
    spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script(file, end)], { stdio: 'ignore', timeout: 20_000 });
    expect(linesIn(file)).toBe(25);
  });

  it('writes lines out within a moment while the process runs', async () => {
    const file = path.join(dir, 'running.log');
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script(file, 'setTimeout(() => {}, 20_000);')], { stdio: 'ignore' });
    try {
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline && !(fs.existsSync(file) && linesIn(file) === 25)) await new Promise((r) => setTimeout(r, 50));
      expect(linesIn(file)).toBe(25);
    } finally {
      child.kill();
    }
  });
});
