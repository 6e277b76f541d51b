/**
 * The browser SDK as the hub ships it (web/dist/sdk): under 10 kB gzipped, with types generated
 * from its source that the example product page (examples/connect-page/page.js, checked as
 * JavaScript) compiles against — and that refuse a wrong call, so the check is not vacuous.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureDashboardBuilt, WEB_DIR, WEB_DIST } from '../../demo/build-web.ts';
import { sdkDeclarations } from '../../web/src/sdk/declarations.ts';

const SDK = path.join(WEB_DIST, 'sdk');
const EXAMPLE = path.resolve(WEB_DIR, '../examples/connect-page/page.js');

beforeAll(async () => {
  await ensureDashboardBuilt(() => undefined);
}, 180_000);

/** TypeScript's errors for `files`, with `@patchbay/connect` resolved to the shipped types. */
function typeErrors(files: string[]): string[] {
  const program = ts.createProgram(files, {
    allowJs: true,
    checkJs: true,
    noEmit: true,
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
    types: [],
    skipLibCheck: true,
    paths: { '@patchbay/connect': [path.join(SDK, 'connect.d.ts')] },
  });
  return ts.getPreEmitDiagnostics(program).map((d) => `${d.file ? path.basename(d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

describe('the browser SDK as shipped', () => {
  it('stays under 10 kB gzipped', () => {
    const size = gzipSync(fs.readFileSync(path.join(SDK, 'connect.js'))).length;
    expect(size, `connect.js: ${(size / 1024).toFixed(1)} kB gzipped`).toBeLessThan(10_000);
  });

  it('ships the types generated from its source, self-contained', () => {
    const shipped = fs.readFileSync(path.join(SDK, 'connect.d.ts'), 'utf8');
    expect(shipped).toBe(sdkDeclarations(path.join(WEB_DIR, 'src/sdk/connect.ts')));
    expect(shipped).toContain('export declare function openConnect(options: OpenConnectOptions): Promise<ConnectResult>;');
    expect(shipped).toContain('export declare function defineSyncProgressElement(name?: string): void;');
    expect(shipped).not.toMatch(/^\s*import\b/m);
  }, 60_000);

  it('is an npm package, @patchbay/connect, whose exports name the module and its types', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(SDK, 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({ name: '@patchbay/connect', type: 'module', exports: { '.': { types: './connect.d.ts', default: './connect.js' } } });
    for (const file of manifest.files) expect(fs.existsSync(path.join(SDK, file)), file).toBe(true);
  });

  it('types the example product page, and refuse a wrong call', () => {
    expect(typeErrors([EXAMPLE])).toEqual([]);
    const wrong = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sdk-types-')), 'wrong.js');
    fs.writeFileSync(wrong, "// @ts-check\nimport { openConnect } from '@patchbay/connect';\nvoid openConnect({ sessionToken: 42, mode: 'sideways' });\n");
    const errors = typeErrors([wrong]);
    expect(errors.join('\n')).toMatch(/sessionToken|number/);
    fs.rmSync(path.dirname(wrong), { recursive: true, force: true });
  }, 60_000);
});
