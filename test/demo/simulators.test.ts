import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { demoEnvironment, startDemo, stopDemo } from './support.ts';

const started: ChildProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const cleanup of cleanups) await cleanup();
});

describe('the demo’s simulators', () => {
  it('answer at stable hub paths, so an integration a user pointed at one still works after a restart', async () => {
    const { env, port } = await demoEnvironment(cleanups);
    const base = `http://127.0.0.1:${port}`;

    const first = await startDemo(env, started);
    const apiKey = /pb_test_[0-9a-z]+/.exec(first.output)![0];
    const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
    const listed = (await (await fetch(`${base}/_simulators`)).json()) as { data: { key: string; baseUrl: string }[] };
    expect(listed.data.map((s) => s.key)).toEqual(expect.arrayContaining(['stripe', 'hubspot', 'segment', 'pipedrive']));
    const segment = listed.data.find((s) => s.key === 'segment')!;
    expect(segment.baseUrl).toBe(`${base}/_simulators/segment`);
    // The demo's own integrations use the same addresses.
    const stripe = (await (await fetch(`${base}/api/v1/integrations/stripe`, { headers })).json()) as { baseUrl: string };
    expect(stripe.baseUrl).toBe(`${base}/_simulators/stripe`);

    // A user's own integration and connection, made through the API against the Segment simulator.
    const integration = await fetch(`${base}/api/v1/integrations`, { method: 'POST', headers, body: JSON.stringify({ connectorKey: 'segment', baseUrl: segment.baseUrl }) });
    expect(integration.status, await integration.clone().text()).toBe(201);
    const created = await fetch(`${base}/api/v1/connections`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ integration: 'segment', id: 'my-segment', endCustomerId: 'user-made', credentials: { apiToken: 'sgp_PatchbaySimulatorToken0000000000000000000001' } }),
    });
    expect(created.status, await created.clone().text()).toBe(201);
    expect(await created.json()).toMatchObject({ id: 'my-segment', status: 'connected' });
    expect(await stopDemo(first.child)).toBe(0);

    const second = await startDemo(env, started);
    expect(second.output).not.toContain('pb_test_');
    const tested = await fetch(`${base}/api/v1/connections/my-segment/test`, { method: 'POST', headers, body: '{}' });
    expect(await tested.json()).toMatchObject({ ok: true, accountInfo: { name: 'Patchbay Simulated Workspace' }, connection: { status: 'connected' } });
    const proxied = await fetch(`${base}/api/v1/proxy/my-segment/sources?pagination.count=2`, { headers: { authorization: headers.authorization } });
    expect(proxied.status).toBe(200);
    expect(((await proxied.json()) as { data: { sources: unknown[] } }).data.sources).toHaveLength(2);
    // An unknown simulator is a clear 404, not a hang.
    const unknown = await fetch(`${base}/_simulators/nope/v1/things`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { detail: string }).detail).toContain('No simulator "nope"');
    expect(await stopDemo(second.child)).toBe(0);
  }, 240_000);
});
