import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { sha256Hex } from '../../src/core/index.ts';
import { createVault } from '../../src/credentials/index.ts';
import { connections, connectionOwner, getConnectionContext, openTokens } from '../../src/connections/index.ts';
import { OAUTH_TOKENS } from '../../src/credentials/oauth/index.ts';
import { createTestApi, type TestApi } from '../support/api.ts';
import { onPostgres } from '../support/db.ts';
import { startAuthorizationServer, type AuthorizationServer } from '../support/authorization-server.ts';
import { TestBrowser } from '../support/browser.ts';
import { CALLBACK, connectUrl, customOAuthIntegration, scopeOf } from './support.ts';

const FIXTURE = path.resolve('test/oauth/fixtures/use-connection.ts');
const masterKey = { id: 'concurrency', key: randomBytes(32) };
let api: TestApi;
let as: AuthorizationServer;
let integrationId: string;

/** Connects an account, then makes its access token expired (for every process's clock). */
async function expiredConnection(id: string): Promise<string> {
  const url = await connectUrl(api, { endCustomerId: id, integrations: [integrationId] });
  const page = await new TestBrowser(api.app).connect(`${url}&connectionId=${id}`);
  expect(page.statusCode, page.body).toBe(200);
  const scope = scopeOf(api);
  const tokens = await openTokens(api.database.db, api.vault, scope, id);
  const past = new Date(Date.now() - 60_000);
  await api.vault.replace(api.database.db, scope, { ...connectionOwner(id), name: OAUTH_TOKENS }, { ...tokens, expiresAt: past.toISOString() });
  await api.database.db.update(connections).set({ tokenExpiresAt: past }).where(eq(connections.id, id));
  return tokens.accessToken;
}

beforeAll(async () => {
  // The system clock: a second process judges expiry by its own.
  api = await createTestApi({ vault: createVault({ keys: [masterKey] }), clock: { now: () => new Date() } });
  as = await startAuthorizationServer({ redirectUri: CALLBACK });
  // Rotation on: a refresh token presented twice would end the grant, so a double refresh fails loudly.
  as.rotateRefreshTokens = true;
  integrationId = await customOAuthIntegration(api, as);
});
afterAll(async () => {
  await as.close();
  await api.close();
});

describe('concurrent uses of an expired token', () => {
  it('make one call to the token endpoint in one process', async () => {
    const old = await expiredConnection('one-process');
    as.tokenDelayMs = 200;
    const hits = as.tokenHits;
    try {
      const contexts = await Promise.all(Array.from({ length: 20 }, () => getConnectionContext(api.database.db, api.vault, scopeOf(api), 'one-process')));
      const tokens = new Set(contexts.map((c) => c.options.credentials.accessToken));
      expect(as.tokenHits - hits).toBe(1);
      expect(tokens.size).toBe(1);
      expect(tokens.has(old)).toBe(false);
      expect(await as.userinfoStatus([...tokens][0]!)).toBe(200);
    } finally {
      as.tokenDelayMs = 0;
    }
  });

  it.runIf(onPostgres())('make one call to the token endpoint across two processes', async () => {
    const old = await expiredConnection('two-processes');
    const scope = scopeOf(api);
    const child: ChildProcess = spawn(
      process.execPath,
      ['--import', 'tsx', FIXTURE, api.database.url!, scope.organizationId, scope.environmentId, 'two-processes', '10'],
      { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, PATCHBAY_SECRET_KEYS: `${masterKey.id}:${masterKey.key.toString('base64')}` } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk) => (stdout += String(chunk)));
    child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', () => stdout.includes('ready') && resolve());
        child.once('exit', (code) => reject(new Error(`the second process exited with ${code} before it was ready: ${stderr}`)));
      });
      // Both processes find the token expired at once; the token endpoint is slow enough that
      // the second one must wait for the first one's renewal.
      as.tokenDelayMs = 500;
      const hits = as.tokenHits;
      child.stdin!.write('go\n');
      const mine = await Promise.all(Array.from({ length: 10 }, () => getConnectionContext(api.database.db, api.vault, scope, 'two-processes')));
      expect(await exited).toBe(0);
      const theirs = (JSON.parse(stdout.split('\n').find((l) => l.startsWith('{'))!) as { tokens: string[] }).tokens;
      expect(theirs).toHaveLength(10);
      expect(as.tokenHits - hits).toBe(1);
      const all = new Set([...mine.map((c) => sha256Hex(c.options.credentials.accessToken!)), ...theirs]);
      expect(all.size).toBe(1);
      expect(all.has(sha256Hex(old))).toBe(false);
    } finally {
      as.tokenDelayMs = 0;
      if (child.exitCode === null) child.kill('SIGTERM');
    }
  }, 60_000);
});
