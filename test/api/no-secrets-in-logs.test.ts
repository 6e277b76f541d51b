import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApi, OWNER_PASSWORD, type TestApi } from '../support/api.ts';
import { captureLogs } from '../support/logs.ts';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(async () => {
  await api.close();
});

describe('secrets and PII in logs', () => {
  it('writes no key, password, session, CSRF token or email into the logs of real requests', async () => {
    const login = await api.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'owner@acme.test', password: OWNER_PASSWORD } });
    const session = login.cookies.find((c) => c.name === 'pb_session')!.value;
    const csrf = login.json().csrfToken as string;
    const created = await api.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: bearer(api.keys.admin), payload: { name: 'logged?', role: 'viewer' } });
    const newKey = created.json().key as string;
    const member = await api.app.inject({
      method: 'POST',
      url: '/api/v1/members',
      cookies: { pb_session: session },
      headers: { 'x-csrf-token': csrf },
      payload: { email: 'new.person@acme.test', name: 'New Person', role: 'viewer' },
    });
    const initialPassword = member.json().initialPassword as string;
    await api.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'owner@acme.test', password: 'a wrong password' } });
    await api.app.inject({ method: 'GET', url: `/api/v1/api-keys?cursor=${encodeURIComponent('bad token=' + api.keys.viewer)}`, headers: bearer(api.keys.viewer) });
    await api.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(newKey) });

    const logs = api.logs.text();
    expect(logs.length).toBeGreaterThan(0);
    const secrets = [api.keys.admin, api.keys.viewer, newKey, OWNER_PASSWORD, 'a wrong password', session, csrf, initialPassword, 'owner@acme.test', 'new.person@acme.test'];
    for (const secret of secrets) expect(logs, `log contains ${secret.slice(0, 12)}…`).not.toContain(secret);
  });
});

describe('log message scrubbing', () => {
  it('scrubs format arguments as well as the message, and writes a clean message as it is', () => {
    const logs = captureLogs();
    logs.logger.info('key %s for %s, ok %s', 'pb_test_zzzzzzzzzzzzzzzzzzzz', 'dave@corp.example', 'fine');
    logs.logger.info({ n: 1 }, 'nothing to hide here');
    const [formatted, plain] = logs.lines();
    expect(formatted!.msg).not.toMatch(/pb_test_zzzz|dave@corp/);
    expect(formatted!.msg).toContain('ok fine');
    expect(plain).toMatchObject({ msg: 'nothing to hide here', n: 1 });
  });
});
