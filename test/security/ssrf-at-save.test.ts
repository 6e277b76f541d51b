/**
 * Every configuration value that becomes a host — connection config (the Okta domain), integration
 * config, an environment's Vault address — passes the same address policy when it is saved as
 * when it is used. `allowPrivateNetworks` lets loopback and private addresses through, never the
 * cloud metadata service.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listConnectors, loadRegistry } from '../../src/connectors/index.ts';
import { bearer, createTestApi, type TestApi } from '../support/api.ts';
import { PUBLIC_URL } from '../support/browser.ts';

let api: TestApi;
const devId = () => api.seed.environments.find((e) => e.name === 'dev')!.id;
const prodId = () => api.seed.environments.find((e) => e.name === 'prod')!.id;

/** Internal spellings that need no DNS: each passes the host-name format, so the address policy is what refuses it. */
const INTERNAL_HOSTS = [
  '169.254.169.254',
  '127.0.0.1',
  'metadata.google.internal',
  '127.1',
  '0x7f.0.0.1',
  '0177.0.0.1',
  '2130706433.0',
  '10.0.0.1',
  '172.16.5.4',
  '192.168.0.10',
  '100.64.0.1',
  '100.100.100.200',
  '0.0.0.0',
  'instance-data.ec2.internal',
  'metadata.goog',
  'localhost.localdomain',
  'vault.internal',
  'printer.local',
];
/** Never allowed, even where private networks are. */
const METADATA_HOSTS = ['169.254.169.254', 'metadata.google.internal', '100.100.100.200', 'instance-data.ec2.internal'];

