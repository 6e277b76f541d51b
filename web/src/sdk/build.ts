/**
 * A Vite plugin for web/vite.config.ts: after the pages are built, builds the browser SDK
 * (connect.ts) as one self-contained ES module at `<outDir>/sdk/connect.js` with its types beside
 * it (`connect.d.ts`), which the hub serves at /sdk/connect.js. Stays under 10 kB gzipped.
 */
import fs from 'node:fs';
import path from 'node:path';
import { build, type Plugin } from 'vite';

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
      await build({
        configFile: false,
        logLevel: 'warn',
        build: {
          outDir: target,
          emptyOutDir: true,
          minify: true,
          sourcemap: false,
          lib: { entry: path.join(sdkDir, 'connect.ts'), formats: ['es'], fileName: () => 'connect.js' },
        },
      });
      fs.copyFileSync(path.join(sdkDir, 'public-types.d.ts'), path.join(target, 'connect.d.ts'));
    },
  };
}
