import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { demoEnvironment, startDemo, stopDemo } from './support.ts';

const started: ChildProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const cleanup of cleanups) await cleanup();
});

describe('npm start', () => {
  it('starts the simulators and the hub, seeds once, and shows the demo connection connected through the API', async () => {
    const { env, port } = await demoEnvironment(cleanups);
    const base = `http://127.0.0.1:${port}`;

    const first = await startDemo(env, started);
    expect(first.output).toContain('Demo connection in dev: acme-stripe — stripe (Patchbay Sim Shop), connected');
    const apiKey = /pb_test_[0-9a-z]+/.exec(first.output)![0];
    const headers = { authorization: `Bearer ${apiKey}` };
    const connection = (await (await fetch(`${base}/api/v1/connections/acme-stripe`, { headers })).json()) as Record<string, unknown>;
    expect(connection).toMatchObject({ id: 'acme-stripe', connectorKey: 'stripe', status: 'connected', lastTest: { ok: true }, endCustomerId: 'acme-demo-customer' });
    const hubspot = (await (await fetch(`${base}/api/v1/integrations/hubspot`, { headers })).json()) as { baseUrl: string; oauth: { callbackUrl: string } };
    expect(hubspot.baseUrl).toBe(`${base}/_simulators/hubspot`);
    expect(hubspot.oauth.callbackUrl).toBe(`http://localhost:${port}/oauth/callback`);
    expect(await stopDemo(first.child)).toBe(0);

    // A second start seeds nothing new; the integrations still point at the simulators' hub paths.
    const second = await startDemo(env, started);
    expect(second.output).not.toContain('pb_test_');
    expect(second.output).toContain('Demo connection in dev: acme-stripe — stripe (Patchbay Sim Shop), connected');
    const tested = await fetch(`${base}/api/v1/connections/acme-stripe/test`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{}' });
    expect(await tested.json()).toMatchObject({ ok: true, connection: { status: 'connected' } });
    const list = (await (await fetch(`${base}/api/v1/integrations`, { headers })).json()) as { data: { key: string }[] };
    expect(list.data.map((i) => i.key).sort()).toEqual(['hubspot', 'stripe']);
    expect(await stopDemo(second.child)).toBe(0);
  }, 240_000);
});
