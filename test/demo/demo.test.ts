import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, dropPostgresDatabase, onPostgres, tempDir } from '../support/db.ts';

const started: ChildProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const cleanup of cleanups) await cleanup();
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Runs the demo launcher (what `npm start` runs) until it says it is ready; returns its output so far. */
async function startDemo(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'demo/start.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let output = '';
  let errors = '';
  child.stdout!.on('data', (chunk) => (output += String(chunk)));
  child.stderr!.on('data', (chunk) => (errors += String(chunk)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the demo did not start in time: ${output}${errors}`)), 90_000);
    child.stdout!.on('data', () => {
      if (output.includes('Stop with Ctrl-C.')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the demo exited with ${code}: ${output}${errors}`));
    });
  });
  return { child, output };
}

async function stopDemo(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  return exited;
}

describe('npm start', () => {
  it('starts the simulators and the hub, seeds once, and shows the demo connection connected through the API', async () => {
    const dataDir = tempDir('demo');
    cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1', PATCHBAY_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
    delete env.PUBLIC_URL;
    delete env.DATABASE_URL;
    delete env.PATCHBAY_SECRET_KEYS;
    if (onPostgres()) {
      const url = await createPostgresDatabase();
      cleanups.push(() => dropPostgresDatabase(url));
      env.DATABASE_URL = url;
      env.PATCHBAY_SECRET_KEYS = `demo:${Buffer.alloc(32, 7).toString('base64')}`;
    }
    const base = `http://127.0.0.1:${port}`;

    const first = await startDemo(env);
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
    const second = await startDemo(env);
    expect(second.output).not.toContain('pb_test_');
    expect(second.output).toContain('Demo connection in dev: acme-stripe — stripe (Patchbay Sim Shop), connected');
    const tested = await fetch(`${base}/api/v1/connections/acme-stripe/test`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{}' });
    expect(await tested.json()).toMatchObject({ ok: true, connection: { status: 'connected' } });
    const list = (await (await fetch(`${base}/api/v1/integrations`, { headers })).json()) as { data: { key: string }[] };
    expect(list.data.map((i) => i.key).sort()).toEqual(['hubspot', 'stripe']);
    expect(await stopDemo(second.child)).toBe(0);
  }, 240_000);
});