const call = (key: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
  api.app.inject({ method, url, headers: bearer(key), ...(payload === undefined ? {} : { payload: payload as object }) });

async function oktaIntegration(key: string): Promise<string> {
  const res = await call(key, 'POST', '/api/v1/integrations', { connectorKey: 'okta', clientId: 'client-1', clientSecret: 'secret-1', scopes: ['openid'] });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}

beforeAll(async () => {
  await loadRegistry();
  api = await createTestApi();
});
afterAll(async () => {
  await api.close();
});

describe('SSRF at save time', () => {
  it('holds every connector to it: each config field that makes a whole host or URL in a template is a url or hostname field', () => {
    const strings = (value: unknown): string[] =>
      typeof value === 'string' ? [value] : value && typeof value === 'object' ? Object.values(value).flatMap(strings) : [];
    // `{name}` as the whole URL, or as the whole host (`https://{domain}/…`). A placeholder inside a
    // fixed domain (`https://{subdomain}.freshdesk.com`) cannot leave that domain: templates.ts
    // allows no `/ ? # @` in it.
    const hostMakers = (template: string): string[] => {
      const whole = /^\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(template) ?? /^https?:\/\/\{([A-Za-z_][A-Za-z0-9_]*)\}(?=[/:]|$)/.exec(template);
      return whole ? [whole[1]!] : [];
    };
    const unguarded: string[] = [];
    let checked = 0;
    for (const { manifest } of listConnectors()) {
      const fields = { ...manifest.integrationConfig, ...manifest.connectionConfig };
      for (const name of strings({ auth: manifest.auth, baseUrls: manifest.baseUrls }).flatMap(hostMakers)) {
        const field = fields[name];
        if (!field) continue; // filled from credentials (a token response's instance_url): checked when used
        checked++;
        if (field.format !== 'url' && field.format !== 'hostname') unguarded.push(`${manifest.key}: {${name}}`);
      }
    }
    expect(unguarded).toEqual([]);
    expect(checked).toBeGreaterThan(3);
    // The Okta domain is one of them.
    expect(listConnectors().find((c) => c.manifest.key === 'okta')!.manifest.connectionConfig.domain!.format).toBe('hostname');
  });

  describe('an Okta domain given to a connect session', () => {
    let prodOkta: string;
    let devOkta: string;
    beforeAll(async () => {
      prodOkta = await oktaIntegration(api.keys.prod);
      devOkta = await oktaIntegration(api.keys.admin);
    });

    it.each(INTERNAL_HOSTS)('refuses %s with 422 naming /connectionConfig/domain', async (host) => {
      const res = await call(api.keys.prod, 'POST', '/api/v1/connect/sessions', { endCustomerId: 'c-1', integrations: [prodOkta], connectionConfig: { domain: host } });
      expect(res.statusCode, res.body).toBe(422);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().errors.map((e: { field: string }) => e.field)).toEqual(['/connectionConfig/domain']);
    });

    it('accepts a public host name', async () => {
      const res = await call(api.keys.prod, 'POST', '/api/v1/connect/sessions', { endCustomerId: 'c-1', integrations: [prodOkta], connectionConfig: { domain: 'acme.okta.com' } });
      expect(res.statusCode, res.body).toBe(201);
    });

    it('lets loopback through where the environment allows private networks, never the metadata service', async () => {
      const loopback = await call(api.keys.admin, 'POST', '/api/v1/connect/sessions', { endCustomerId: 'c-1', integrations: [devOkta], connectionConfig: { domain: '127.0.0.1' } });
      expect(loopback.statusCode, loopback.body).toBe(201);
      for (const host of METADATA_HOSTS) {
        const res = await call(api.keys.admin, 'POST', '/api/v1/connect/sessions', { endCustomerId: 'c-1', integrations: [devOkta], connectionConfig: { domain: host } });
        expect(res.statusCode, `${host}: ${res.body}`).toBe(422);
      }
    });

    it('refuses a domain typed into the connect page: no redirect to the internal host', async () => {
      const session = await call(api.keys.prod, 'POST', '/api/v1/connect/sessions', { endCustomerId: 'c-2', integrations: [prodOkta] });
      const path = String(session.json().integrations[0].connectUrl).slice(PUBLIC_URL.length);
      for (const host of ['169.254.169.254', '127.0.0.1', 'metadata.google.internal']) {
        const page = await api.app.inject({ method: 'GET', url: `${path}&config.domain=${encodeURIComponent(host)}` });
        expect(page.statusCode, `${host}: ${page.body.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
        expect(page.statusCode).toBeLessThan(500);
        expect(page.headers.location ?? '').not.toContain(host);
      }
    });
  });

  describe("an environment's Vault address", () => {
    const patch = (environmentId: string, body: unknown) => call(api.keys.owner, 'PATCH', `/api/v1/environments/${environmentId}`, body);

    it.each(INTERNAL_HOSTS)('refuses https://%s:8200 in an environment without private networks, naming the field', async (host) => {
      const res = await patch(prodId(), { settings: { secretStores: { vault: { address: `https://${host}:8200` } } } });
      expect(res.statusCode, res.body).toBe(422);
      expect(res.json().errors.map((e: { field: string }) => e.field)).toEqual(['/settings/secretStores/vault/address']);
    });

    it('keeps the settings unchanged when refused, and accepts a public address', async () => {
      const before = (await call(api.keys.owner, 'GET', '/api/v1/environments')).json().data.find((e: { id: string }) => e.id === prodId());
      expect((await patch(prodId(), { settings: { secretStores: { vault: { address: 'http://169.254.169.254' } } } })).statusCode).toBe(422);
      const after = (await call(api.keys.owner, 'GET', '/api/v1/environments')).json().data.find((e: { id: string }) => e.id === prodId());
      expect(after).toEqual(before);
      const ok = await patch(prodId(), { settings: { secretStores: { vault: { address: 'https://vault.example.com:8200' } } } });
      expect(ok.statusCode, ok.body).toBe(200);
    });

    it('lets loopback through with allowPrivateNetworks, never the metadata service, and re-checks when private networks are turned off', async () => {
      expect((await patch(devId(), { settings: { secretStores: { vault: { address: 'http://127.0.0.1:8200' } } } })).statusCode).toBe(200);
      for (const host of METADATA_HOSTS) expect((await patch(devId(), { settings: { secretStores: { vault: { address: `http://${host}` } } } })).statusCode).toBe(422);
      const off = await patch(devId(), { allowPrivateNetworks: false });
      expect(off.statusCode, off.body).toBe(422);
      expect(off.json().errors[0].field).toBe('/settings/secretStores/vault/address');
    });

    it('refuses a secret-store setting of the wrong shape with 422 naming the field', async () => {
      const res = await patch(prodId(), { settings: { secretStores: { vault: { address: 42 }, ftp: true } } });
      expect(res.statusCode).toBe(422);
      expect(res.json().errors.map((e: { field: string }) => e.field).sort()).toEqual(['/settings/secretStores/ftp', '/settings/secretStores/vault/address']);
    });
  });

  describe('integration config', () => {
    it.each(['169.254.169.254', '127.0.0.1', 'metadata.google.internal', '0x7f.1'])('refuses a custom OAuth URL on %s with 422 naming the field', async (host) => {
      const res = await call(api.keys.prod, 'POST', '/api/v1/integrations', {
        connectorKey: 'custom-oauth',
        clientId: 'c',
        clientSecret: 's',
        config: { authorizationUrl: `https://${host}/authorize`, tokenUrl: 'https://auth.example.com/token', apiBaseUrl: 'https://api.example.com' },
      });
      expect(res.statusCode, res.body).toBe(422);
      expect(res.json().errors.map((e: { field: string }) => e.field)).toContain('/config/authorizationUrl');
    });
  });
});
