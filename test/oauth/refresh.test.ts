import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { ManualClock, silentLogger } from '../../src/core/index.ts';
import { createQueue } from '../../src/queue/index.ts';
import { jobs } from '../../src/queue/index.ts';
import { connections, enqueueDueRefreshes, installConnectionJobs, refreshConnectionTokens, REFRESH_JOB } from '../../src/connections/index.ts';
import { OAuthError } from '../../src/credentials/oauth/index.ts';
import { createTestApi, type TestApi } from '../support/api.ts';
import { startAuthorizationServer, type AuthorizationServer } from '../support/authorization-server.ts';
import { TestBrowser } from '../support/browser.ts';
import { waitFor } from '../queue/helpers.ts';
import { CALLBACK, connectUrl, credentials, customOAuthIntegration, eventsOf, request, scopeOf } from './support.ts';

let api: TestApi;
let as: AuthorizationServer;
let integrationId: string;
const clock = new ManualClock(new Date());
const HOUR = 3_600_000;

/** Connects a new account through the browser; returns its connection id. */
async function connectAccount(endCustomerId: string, id = `${endCustomerId}-conn`): Promise<string> {
  const url = await connectUrl(api, { endCustomerId, integrations: [integrationId] });
  const page = await new TestBrowser(api.app).connect(`${url}&connectionId=${id}`);
  expect(page.statusCode, page.body).toBe(200);
  return id;
}

const test = async (id: string) => (await request(api, 'POST', `/api/v1/connections/${id}/test`, {})).json();
const connection = async (id: string) => (await request(api, 'GET', `/api/v1/connections/${id}`)).json();

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  api = await createTestApi({ clock });
  as = await startAuthorizationServer({ redirectUri: CALLBACK });
  integrationId = await customOAuthIntegration(api, as);
});
afterAll(async () => {
  await as.close();
  await api.close();
});

