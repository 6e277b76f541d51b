import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConnectorLoadError, loadCatalog, loadRegistry, monogramIcon, validateManifest } from '../../src/connectors/index.ts';

const SDK = pathToFileURL(path.resolve('src/connectors/sdk.ts')).href;

const valid = {
  key: 'acme',
  name: 'Acme',
  description: 'A provider for tests.',
  category: 'crm',
  icon: monogramIcon('A', '#333333'),
  capabilities: ['proxy'],
  connectionMode: 'apiKey',
  auth: {
    fields: { apiKey: { label: 'API key', secret: true } },
    inject: { in: 'header', name: 'Authorization', format: 'Bearer {apiKey}' },
  },
  baseUrls: { production: 'https://api.acme.example' },
  rateLimit: '100/minute',
  docsUrl: 'https://docs.acme.example',
};

/** A catalog file that calls defineConnector with `manifest` plus a test. */
function connectorFile(manifest: Record<string, unknown>): string {
  return `import { defineConnector, connected } from '${SDK}';
export default defineConnector({ ...${JSON.stringify(manifest)}, async testConnection() { return connected({}); } });
`;
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'patchbay-catalog-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function loadError(): Promise<ConnectorLoadError> {
  const error = await loadCatalog(dir).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(ConnectorLoadError);
  return error as ConnectorLoadError;
}

describe('loading a catalog', () => {
  it('loads .ts files, folders with an index, and declarative .json files', async () => {
    await writeFile(path.join(dir, 'acme.ts'), connectorFile(valid));
    await mkdir(path.join(dir, 'beta'));
    await writeFile(path.join(dir, 'beta', 'index.ts'), connectorFile({ ...valid, key: 'beta', name: 'Beta' }));
    await writeFile(path.join(dir, 'gamma.json'), JSON.stringify({ ...valid, key: 'gamma', name: 'Gamma', test: { path: '/me' } }));
    await writeFile(path.join(dir, '_helpers.ts'), 'export const x = 1;');
    await writeFile(path.join(dir, 'acme.test.ts'), 'throw new Error("tests are not connectors")');
    const registry = await loadCatalog(dir);
    expect(registry.list().map((c) => c.key)).toEqual(['acme', 'beta', 'gamma']);
    expect(registry.get('gamma')!.declarative).toBe(true);
    expect(registry.get('acme')!.declarative).toBe(false);
  });

  it('stops with an error naming the broken file and what is wrong', async () => {
    await writeFile(path.join(dir, 'acme.ts'), connectorFile(valid));
    await writeFile(path.join(dir, 'broken.ts'), connectorFile({ ...valid, key: 'broken', category: 'weather', rateLimit: 'lots' }));
    const error = await loadError();
    expect(error.file).toMatch(/broken\.ts$/);
    expect(error.message).toMatch(/Connector .*broken\.ts is broken/);
    expect(error.message).toContain('category: must be one of analytics, identity, commerce, ops, crm, communication, support, dev, data');
    expect(error.message).toContain('rateLimit: must look like 100/minute or 110/10 seconds');
    expect(error.message).not.toContain('acme.ts');
  });

  it('names every broken file at once', async () => {
    await writeFile(path.join(dir, 'one.ts'), connectorFile({ ...valid, key: 'one', docsUrl: 'http://insecure.example' }));
    await writeFile(path.join(dir, 'two.json'), '{ "key": "two", ');
    const error = await loadError();
    expect(error.failures.map((f) => path.basename(f.file))).toEqual(['one.ts', 'two.json']);
    expect(error.message).toContain('docsUrl: must be an https:// URL');
    expect(error.message).toMatch(/two\.json is broken:\n {2}- \(manifest\): could not be parsed/);
  });

  it('rejects a file that does not compile or has no default export', async () => {
    await writeFile(path.join(dir, 'syntax.ts'), 'export default defineConnector({ key: ');
    await writeFile(path.join(dir, 'nodefault.ts'), `export const connector = 1;`);
    const error = await loadError();
    const byFile = Object.fromEntries(error.failures.map((f) => [path.basename(f.file), f.problems[0]!.message]));
    expect(byFile['nodefault.ts']).toMatch(/has no default export/);
    expect(byFile['syntax.ts']).toMatch(/could not be parsed|failed to load/);
  });

  it('requires the key to match the file name', async () => {
    await writeFile(path.join(dir, 'acme.ts'), connectorFile({ ...valid, key: 'acme-crm' }));
    const error = await loadError();
    expect(error.message).toContain(`key: is "acme-crm" but the file is named for "acme"`);
  });

  it('refuses two entries with one key', async () => {
    await writeFile(path.join(dir, 'acme.ts'), connectorFile(valid));
    await writeFile(path.join(dir, 'acme.json'), JSON.stringify({ ...valid, test: { path: '/me' } }));
    const error = await loadError();
    expect(error.message).toMatch(/"acme" is already the key of .*acme\.(json|ts)/);
  });

  it('accepts a plain object as default export, validated the same way', async () => {
    await writeFile(path.join(dir, 'acme.ts'), `export default ${JSON.stringify({ ...valid, test: { path: '/me' } })};`);
    await writeFile(path.join(dir, 'zed.ts'), `export default ${JSON.stringify({ ...valid, key: 'zed', capabilities: ['teleport'], test: { path: '/me' } })};`);
    const error = await loadError();
    expect(error.failures).toHaveLength(1);
    expect(error.message).toMatch(/zed\.ts is broken:\n {2}- capabilities\.0: must be one of proxy, records, metrics, webhooks, identity/);
  });

  it('makes the loaded catalog the process registry, and a failed load leaves none behind', async () => {
    await writeFile(path.join(dir, 'broken.ts'), connectorFile({ ...valid, key: 'broken', icon: '<svg onload="alert(1)"></svg>' }));
    await expect(loadRegistry({ catalogDir: dir })).rejects.toThrow(/icon: must not contain event handler attributes/);
  });
});

