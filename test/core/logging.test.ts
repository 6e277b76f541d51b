import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { scrub, scrubString } from '../../src/core/index.ts';
import { captureLogs } from '../support/logs.ts';

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
