/**
 * Builds the dashboard (web/ → web/dist) when the build is missing or older than its sources,
 * with one line of progress; otherwise does nothing, so a start stays fast. Used by `npm start`
 * and by the browser tests' setup.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

export const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../web');
export const WEB_DIST = path.join(WEB_DIR, 'dist');
const SKIP = new Set(['dist', 'node_modules', 'scripts']);
const isStaging = (name: string) => name.startsWith('dist.') && name.endsWith('.tmp');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (dir === WEB_DIR && (SKIP.has(entry.name) || isStaging(entry.name))) continue;
    const full = path.join(dir, entry.name);
    const time = entry.isDirectory() ? newestSource(full) : fs.statSync(full).mtimeMs;
    if (time > newest) newest = time;
  }
  return newest;
}

/** Why the dashboard needs building, or undefined when web/dist is up to date. */
export function dashboardBuildReason(): string | undefined {
  const index = path.join(WEB_DIST, 'index.html');
  if (!fs.existsSync(index)) return 'no build yet';
  return newestSource(WEB_DIR) > fs.statSync(index).mtimeMs ? 'web/ changed since the last build' : undefined;
}

/**
 * Builds into a fresh folder and swaps it in, so a hub serving web/dist (or a second build
 * running at the same time) never sees half a build.
 */
export async function ensureDashboardBuilt(write: (text: string) => void = (text) => process.stdout.write(text)): Promise<boolean> {
  const reason = dashboardBuildReason();
  if (!reason) return false;
  const started = Date.now();
  write(`  Building the dashboard (${reason})… `);
  const { build } = await import('vite');
  const staging = `${WEB_DIST}.${process.pid}.tmp`;
  try {
    await build({ configFile: path.join(WEB_DIR, 'vite.config.ts'), logLevel: 'error', build: { outDir: staging, emptyOutDir: true } });
    fs.rmSync(WEB_DIST, { recursive: true, force: true });
    try {
      fs.renameSync(staging, WEB_DIST);
    } catch (err) {
      // Another build swapped its own in first: that one is as fresh.
      if (!fs.existsSync(path.join(WEB_DIST, 'index.html'))) throw err;
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  write(`done in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);
  return true;
}

/**
 * The JavaScript a browser loads before the first screen (the entry script and the modules
 * index.html preloads), gzipped: what test/web/bundle-budget.test.ts and the dashboard benchmark report.
 */
export function initialJavaScript(): { files: string[]; gzippedBytes: number; chunks: number } {
  const index = fs.readFileSync(path.join(WEB_DIST, 'index.html'), 'utf8');
  const files = [...index.matchAll(/<(?:script[^>]*\bsrc|link[^>]*rel="modulepreload"[^>]*\bhref)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]!);
  const gzippedBytes = files.reduce((sum, asset) => sum + gzipSync(fs.readFileSync(path.join(WEB_DIST, asset))).length, 0);
  const chunks = fs.readdirSync(path.join(WEB_DIST, 'assets')).filter((f) => f.endsWith('.js')).length;
  return { files, gzippedBytes, chunks };
}