describe('renewing tokens', () => {
  it('renews an expired token when a use finds it, keeping a refresh token the provider does not rotate', async () => {
    as.rotateRefreshTokens = false;
    const id = await connectAccount('r-1');
    const before = await credentials(api, id);
    clock.advance(HOUR + 1_000);
    const refreshes = as.grants.refresh_token ?? 0;
    const tested = await test(id);
    expect(tested).toMatchObject({ ok: true, connection: { status: 'connected' } });
    expect(as.grants.refresh_token).toBe(refreshes + 1);
    const after = await credentials(api, id);
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).toBe(before.refreshToken);
    expect(await as.userinfoStatus(after.accessToken)).toBe(200);
    expect((await connection(id)).lastRefreshAt).not.toBeNull();
  });

  it('stores a rotated refresh token, so the next renewal presents the new one', async () => {
    as.rotateRefreshTokens = true;
    try {
      const id = await connectAccount('r-2');
      const first = await credentials(api, id);
      clock.advance(HOUR + 1_000);
      expect(await test(id)).toMatchObject({ ok: true });
      const second = await credentials(api, id);
      expect(second.refreshToken).not.toBe(first.refreshToken);
      // The provider treats a second use of a rotated token as theft and ends the grant: this
      // passes only if the new one is presented.
      clock.advance(HOUR + 1_000);
      expect(await test(id)).toMatchObject({ ok: true, connection: { status: 'connected' } });
      expect((await credentials(api, id)).refreshToken).not.toBe(second.refreshToken);
    } finally {
      as.rotateRefreshTokens = false;
    }
  });

  it('marks the connection refresh_failed on invalid_grant and says so in an event; re-authorizing recovers it', async () => {
    const id = await connectAccount('r-3');
    const { refreshToken } = await credentials(api, id);
    // The end customer revokes access at the provider.
    const revoke = await fetch(as.urls.revocationUrl, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${as.clientId}:${as.clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: refreshToken!, token_type_hint: 'refresh_token' }),
    });
    expect(revoke.status).toBe(200);
    clock.advance(HOUR + 1_000);
    const tested = await test(id);
    expect(tested).toMatchObject({ ok: false, code: 'refresh_failed' });
    expect(tested.message).toContain('invalid_grant');
    expect(tested.hint).toContain('reconnect');
    const failed = await connection(id);
    expect(failed).toMatchObject({ status: 'error', statusReason: 'refresh_failed' });
    expect(failed.statusMessage).toContain('The end customer must reconnect the account');
    expect(failed.errorCount).toBeGreaterThanOrEqual(1);
    expect(await eventsOf(api, id)).toEqual(['connection.created', 'connection.refresh_failed']);
    const credentialsRead = await request(api, 'GET', `/api/v1/connections/${id}/credentials`);
    expect(credentialsRead.statusCode).toBe(409);
    expect(credentialsRead.json()).toMatchObject({ type: 'https://patchbay.dev/problems/credential-unavailable', reason: 'refresh_failed' });

    const url = await connectUrl(api, { endCustomerId: 'r-3', connectionId: id, integrations: [integrationId] });
    expect((await new TestBrowser(api.app).connect(url)).statusCode).toBe(200);
    expect(await connection(id)).toMatchObject({ status: 'connected', statusReason: null, errorCount: 0 });
    expect(await eventsOf(api, id)).toEqual(['connection.created', 'connection.refresh_failed', 'connection.recovered']);
  });

  it('retries a renewal the provider cannot answer, then gives up with refresh_failed', async () => {
    const id = await connectAccount('r-4');
    const port = await closedPort();
    const unreachable = `http://127.0.0.1:${port}/token`;
    const patch = await request(api, 'PATCH', `/api/v1/integrations/${integrationId}`, { config: { tokenUrl: unreachable } });
    expect(patch.statusCode, patch.body).toBe(200);
    try {
      clock.advance(HOUR + 1_000);
      // A use: it fails, leaves the status alone, and hands over to the background job.
      const tested = await test(id);
      expect(tested).toMatchObject({ ok: false, code: 'refresh_failed', connection: { status: 'connected' } });
      expect(tested.message).toContain('keeps trying in the background');
      const queued = await api.database.db.select().from(jobs).where(eq(jobs.type, REFRESH_JOB));
      expect(queued.map((j) => (j.payload as { connectionId: string }).connectionId)).toContain(id);

      // The job's attempts: retried while attempts remain, then given up.
      const scope = scopeOf(api);
      const attempt = (final: boolean) => refreshConnectionTokens(api.database.db, api.vault, scope, id, { clock, job: { final } });
      await expect(attempt(false)).rejects.toBeInstanceOf(OAuthError);
      expect(await connection(id)).toMatchObject({ status: 'connected' });
      const err = await attempt(true).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'network_error', permanent: false });
      const failed = await connection(id);
      expect(failed).toMatchObject({ status: 'error', statusReason: 'refresh_failed' });
      expect(failed.statusMessage).toContain('could not be renewed after 5 attempts');
      expect(failed.errorCount).toBe(3);
    } finally {
      await request(api, 'PATCH', `/api/v1/integrations/${integrationId}`, { config: { tokenUrl: as.urls.tokenUrl } });
    }
    // Once the provider answers again, a renewal recovers the connection.
    await refreshConnectionTokens(api.database.db, api.vault, scopeOf(api), id, { clock, force: true });
    expect(await connection(id)).toMatchObject({ status: 'connected', errorCount: 0 });
    expect(await eventsOf(api, id)).toEqual(['connection.created', 'connection.refresh_failed', 'connection.recovered']);
  });

  it('renews tokens in the background before they expire', async () => {
    const id = await connectAccount('r-5');
    const before = await credentials(api, id);
    const queue = createQueue({ database: api.database, logger: silentLogger, clock, concurrency: 2, leaseSeconds: 30 });
    installConnectionJobs({ db: api.database.db, vault: api.vault, queue, clock, logger: silentLogger, refreshMarginSeconds: 300 });
    await queue.start();
    try {
      const queuedFor = async () =>
        (await api.database.db.select().from(jobs).where(eq(jobs.type, REFRESH_JOB))).some((j) => (j.payload as { connectionId: string }).connectionId === id);
      // Ten minutes before expiry: not due yet.
      clock.advance(HOUR - 10 * 60_000);
      await enqueueDueRefreshes(api.database.db, clock, 300_000);
      expect(await queuedFor()).toBe(false);
      expect((await connection(id)).lastRefreshAt).toBeNull();
      // Four minutes before: within the five-minute margin.
      clock.advance(6 * 60_000);
      expect(await enqueueDueRefreshes(api.database.db, clock, 300_000)).toBeGreaterThanOrEqual(1);
      const [renewed] = await waitFor(async () => {
        const found = await api.database.db.select().from(connections).where(eq(connections.id, id));
        return found[0]?.lastRefreshAt ? found : undefined;
      }, 10_000, 'the background renewal');
      expect(renewed!.tokenExpiresAt!.getTime()).toBeGreaterThan(clock.now().getTime() + 50 * 60_000);
      expect((await credentials(api, id)).accessToken).not.toBe(before.accessToken);
    } finally {
      await queue.stop({ graceMs: 1_000 });
    }
  });
});

