/**
 * The embedded database belongs to one process: a second start refuses, naming the directory and
 * the holder, and loses nothing; CLI commands reach the running hub over its local socket.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { copyPgliteTemplate } from '../support/db.ts';
import { childEnv, cli, startTs, type Child } from '../support/process.ts';

let dataDir: string;
let env: NodeJS.ProcessEnv;
let hub: Child;
let url: string;
let apiKey: string;

beforeAll(async () => {
  dataDir = copyPgliteTemplate('embedded');
  env = childEnv({ PATCHBAY_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' });
  hub = startTs('demo/start.ts', [], env);
  url = (await hub.waitFor(/running at (http:\/\/\S+)/, 60_000))[1]!;
  apiKey = (await hub.waitFor(/(pb_test_[0-9a-z]+)/))[1]!;
}, 90_000);

afterAll(async () => {
  await hub?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

// tsx runs the script in a child node process: the lock names that one.
const holderPid = () => (JSON.parse(fs.readFileSync(`${dataDir}/patchbay.lock`, 'utf8')) as { pid: number }).pid;

const api = async (path: string, key = apiKey) => {
  const res = await request(`${url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
};

describe('one process per embedded database', () => {
  it('answers /health once started', async () => {
    const res = await request(`${url}/health`);
    expect(res.statusCode).toBe(200);
    await res.body.dump();
  });

  it('refuses a second npm start on the same data directory, naming it and the holder, and loses nothing', async () => {
    const before = await api('/api/v1/organizations/current');
    const second = startTs('demo/start.ts', [], env);
    const code = await second.exited;
    expect(code).not.toBe(0);
    expect(second.output()).toContain(dataDir);
    expect(second.output()).toContain(`process ${holderPid()}`);
    const after = await api('/api/v1/organizations/current');
    expect(after).toEqual(before);
    expect(fs.readFileSync(`${dataDir}/demo-credentials.txt`, 'utf8')).toContain(apiKey);
    expect(fs.statSync(`${dataDir}/demo-credentials.txt`).mode & 0o777).toBe(0o600);
  }, 60_000);

  it('refuses `serve` too, with exit code 5', async () => {
    const result = await cli(['serve'], env);
    expect(result.code).toBe(5);
    expect(result.stderr).toContain('is in use by process');
  }, 60_000);
});

describe('the CLI while the hub runs', () => {
  it('creates a key over the local socket; the JSON has it under `key`, and the hub accepts it', async () => {
    const result = await cli(['keys', 'create', '--org', 'acme', '--env', 'dev', '--role', 'viewer', '--json'], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const created = JSON.parse(result.stdout) as { key: string; scopes: string[] };
    expect(created.key).toMatch(/^pb_test_/);
    expect((await api('/api/v1/auth/me', created.key)).body).toMatchObject({ kind: 'apiKey', environment: 'dev' });
    const listed = await cli(['keys', 'list', '--org', 'acme', '--env', 'dev'], env);
    expect(listed.stdout).toContain('viewer');
    expect(listed.stdout).not.toContain(created.key);
  }, 60_000);

  it('passes doctor, reporting the lock held by the hub', async () => {
    const result = await cli(['doctor', '--json'], env);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { ok: boolean; checks: { name: string; detail: string }[] };
    expect(report.ok).toBe(true);
    expect(report.checks.find((c) => c.name === 'lock')!.detail).toContain(`process ${holderPid()}`);
  }, 60_000);

  it('explains bad arguments and exits with 2 or 3', async () => {
    const missing = await cli(['keys', 'create', '--org', 'acme'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--env <name>'");
    const badRole = await cli(['keys', 'create', '--org', 'acme', '--env', 'dev', '--role', 'emperor'], env);
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toContain('--role must be');
    const noOrg = await cli(['keys', 'list', '--org', 'nobody'], env);
    expect(noOrg.code).toBe(3);
    expect(noOrg.stderr).toContain('no organization "nobody"');
    const badState = await cli(['jobs', 'list', '--state', 'sleepy'], env);
    expect(badState.code).toBe(2);
    const unknown = await cli(['frobnicate'], env);
    expect(unknown.code).toBe(2);
  }, 60_000);
});