describe('manifest validation', () => {
  const problems = (manifest: Record<string, unknown>): string[] => {
    const result = validateManifest(manifest);
    return result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`);
  };

  it('accepts a valid manifest and fills its defaults', () => {
    const result = validateManifest(valid);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.manifest.connectionConfig).toEqual({});
      expect(result.manifest.uiEmbeds).toEqual([]);
    }
  });

  it('names misspelled and missing properties', () => {
    const { docsUrl: _docs, ...withoutDocs } = valid;
    expect(problems({ ...withoutDocs, catgory: 'crm' })).toEqual([
      'catgory: is not a known property (check its spelling)',
      'docsUrl: is required',
    ]);
  });

  it('checks key format, URLs and rate-limit syntax', () => {
    expect(problems({ ...valid, key: 'Acme_CRM' })).toEqual([
      'key: must be lower-case letters and digits, words joined by single hyphens (e.g. custom-oauth)',
    ]);
    expect(problems({ ...valid, baseUrls: { production: 'ftp://files.acme.example' } })).toEqual([
      'baseUrls.production: must be an https:// URL, or start with a {placeholder} that holds one',
    ]);
    expect(problems({ ...valid, rateLimit: '0/minute' })).toEqual(['rateLimit: must be at least 1 request per window, e.g. 100/minute']);
  });

  it('requires placeholders to name declared fields', () => {
    expect(problems({ ...valid, baseUrls: { production: 'https://{tenant}.acme.example' } })).toEqual([
      'baseUrls.production: {tenant} is not a configuration field; declare it in connectionConfig or integrationConfig',
    ]);
    expect(
      problems({ ...valid, connectionConfig: { tenant: { label: 'Tenant' } }, baseUrls: { production: 'https://{tenant}.acme.example' } }),
    ).toEqual([]);
    expect(problems({ ...valid, auth: { ...valid.auth, inject: { in: 'header', name: 'Authorization', format: 'Bearer {token}' } } })).toEqual([
      'auth.inject: {token} is not a credential value; use one of {apiKey}',
    ]);
  });

  it('checks field patterns compile and the OAuth settings of the oauth mode', () => {
    expect(problems({ ...valid, auth: { ...valid.auth, fields: { apiKey: { label: 'Key', pattern: '([a-z' } } } })[0]).toMatch(
      /^auth\.fields\.apiKey\.pattern: is not a valid regular expression/,
    );
    const oauth = {
      ...valid,
      connectionMode: 'oauth',
      auth: { authorizationUrl: 'https://acme.example/authorize', tokenUrl: 'https://acme.example/token', scopes: ['read'], authorizationParams: { state: 'x' } },
    };
    expect(problems(oauth)).toEqual(['auth.authorizationParams.state: is set by Patchbay during the flow and cannot be fixed here']);
    expect(problems({ ...oauth, auth: { ...oauth.auth, authorizationParams: {}, pkce: 'yes' } })).toEqual(['auth.pkce: must be boolean']);
  });

  it('checks a credential placement against the branch its `in` names', () => {
    expect(problems({ ...valid, auth: { ...valid.auth, inject: { in: 'header', nam: 'X-Key', format: '{apiKey}' } } })).toEqual([
      'auth.inject.nam: is not a known property (check its spelling)',
      'auth.inject.name: is required',
    ]);
  });

  it('reports a mode or placement named after an Object.prototype member instead of throwing', () => {
    expect(problems({ ...valid, connectionMode: 'constructor' }).length).toBeGreaterThan(0);
    expect(problems({ ...valid, auth: { ...valid.auth, inject: { in: 'toString', name: 'X-Key', format: '{apiKey}' } } }).length).toBeGreaterThan(0);
  });

  it('accepts basic and managed-vault modes with the same form-and-placement settings', () => {
    const basic = { ...valid, connectionMode: 'basic', auth: { fields: { username: { label: 'User' }, password: { label: 'Password', secret: true } }, inject: { in: 'basic', username: '{username}', password: '{password}' } } };
    expect(problems(basic)).toEqual([]);
    expect(problems({ ...basic, auth: { ...basic.auth, inject: valid.auth.inject } })).toContain('auth.inject.in: must be basic for connectionMode basic');
    expect(problems({ ...valid, connectionMode: 'managedVault' })).toEqual([]);
  });

  it('refuses icons that could run script or load external resources', () => {
    expect(problems({ ...valid, icon: '<svg><script>alert(1)</script></svg>' })).toContain(
      'icon: must not contain scripts, foreignObject or javascript: URLs',
    );
    expect(problems({ ...valid, icon: '<svg><image href="https://tracker.example/x.png"/></svg>' })).toContain(
      'icon: must not reference external resources (href may only point inside the SVG)',
    );
    expect(problems({ ...valid, icon: 'https://acme.example/logo.png' })).toContain('icon: must be an inline SVG document: <svg …>…</svg>');
  });
});
