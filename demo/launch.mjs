/**
 * `npm start`, compiled. Running the demo through tsx's loader hooks cost about half a second of
 * every start and a loader thread's memory (measured: the hub's modules import in 930 ms through
 * tsx, 460 ms as one bundle in plain Node). So the demo is bundled once with esbuild — again only
 * when a source file is newer than the bundle — and the bundle runs in plain Node. Most packages
 * are bundled too (see EXTERNAL); the built-in connector catalog, which the registry otherwise
 * imports file by file from disk, is bundled and handed to the registry.
 * If bundling fails for any reason, the demo starts through tsx as before.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SOURCES = ['src', 'demo', 'simulators'].map((dir) => path.join(ROOT, dir));
const CATALOG = path.join(ROOT, 'src', 'connectors', 'catalog');
const OUT = path.join(ROOT, 'node_modules', '.cache', 'patchbay', 'start.mjs');
// A new data directory is made by this second, small bundle in a child process (src/db/prepare.ts).
const OUT_PREPARE = path.join(ROOT, 'node_modules', '.cache', 'patchbay', 'prepare-child.mjs');

/** The newest modification time of the sources the bundle is made of (and of the lock file). */
function newestSource() {
  let newest = fs.statSync(path.join(ROOT, 'package-lock.json')).mtimeMs;
  const walk = (dir) => {
    for (const dirent of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, dirent.name);
      if (dirent.isDirectory()) walk(full);
      else if (/\.(ts|mjs|json)$/.test(dirent.name)) newest = Math.max(newest, fs.statSync(full).mtimeMs);
    }
  };
  for (const dir of SOURCES) walk(dir);
  return newest;
}

/** The catalog files the registry would load, imported statically and handed to it. */
function catalogModule() {
  const files = [];
  for (const dirent of fs.readdirSync(CATALOG, { withFileTypes: true })) {
    if (dirent.name.startsWith('_') || dirent.name.startsWith('.')) continue;
    const full = path.join(CATALOG, dirent.name);
    if (dirent.isDirectory()) {
      const index = fs.readdirSync(full).find((f) => /^index\.(ts|mjs|js)$/.test(f));
      if (index) files.push(path.join(full, index));
    } else if (/\.(ts|mts|js|mjs)$/.test(dirent.name) && !/\.(test|spec)\.|\.d\.[cm]?ts$/.test(dirent.name)) {
      files.push(full);
    }
  }
  const imports = files.map((file, i) => `import * as m${i} from ${JSON.stringify(file)};`);
  const entries = files.map((file, i) => `${JSON.stringify(file)}: m${i}`);
  return [
    `import { preloadCatalogModules } from ${JSON.stringify(path.join(ROOT, 'src', 'connectors', 'registry.ts'))};`,
    ...imports,
    `preloadCatalogModules({ ${entries.join(', ')} });`,
  ].join('\n');
}

/** Tells the hub how to run the compiled prepare-child (imported before the demo starts). */
function prepareModule() {
  return [
    `import { usePrepareCommand } from ${JSON.stringify(path.join(ROOT, 'src', 'db', 'prepare.ts'))};`,
    `usePrepareCommand({ execPath: process.execPath, args: [...process.execArgv, ${JSON.stringify(OUT_PREPARE)}] });`,
  ].join('\n');
}

/**
 * Packages stay in node_modules only when they find files next to themselves at run time
 * (WebAssembly, workers, static assets) or are tools; the rest are bundled, because resolving and
 * reading several hundred package files was most of a start (measured: 1.0-1.2 s of a 2.7-3.1 s
 * second start went to Node's module loader).
 */
const EXTERNAL = ['@electric-sql/pglite', '@electric-sql/pglite/*', 'pino', 'thread-stream', 'pino-*', '@fastify/swagger-ui', 'esbuild', 'tsx', 'tsx/*', 'vite', 'playwright-core'];

