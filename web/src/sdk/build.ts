/**
 * A Vite plugin for web/vite.config.ts: after the pages are built, builds the browser SDK
 * (connect.ts) as one self-contained ES module at `<outDir>/sdk/connect.js` with its types beside
 * it (`connect.d.ts`, generated from the same source), which the hub serves at /sdk/connect.js and
 * /sdk/connect.d.ts, and a package.json, so that `npm publish web/dist/sdk` publishes it as
 * `@patchbay/connect`. Stays under 10 kB gzipped (test/web/sdk-package.test.ts checks all three).
 */
import fs from 'node:fs';
import path from 'node:path';
import { build, type Plugin, type Rollup } from 'vite';
import { sdkDeclarations } from './declarations.ts';

/** The SDK's module as shipped (minified ES module); written to `outDir` when one is given. */
export async function buildSdkModule(sdkDir: string, outDir?: string): Promise<string> {
  const result = await build({
    configFile: false,
    logLevel: 'warn',
    build: {
      ...(outDir ? { outDir, emptyOutDir: true } : { write: false }),
      minify: true,
      sourcemap: false,
      lib: { entry: path.join(sdkDir, 'connect.ts'), formats: ['es'], fileName: () => 'connect.js' },
    },
  });
  const outputs = (Array.isArray(result) ? result : [result]) as Rollup.RollupOutput[];
  const chunk = outputs.flatMap((o) => o.output).find((o): o is Rollup.OutputChunk => o.type === 'chunk' && o.fileName === 'connect.js');
  if (!chunk) throw new Error('The SDK build made no connect.js');
  return chunk.code;
}

/** The npm package's manifest, at the hub's version; importing the module defines the widget elements. */
export function sdkPackage(sdkDir: string): Record<string, unknown> {
  const hub = JSON.parse(fs.readFileSync(path.resolve(sdkDir, '../../../package.json'), 'utf8')) as { version: string; license?: string };
  return {
    name: '@patchbay/connect',
    version: hub.version,
    description: 'Open Patchbay’s Connect UI from a product’s page, and embed its widgets',
    type: 'module',
    exports: { '.': { types: './connect.d.ts', default: './connect.js' } },
    types: './connect.d.ts',
    files: ['connect.js', 'connect.d.ts'],
    sideEffects: true,
    ...(hub.license ? { license: hub.license } : {}),
  };
}

export function connectSdk(sdkDir: string): Plugin {
  let outDir = '';
  return {
    name: 'patchbay-connect-sdk',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    async closeBundle() {
      const target = path.join(outDir, 'sdk');
      await buildSdkModule(sdkDir, target);
      fs.writeFileSync(path.join(target, 'connect.d.ts'), sdkDeclarations(path.join(sdkDir, 'connect.ts')));
      fs.writeFileSync(path.join(target, 'package.json'), `${JSON.stringify(sdkPackage(sdkDir), null, 2)}\n`);
    },
  };
}
