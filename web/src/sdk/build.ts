/**
 * A Vite plugin for web/vite.config.ts: after the pages are built, builds the browser SDK
 * (connect.ts) as one self-contained ES module at `<outDir>/sdk/connect.js` with its types beside
 * it (`connect.d.ts`, generated from the same source), which the hub serves at /sdk/connect.js and
 * /sdk/connect.d.ts. Stays under 10 kB gzipped (test/web/sdk-package.test.ts checks both).
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
    },
  };
}
