/**
 * Shared set-up of the OAuth tests: a hub API, a real authorization server, and a Custom OAuth
 * integration pointing at it (its userinfo endpoint serves as the connection test).
 */
import { eq } from 'drizzle-orm';
import { expect } from 'vitest';
import { events } from '../../src/events/index.ts';
import { bearer, type TestApi } from '../support/api.ts';
import type { AuthorizationServer } from '../support/authorization-server.ts';
import { PUBLIC_URL } from '../support/browser.ts';

export const CALLBACK = `${PUBLIC_URL}/oauth/callback`;

export async function request(api: TestApi, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, key = api.keys.admin) {
  return api.app.inject({ method, url, headers: bearer(key), ...(payload === undefined ? {} : { payload: payload as object }) });
}

/** A Custom OAuth integration on the test authorization server; returns its id. */
export async function customOAuthIntegration(api: TestApi, as: AuthorizationServer, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await request(api, 'POST', '/api/v1/integrations', {
    connectorKey: 'custom-oauth',
    clientId: as.clientId,
    clientSecret: as.clientSecret,
    scopes: ['openid', 'profile', 'offline_access'],
    config: {
      authorizationUrl: as.urls.authorizationUrl,
      tokenUrl: as.urls.tokenUrl,
      revocationUrl: as.urls.revocationUrl,
      apiBaseUrl: as.issuer,
      testPath: '/me',
    },
    ...extra,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}

/** A connect session; returns the connect URL of its first integration (a hub path). */
export async function connectUrl(api: TestApi, body: Record<string, unknown>): Promise<string> {
  const res = await request(api, 'POST', '/api/v1/connect/sessions', body);
  expect(res.statusCode, res.body).toBe(201);
  return String(res.json().integrations[0].connectUrl).slice(PUBLIC_URL.length);
}

export async function eventsOf(api: TestApi, connectionId: string): Promise<string[]> {
  const all = await api.database.db.select().from(events).orderBy(events.id);
  return all.filter((e) => e.data.connectionId === connectionId).map((e) => e.type);
}

export async function credentials(api: TestApi, connectionId: string): Promise<{ accessToken: string; refreshToken?: string; idToken?: string; expiresAt?: string }> {
  const res = await request(api, 'GET', `/api/v1/connections/${connectionId}/credentials`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().credentials;
}

export const devId = (api: TestApi) => api.seed.environments.find((e) => e.name === 'dev')!.id;
export const scopeOf = (api: TestApi) => ({ organizationId: api.seed.organization.id, environmentId: devId(api) });
export { eq };
