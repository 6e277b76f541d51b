import fs from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CATALOG_END, CATALOG_START, CATEGORIES, catalogMarkdown, listConnectors, loadRegistry } from '../../src/connectors/index.ts';
import { createTestApi, bearer, type TestApi } from '../support/api.ts';

const readme = fs.readFileSync('README.md', 'utf8');
const section = readme.slice(readme.indexOf(CATALOG_START) + CATALOG_START.length, readme.indexOf(CATALOG_END)).trim();

beforeAll(async () => {
  await loadRegistry();
});

describe('the README’s catalog table', () => {
  it('is the one generated from the manifests (run npm run docs:catalog when this fails)', () => {
    expect(readme).toContain(CATALOG_START);
    expect(section).toBe(catalogMarkdown(listConnectors()));
  });

  it('has a row per connector with its category, auth and capabilities', () => {
    for (const { manifest } of listConnectors()) {
      const row = section.split('\n').find((line) => line.includes(`| \`${manifest.key}\` |`));
      expect(row, manifest.key).toBeDefined();
      expect(row).toContain(`| ${manifest.category} |`);
      expect(row).toContain(manifest.capabilities.join(', '));
    }
  });

  describe('categories', () => {
    let api: TestApi;
    beforeAll(async () => {
      api = await createTestApi();
    });

    it('are the ones the API filters by, and every connector’s category is one of them', async () => {
      expect(section).toContain(`Categories (as \`GET /api/v1/connectors?category=\` takes them): ${CATEGORIES.join(', ')}.`);
      const listed = await api.app.inject({ method: 'GET', url: '/api/v1/connectors?limit=200', headers: bearer(api.keys.viewer) });
      const categories = new Set((listed.json().data as { category: string }[]).map((c) => c.category));
      for (const category of categories) expect(CATEGORIES).toContain(category);
      expect((await api.app.inject({ method: 'GET', url: '/api/v1/connectors?category=payments', headers: bearer(api.keys.viewer) })).statusCode).toBe(400);
      await api.close();
    });
  });
});
