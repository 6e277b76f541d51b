import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../../src/core/index.ts';
import { ROLE_SCOPES, ROLES, SCOPES } from '../../src/auth/index.ts';
import { CATEGORIES } from '../../src/connectors/index.ts';

const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('starts with the two commands', () => {
    const top = readme.split('\n').slice(0, 10).join('\n');
    expect(top).toContain('npm install && npm start');
    expect(top).toContain('npm test');
  });

  it('documents every configuration variable the config module reads', () => {
    const source = fs.readFileSync(new URL('../../src/core/config.ts', import.meta.url), 'utf8');
    const read = new Set([...source.matchAll(/env\.([A-Z_]+)|\(env, '([A-Z_]+)'/g)].map((m) => m[1] ?? m[2]!));
    expect(read.size).toBeGreaterThan(10);
    for (const name of read) expect(CONFIG_VARIABLES, `${name} is read but not in CONFIG_VARIABLES`).toContain(name);
    for (const name of CONFIG_VARIABLES) expect(readme, `README lacks ${name}`).toContain(`| \`${name}\` |`);
  });

  it('publishes the scope table as the code defines it', () => {
    for (const [scope, meaning] of Object.entries(SCOPES)) {
      const marks = ROLES.map((r) => ((ROLE_SCOPES[r] as readonly string[]).includes(scope) ? '✓' : '')).join(' | ');
      expect(readme).toContain(`| \`${scope}\` | ${meaning} | ${marks} |`);
    }
  });

  it('names the categories as the catalog does where it introduces them', () => {
    const intro = readme.slice(0, readme.indexOf('## '));
    for (const word of ['payments', 'live-ops']) expect(intro).not.toContain(word);
    for (const category of CATEGORIES.filter((c) => c !== 'dev' && c !== 'crm')) expect(intro).toContain(category);
  });
});