describe('revoking and client credentials', () => {
  it('revokes the tokens at the provider (RFC 7009) when the connection is deleted', async () => {
    const id = await connectAccount('v-1');
    const { accessToken } = await credentials(api, id);
    expect(await as.userinfoStatus(accessToken)).toBe(200);
    const revocations = as.revocations;
    const res = await request(api, 'DELETE', `/api/v1/connections/${id}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().revocation).toEqual({ attempted: true, ok: true });
    expect(as.revocations).toBe(revocations + 2);
    expect(await as.userinfoStatus(accessToken)).toBe(401);
    expect(await eventsOf(api, id)).toEqual(['connection.created', 'connection.deleted']);
  });

  it('revokes every token of an end customer who is erased', async () => {
    const a = await connectAccount('v-2', 'v-2-a');
    const b = await connectAccount('v-2', 'v-2-b');
    const tokens = [(await credentials(api, a)).accessToken, (await credentials(api, b)).accessToken];
    await request(api, 'POST', '/api/v1/connect/sessions', { endCustomerId: 'v-2', integrations: [integrationId] });
    const res = await request(api, 'DELETE', '/api/v1/end-customers/v-2');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ revocations: { 'v-2-a': { ok: true }, 'v-2-b': { ok: true } } });
    expect(res.json().connectSessionsDeleted).toBeGreaterThanOrEqual(3);
    for (const token of tokens) expect(await as.userinfoStatus(token)).toBe(401);
  });

  it('connects system-to-system with the client credentials grant, and renews by asking again', async () => {
    const cc = await customOAuthIntegration(api, as, { key: 'machine', scopes: ['api:read'], config: { authorizationUrl: as.urls.authorizationUrl, tokenUrl: as.urls.tokenUrl, apiBaseUrl: as.issuer } });
    const res = await request(api, 'POST', '/api/v1/connections', { integration: cc, id: 'machine-1', endCustomerId: 'backend', grantType: 'client_credentials' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ status: 'connected', credentialType: 'clientCredentials', lastTest: { ok: true } });
    const grants = as.grants.client_credentials ?? 0;
    expect(grants).toBe(1);
    const first = await credentials(api, 'machine-1');
    expect(first.refreshToken).toBeUndefined();
    clock.advance(HOUR + 1_000);
    expect(await test('machine-1')).toMatchObject({ ok: true });
    expect(as.grants.client_credentials).toBe(2);
    expect((await credentials(api, 'machine-1')).accessToken).not.toBe(first.accessToken);
    const refused = await request(api, 'POST', '/api/v1/connections', { integration: integrationId, endCustomerId: 'x' });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().detail).toContain('POST /api/v1/connect/sessions');
  });
});