async function bundle() {
  const { build, stop } = await import('esbuild');
  const plugin = {
    name: 'patchbay-start',
    setup(b) {
      b.onResolve({ filter: /^patchbay:(catalog|prepare)$/ }, (args) => ({ path: args.path.slice('patchbay:'.length), namespace: 'patchbay' }));
      b.onLoad({ filter: /.*/, namespace: 'patchbay' }, (args) => ({ contents: args.path === 'catalog' ? catalogModule() : prepareModule(), resolveDir: ROOT, loader: 'ts' }));
      // Modules find their files (migrations, the dashboard build, the catalog) next to
      // themselves: each keeps its own import.meta.url in the bundle.
      b.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        const text = await fs.promises.readFile(args.path, 'utf8');
        return { contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: 'ts' };
      });
    },
  };
  const common = {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: EXTERNAL,
    // CommonJS packages inside an ES module bundle still call require() for Node's own modules.
    banner: { js: "import { createRequire as __patchbayRequire } from 'node:module'; const require = __patchbayRequire(import.meta.url);" },
    sourcemap: 'linked',
    logLevel: 'silent',
    plugins: [plugin],
  };
  const start = `import 'patchbay:catalog';\nimport 'patchbay:prepare';\nimport ${JSON.stringify(path.join(ROOT, 'demo', 'start.ts'))};\n`;
  const prepare = `import ${JSON.stringify(path.join(ROOT, 'src', 'db', 'prepare-child.ts'))};\n`;
  try {
    for (const [contents, out] of [[prepare, OUT_PREPARE], [start, OUT]]) {
      const staging = `${out}.${process.pid}.tmp`;
      await build({ ...common, stdin: { contents, resolveDir: ROOT, loader: 'js' }, outfile: staging });
      // Written aside and renamed, so a concurrent start never reads half a bundle.
      fs.renameSync(`${staging}.map`, `${out}.map`);
      fs.renameSync(staging, out);
    }
  } finally {
    await stop(); // esbuild's service process would otherwise stay, idle, beside the hub
  }
}

/**
 * `node demo/launch.mjs --prepare` (npm's postinstall): compiles the start and makes the embedded
 * database's migrated template ahead of the first start (src/db/prepare.ts). It never fails the
 * install: whatever goes wrong, the first start does the same work itself.
 */
async function prepareAhead() {
  const began = performance.now();
  try {
    fs.mkdirSync(path.dirname(OUT), { recursive: true });
    await bundle();
    const result = spawnSync(process.execPath, [OUT_PREPARE, '--template'], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    if (result.status !== 0) throw new Error(result.stderr?.trim() || `exit code ${String(result.status)}`);
    process.stdout.write(`patchbay: compiled the start and prepared the embedded database's template (${((performance.now() - began) / 1000).toFixed(1)} s)\n`);
  } catch (err) {
    process.stdout.write(`patchbay: could not prepare ahead (${err instanceof Error ? err.message.split('\n')[0] : String(err)}); the first start will\n`);
  }
}

async function main() {
  if (process.argv.includes('--prepare')) return prepareAhead();
  // The demo is judged by its footprint on a laptop (idle < 400 MB, second start < 3 s), not by
  // its tail latency under load: PGlite's own thread cost it 10–40 MB and ~0.9 s a start
  // (bench/startup.bench.ts, 2026-12-05), so the demo keeps the database on the hub's thread
  // unless told otherwise. `patchbay serve` runs it in its thread (PATCHBAY_PGLITE_THREAD).
  process.env.PATCHBAY_PGLITE_THREAD ??= '0';
  let compiled = false;
  try {
    const fresh = fs.existsSync(OUT) && fs.existsSync(OUT_PREPARE) && fs.statSync(OUT).mtimeMs >= Math.max(newestSource(), fs.statSync(fileURLToPath(import.meta.url)).mtimeMs);
    if (!fresh) {
      fs.mkdirSync(path.dirname(OUT), { recursive: true });
      await bundle();
    }
    compiled = true;
  } catch (err) {
    process.stderr.write(`patchbay: could not compile the start (${err instanceof Error ? err.message.split('\n')[0] : String(err)}); starting through tsx\n`);
  }
  if (compiled) {
    // Source maps stay off unless asked for (`NODE_OPTIONS=--enable-source-maps npm start`): with
    // them on, Node reads and parses the bundle's whole map as it loads the bundle — measured
    // 0.5–1.3 s of every start and ~50 MB of heap kept for the process's life. Without them a
    // stack names the bundle's lines, whose code is the sources', unminified and named.
    await import(pathToFileURL(OUT).href);
    return;
  }
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(path.join(ROOT, 'demo', 'start.ts')).href);
}

await main();
