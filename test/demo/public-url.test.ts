/**
 * The public URL follows the port actually served: `patchbay serve --port N` without `PORT` or
 * `PUBLIC_URL` hands out `http://localhost:N/…` in source URLs, connect URLs, the OAuth callback
 * and the OpenAPI servers — not the default port 4000. `PUBLIC_URL` still wins when set.
 */
import fs from 'node:fs';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, servingOn } from '../../src/core/index.ts';
import { servedConfig } from '../../src/cli/serve.ts';
import { createPostgresDatabase, dropPostgresDatabase, onPostgres, tempDir } from '../support/db.ts';
import { childEnv, cli, startTs, type Child } from '../support/process.ts';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('the public URL in the configuration', () => {
  it('follows the port served when PUBLIC_URL is not set', () => {
    expect(servingOn(loadConfig({}), 4201).publicUrl).toBe('http://localhost:4201');
    expect(servingOn(loadConfig({ PORT: '4300' }), 4201)).toMatchObject({ port: 4201, publicUrl: 'http://localhost:4201' });
  });

  it('keeps PUBLIC_URL when it is set, whatever the port', () => {
    expect(servingOn(loadConfig({ PUBLIC_URL: 'https://hooks.example.com/' }), 4201)).toMatchObject({ port: 4201, publicUrl: 'https://hooks.example.com' });
  });

  it('chooses the port before the routes are built when asked for port 0, so the URLs name it', async () => {
    const config = await servedConfig(loadConfig({ HOST: '127.0.0.1' }), 0);
    expect(config.port).toBeGreaterThan(0);
    expect(config.publicUrl).toBe(`http://localhost:${config.port}`);
  });
});

describe('patchbay serve --port', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let hub: Child | undefined;
  let port: number;
  let apiKey: string;
  let dropDatabase: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    dataDir = tempDir('public-url');
    env = childEnv({ PATCHBAY_DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: undefined, PUBLIC_URL: undefined });
    if (onPostgres()) {
      const url = await createPostgresDatabase();
      dropDatabase = () => dropPostgresDatabase(url);
      env.DATABASE_URL = url;
      env.PATCHBAY_SECRET_KEYS = `pu:${Buffer.alloc(32, 3).toString('base64')}`;
    }
    const init = await cli(['init', '--org', 'porty', '--email', 'owner@porty.example', '--environments', 'dev', '--json'], env);
    expect(init.code, init.stderr).toBe(0);
    apiKey = (JSON.parse(init.stdout) as { apiKey: string }).apiKey;
    port = await freePort();
    hub = startTs('src/cli/main.ts', ['serve', '--port', String(port)], env);
    await hub.waitFor(/listening on/, 150_000);
  }, 240_000);

  afterAll(async () => {
    await hub?.stop();
    await dropDatabase?.();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  it('says where it listens: the port it was given', () => {
    expect(hub!.output()).toContain(`listening on http://127.0.0.1:${port}`);
  });

  it('hands out source URLs on the port served', async () => {
    const source = await call('POST', '/api/v1/sources', { name: 'Stripe', connector: 'stripe', secret: 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=' });
    expect(source.status).toBe(201);
    expect(source.body.url).toBe(`http://localhost:${port}/webhooks/in/${source.body.id}`);
  });

  it('hands out the OAuth callback and connect URLs on the port served', async () => {
    const integration = await call('POST', '/api/v1/integrations', { connectorKey: 'hubspot', clientId: 'client-1', clientSecret: 'secret-1' });
    expect(integration.status).toBe(201);
    expect(integration.body.oauth.callbackUrl).toBe(`http://localhost:${port}/oauth/callback`);
    const session = await call('POST', '/api/v1/connect/sessions', { endCustomerId: 'customer-1', integrations: [integration.body.id] });
    expect(session.status).toBe(201);
    expect(session.body.integrations[0].connectUrl).toMatch(new RegExp(`^http://localhost:${port}/oauth/connect/${integration.body.id}\\?`));
  });

  it('names the port served in the OpenAPI document', async () => {
    const doc = await call('GET', '/api/v1/openapi.json');
    expect(doc.body.servers).toEqual([{ url: `http://localhost:${port}` }]);
  });
});
