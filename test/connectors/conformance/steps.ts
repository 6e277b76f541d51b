/**
 * Steps of the conformance suite that differ by connection mode or provider scheme, written once:
 * connecting an account (a key through the API, OAuth through the real authorization flow with
 * the simulator as authorization server), a credential made wrong, a signed webhook delivered.
 */
import { request } from 'undici';
import { expect } from 'vitest';
import type { Connector } from '../../../src/connectors/index.ts';
import { signerOf, type SimulatorHandle } from '../../../simulators/index.ts';
import { TestBrowser } from '../../support/browser.ts';
import { PUBLIC_URL, type ConformanceHub } from './hub.ts';

/** The connection's configuration: the simulator's sample plus what its profile adds. */
export function connectionConfigOf(sim: SimulatorHandle): Record<string, string> {
  return { ...sim.sample.connectionConfig, ...sim.profile?.connectionConfig };
}

/** Creates the integration and connects one account in the connector's mode; returns the connection id. */
export async function connect(h: ConformanceHub, connector: Connector, sim: SimulatorHandle): Promise<string> {
  const { manifest } = connector;
  const hasApi = Object.keys(manifest.baseUrls).length > 0;
  const integration = {
    connectorKey: manifest.key,
    ...(hasApi ? { baseUrl: sim.baseUrl } : {}),
    ...(Object.keys(sim.sample.integrationConfig).length > 0 ? { config: sim.sample.integrationConfig } : {}),
    ...(manifest.connectionMode === 'oauth' && sim.oauth
      ? {
          clientId: sim.oauth.clientId,
          clientSecret: sim.oauth.clientSecret,
          oauthUrls: {
            authorizationUrl: sim.oauth.authorizationUrl,
            tokenUrl: sim.oauth.tokenUrl,
            ...(sim.oauth.revocationUrl ? { revocationUrl: sim.oauth.revocationUrl } : {}),
            ...(sim.oauth.issuer ? { issuer: sim.oauth.issuer } : {}),
          },
        }
      : {}),
  };
  const created = await h.api<{ id: string }>('POST', '/integrations', integration);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const config = connectionConfigOf(sim);

  if (manifest.connectionMode !== 'oauth') {
    const res = await h.api<{ id: string; status: string }>('POST', '/connections', {
      integration: manifest.key,
      endCustomerId: `conformance-${manifest.key}`,
      credentials: sim.sample.credentials,
      ...(Object.keys(config).length > 0 ? { config } : {}),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.status).toBe('connected');
    return res.body.id;
  }

  const session = await h.api<{ integrations: { connectUrl: string }[] }>('POST', '/connect/sessions', {
    endCustomerId: `conformance-${manifest.key}`,
    integrations: [created.body.id],
    ...(Object.keys(config).length > 0 ? { connectionConfig: config } : {}),
  });
  expect(session.status, JSON.stringify(session.body)).toBe(201);
  const page = await new TestBrowser(h.hub.app!).connect(session.body.integrations[0]!.connectUrl);
  expect(page.statusCode, page.body).toBe(200);
  const id = /Connection: (conn_[0-9a-z]+)/.exec(page.body)?.[1];
  expect(id, page.body).toBeTruthy();
  return id!;
}

/** The sample credentials made wrong, the way a mistyped key or a revoked token is. */
export function wrongCredentials(sim: SimulatorHandle): Record<string, string> {
  return Object.fromEntries(Object.entries(sim.sample.credentials).map(([name, value]) => [name, `${value.slice(0, -4)}Xw0r`]));
}

export interface Delivery {
  status: number;
  body: string;
}

/** Signs `body` the provider's way for `secret` and delivers it to the source, as the provider would. */
export async function deliver(h: ConformanceHub, key: string, sourceId: string, secret: string, body: string, tamper?: (signed: { headers: Record<string, string>; body: string }) => void): Promise<Delivery> {
  const signed = signerOf(key)!(secret, { url: `${PUBLIC_URL}/webhooks/in/${sourceId}`, body, id: `conformance-${key}-1` });
  tamper?.(signed);
  const res = await request(signed.url.replace(PUBLIC_URL, h.url), { method: signed.method as 'POST', headers: signed.headers, body: signed.body });
  return { status: res.statusCode, body: await res.body.text() };
}

/** The same delivery signed again: same event, a body changed by one character after signing. */
export function tamperBody(signed: { body: string }): void {
  signed.body = signed.body.replace(/.$/, (c) => (c === '}' || c === ']' ? ` ${c}` : `${c}x`));
}
